"""An officer's page: what waits for her in her municipality, and nothing of another's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pb.consultations.services import local_today
from pb.extensions import db
from pb.models import Electorate, Meeting, Phase, ProposalStatus
from pb.todo.lists import officer_tasks, phase_due
from pb.voting import services as voting
from pb.voting.sheets import VoterDetails
from tests import factories


def _page(client, world) -> str:
    response = client.get(f"/m/{world.municipality.slug}/tasks")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _far_dates(consultation, start: date | None = None) -> None:
    """The planned dates from ``start`` on (by default far ahead, so that no phase is due)."""
    start = start or local_today() + timedelta(days=100)
    consultation.proposals_from = start
    consultation.proposals_until = start + timedelta(days=10)
    consultation.review_until = start + timedelta(days=20)
    consultation.voting_from = start + timedelta(days=21)
    consultation.voting_until = start + timedelta(days=30)
    consultation.results_on = start + timedelta(days=40)
    db.session.commit()


@pytest.mark.parametrize(
    "client_name", ["resident_client", "council_client", "outside_officer_client", "admin_client"]
)
def test_only_the_municipalitys_officers_see_its_page(request, world, client_name):
    client = request.getfixturevalue(client_name)
    assert client.get(f"/m/{world.municipality.slug}/tasks").status_code == 403


def test_unknown_municipality_and_visitors(officer_client, client, world):
    assert officer_client.get("/m/nope/tasks").status_code == 404
    response = client.get(f"/m/{world.municipality.slug}/tasks")
    assert response.status_code == 302 and "/login" in response.location


def test_proposals_to_review_are_counted_and_linked(world, officer_client):
    _far_dates(world.consultation)
    for _ in range(3):
        factories.make_proposal(world.consultation)
    factories.make_proposal(world.consultation, status=ProposalStatus.ACCEPTED)
    page = _page(officer_client, world)
    assert "3 proposals wait for review." in page
    assert f"/c/{world.consultation.id}/review" in page


def test_another_municipalitys_tasks_are_not_hers(world, officer_client, outside_officer_client):
    _far_dates(world.consultation)
    other = factories.make_consultation(world.other_municipality, title_en="Ton budget")
    _far_dates(other)
    factories.make_proposal(other)
    assert "Ton budget" not in _page(officer_client, world)
    assert "Nothing waits for you now." in _page(officer_client, world)
    page = outside_officer_client.get(f"/m/{world.other_municipality.slug}/tasks").get_data(
        as_text=True
    )
    assert "Ton budget" in page and "1 proposal waits for review." in page
    assert "Budget 2027" not in page


def test_a_phase_whose_date_has_come_is_due(world, officer_client):
    c = world.consultation
    _far_dates(c)
    assert "planned" not in _page(officer_client, world)
    _far_dates(c, local_today() - timedelta(days=11))  # collection ended yesterday
    page = _page(officer_client, world)
    assert "Collecting proposals was planned to end on" in page


def test_phase_due_dates_by_phase(world):
    c = world.consultation
    today = date(2026, 11, 21)  # proposals_until in the factory
    assert phase_due(c, today) is None
    assert phase_due(c, today + timedelta(days=1)) == today
    c.phase = Phase.DRAFT
    assert phase_due(c, date(2026, 10, 31)) is None
    assert phase_due(c, date(2026, 11, 1)) == date(2026, 11, 1)
    c.phase = Phase.CLOSED
    assert phase_due(c, c.results_on) == c.results_on
    c.phase = Phase.PUBLISHED
    assert phase_due(c, date(2030, 1, 1)) is None


def test_codes_not_used_and_meetings_without_paper_ballots(world, officer_client):
    proposals = factories.open_voting(world.consultation)
    _far_dates(world.consultation, local_today() - timedelta(days=25))  # voting runs
    with officer_client.application.test_request_context():
        voting.generate_codes(world.officer, world.consultation, 4, "Ак-Суу")
    meeting = Meeting(
        consultation_id=world.consultation.id,
        village_id=world.village.id,
        held_on=world.consultation.voting_from,
    )
    db.session.add(meeting)
    db.session.commit()
    page = _page(officer_client, world)
    assert "4 printed codes have not been used yet." in page
    assert "has no paper ballots typed in." in page and "Ак-Суу" in page

    voting.add_paper_ballot(
        world.officer,
        world.consultation,
        world.village.id,
        world.consultation.voting_from,
        {proposals[0].id: 1},
        VoterDetails(),
    )
    assert "has no paper ballots typed in." not in _page(officer_client, world)


def test_where_the_roll_votes_slips_and_paper_ballots_handed_out_are_known(world, officer_client):
    proposals = factories.open_voting(world.consultation, electorate=Electorate.ROLL)
    _far_dates(world.consultation, local_today() - timedelta(days=25))  # voting runs
    with officer_client.application.test_request_context():
        voting.generate_codes(world.officer, world.consultation, 3, None)
    people = [factories.make_roll_entry(world.municipality, f"Асанов {n}") for n in range(4)]
    officer_client.post(f"/c/{world.consultation.id}/desk/{people[0].id}/code")
    for person in people[1:]:
        officer_client.post(f"/c/{world.consultation.id}/desk/{person.id}/paper")
    voting.add_paper_ballot(
        world.officer,
        world.consultation,
        world.village.id,
        local_today(),
        {proposals[0].id: 1},
        VoterDetails(),
    )
    tasks = officer_tasks(world.municipality)
    assert [(t.slips_not_handed_out, t.paper_not_typed_in) for t in tasks] == [(2, 2)]
    page = _page(officer_client, world)
    assert "2 code slips have not been handed out at the meeting desk." in page
    assert "2 paper ballots were handed out at the meeting desk, but not typed in yet." in page


def test_nothing_waits(world, officer_client):
    _far_dates(world.consultation)
    assert "Nothing waits for you now." in _page(officer_client, world)
