"""Officers are reminded of funded projects whose residents have had no update for a month."""

from __future__ import annotations

from datetime import timedelta

from pb.extensions import db
from pb.implementation import services
from pb.implementation.services import UPDATE_EVERY_DAYS
from pb.models import Implementation, ImplementationStatus, ImplementationUpdate
from pb.todo.lists import officer_tasks

REMINDER = "have had no update for residents for a month or more"


def _due(world, today):
    (tasks,) = [t for t in officer_tasks(world.municipality, today) if t.updates_due] or [None]
    return [] if tasks is None else [p.proposal.id for p in tasks.updates_due]


def test_projects_not_finished_and_silent_for_a_month_are_due(world, published):
    consultation, (p1, p2, p3, _unfunded) = published
    start = consultation.results_on
    assert _due(world, start + timedelta(days=UPDATE_EVERY_DAYS - 1)) == []
    month_later = start + timedelta(days=UPDATE_EVERY_DAYS)
    assert set(_due(world, month_later)) == {p1.id, p2.id, p3.id}
    # An update a week ago silences p1; p2 is finished; p3 is cancelled: nothing more to say.
    db.session.add_all(
        [
            Implementation(
                proposal_id=p1.id,
                planned_cost=p1.cost,
                updates=[
                    ImplementationUpdate(
                        posted_on=month_later - timedelta(days=7),
                        text="Иш башталды.",
                        language="ky",
                    )
                ],
            ),
            Implementation(
                proposal_id=p2.id, planned_cost=p2.cost, status=ImplementationStatus.COMPLETED
            ),
            Implementation(
                proposal_id=p3.id,
                planned_cost=p3.cost,
                status=ImplementationStatus.CANCELLED,
                status_reason="Жер табылган жок.",
            ),
        ]
    )
    db.session.commit()
    assert _due(world, month_later) == []
    assert _due(world, month_later + timedelta(days=UPDATE_EVERY_DAYS - 7)) == [p1.id]


def test_the_officers_page_links_the_projects_due_an_update(world, officer_client, published):
    consultation, _ = published
    # A year ago: every date moved back together (they must stay in order).
    for name in (
        "proposals_from",
        "proposals_until",
        "review_until",
        "voting_from",
        "voting_until",
        "results_on",
    ):
        setattr(consultation, name, getattr(consultation, name) - timedelta(days=400))
    db.session.commit()
    page = officer_client.get(f"/m/{world.municipality.slug}/tasks").get_data(as_text=True)
    assert f"3 funded projects {REMINDER}" in page
    assert f"/c/{consultation.id}/implementation/keep" in page
    assert services.updates_due(consultation, consultation.results_on) == []
