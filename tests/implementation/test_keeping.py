"""Officers of the municipality keep what became of each funded project; nobody else can."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from pb.extensions import db
from pb.implementation import services
from pb.models import AuditEntry
from pb.models.base import utcnow
from pb.models.implementation import Implementation, ImplementationStatus, ImplementationUpdate
from tests.implementation.helpers import jpeg_bytes


def form(**changes):
    data = {
        "status": "under_way",
        "status_reason": "",
        "planned_cost": "400000",
        "actual_cost": "",
        "community_money": "25000",
        "community_labour": "30 тургун арык казышты",
        "contractor": "ОсОО Курулуш",
        "started_on": "2026-05-04",
        "finished_on": "",
        "changes": "",
    }
    data.update(changes)
    return data


def kept(proposal):
    return db.session.scalar(
        select(Implementation).where(Implementation.proposal_id == proposal.id)
    )


def audit_actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_funded_projects_are_listed_for_the_officer_as_planned_at_their_cost(
    officer_client, published
):
    consultation, (p1, p2, p3, p4) = published
    page = officer_client.get(f"/c/{consultation.id}/implementation/keep").get_data(as_text=True)
    assert "Project 1" in page and "Project 2" in page and "Project 3" in page
    assert "Project 4" not in page
    assert "400,000\xa0som" in page and "Planned" in page
    # Listing writes nothing: the implementation is created on first edit.
    assert db.session.scalars(select(Implementation)).all() == []


def test_officer_saves_the_implementation_and_it_is_audited(officer_client, world, published):
    _, (p1, *_) = published
    response = officer_client.post(f"/p/{p1.id}/implementation", data=form())
    assert response.status_code == 302
    row = kept(p1)
    assert row.status == ImplementationStatus.UNDER_WAY
    assert row.planned_cost == 400_000 and row.community_money == 25_000
    assert row.started_on == date(2026, 5, 4) and row.contractor == "ОсОО Курулуш"
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.action == "implementation.save" and entry.actor_id == world.officer.id
    assert entry.municipality_id == world.municipality.id
    assert entry.target_type == "proposal" and entry.target_id == str(p1.id)
    assert entry.after["implementation_status"] == "under_way"

    officer_client.post(
        f"/p/{p1.id}/implementation", data=form(status="completed", actual_cost="390000")
    )
    second = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    # Only what changed.
    assert second.before == {"implementation_status": "under_way", "actual_cost": None}
    assert second.after == {"implementation_status": "completed", "actual_cost": 390_000}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"planned_cost": "-5"}, "Write a number from 0 to"),
        ({"actual_cost": "-1"}, "Write a number from 0 to"),
        ({"community_money": "-100"}, "Write a number from 0 to"),
        ({"planned_cost": ""}, "This field is required."),
        ({"planned_cost": "много"}, "Not a valid integer value."),
        ({"status": "postponed"}, "Write the public reason"),
        ({"status": "cancelled", "status_reason": "   "}, "Write the public reason"),
        ({"started_on": "2026/05/04"}, "Write the date as day.month.year"),
        ({"finished_on": "31.02.2026"}, "Write the date as day.month.year"),
        ({"finished_on": "01.05.2026"}, "The end date cannot be before the start date."),
        ({"status": "finished"}, "Not a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message(officer_client, published, changes, message):
    _, (p1, *_) = published
    response = officer_client.post(f"/p/{p1.id}/implementation", data=form(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert kept(p1) is None and audit_actions() == []


def test_a_postponed_project_shows_its_public_reason(officer_client, app, published):
    consultation, (p1, *_) = published
    officer_client.post(
        f"/p/{p1.id}/implementation",
        data=form(status="postponed", status_reason="Подрядчик не вышел на работу."),
    )
    page = app.test_client().get(f"/c/{consultation.id}/implementation").get_data(as_text=True)
    assert "Postponed" in page and "Подрядчик не вышел на работу." in page


def test_the_service_refuses_what_the_form_would_let_through(app, world, published):
    _, (p1, *_) = published
    with app.test_request_context(), pytest.raises(services.RuleViolation):
        services.save_implementation(
            world.officer,
            p1,
            services.ImplementationData(ImplementationStatus.COMPLETED, planned_cost=-1),
        )
    with app.test_request_context(), pytest.raises(services.RuleViolation):
        services.save_implementation(
            world.officer,
            p1,
            services.ImplementationData(ImplementationStatus.CANCELLED, planned_cost=1),
        )
    assert kept(p1) is None


def update(**changes):
    data = {"posted_on": utcnow().date().isoformat(), "language": "ru", "text": "Трубы завезли."}
    data.update(changes)
    return data


def test_officer_posts_an_update_with_a_photo(officer_client, app, published):
    consultation, (p1, *_) = published
    data = update(
        photo=(io.BytesIO(jpeg_bytes()), "truba.jpg", "image/jpeg"), alt_text="Трубы у дороги"
    )
    response = officer_client.post(
        f"/p/{p1.id}/implementation/updates", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    posted = db.session.scalars(select(ImplementationUpdate)).one()
    assert posted.language == "ru" and posted.text == "Трубы завезли."
    assert [p.alt_text for p in posted.photos] == ["Трубы у дороги"]
    # Created on the first update, planned at the proposal's cost.
    assert kept(p1).planned_cost == 400_000 and kept(p1).status == ImplementationStatus.PLANNED
    assert audit_actions() == ["implementation.post"]
    page = app.test_client().get(f"/p/{p1.id}").get_data(as_text=True)
    thumb = f'src="/photos/{posted.photos[0].id}/thumb"'
    assert thumb in page and 'alt="Трубы у дороги"' in page and 'loading="lazy"' in page
    assert app.test_client().get(f"/photos/{posted.photos[0].id}/thumb").status_code == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": "  "}, "Write what happened."),
        ({"text": ""}, "This field is required."),
        ({"posted_on": "04/05/2026"}, "Write the date as day.month.year"),
        ({"posted_on": (date.today() + timedelta(days=3)).isoformat()}, "cannot be in the future"),
        ({"language": "de"}, "Not a valid choice."),
        (
            {"photo": (io.BytesIO(b"PK\x03\x04 not a picture"), "a.jpg", "image/jpeg")},
            "Say in a few words what the photo shows.",
        ),
    ],
)
def test_a_bad_update_is_refused_and_nothing_is_saved(officer_client, published, changes, message):
    _, (p1, *_) = published
    response = officer_client.post(
        f"/p/{p1.id}/implementation/updates",
        data=update(**changes),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(ImplementationUpdate)).all() == []
    assert audit_actions() == []


def test_a_file_that_is_not_a_picture_saves_nothing(officer_client, published):
    from pb.models.implementation import Photo

    _, (p1, *_) = published
    response = officer_client.post(
        f"/p/{p1.id}/implementation/updates",
        data=update(photo=(io.BytesIO(b"PK\x03\x04zip"), "a.jpg", "image/jpeg"), alt_text="x y"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert db.session.scalars(select(ImplementationUpdate)).all() == []
    assert db.session.scalars(select(Photo)).all() == []
    assert audit_actions() == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("client", 302),  # to the login page
        ("resident_client", 403),
        ("outsider_client", 403),
        ("outside_officer_client", 403),
        ("council_client", 403),
    ],
)
def test_only_the_municipalitys_officers_edit(request, published, who, status):
    consultation, (p1, *_) = published
    client = request.getfixturevalue(who)
    assert client.post(f"/p/{p1.id}/implementation", data=form()).status_code == status
    assert client.post(f"/p/{p1.id}/implementation/updates", data=update()).status_code == status
    assert client.get(f"/p/{p1.id}/implementation").status_code == status
    assert client.get(f"/c/{consultation.id}/implementation/keep").status_code == status
    assert kept(p1) is None and audit_actions() == []


def test_an_unfunded_proposal_or_unpublished_results_have_nothing_to_keep(
    app, officer_client, world, published
):
    consultation, (p1, p2, p3, p4) = published
    assert officer_client.post(f"/p/{p4.id}/implementation", data=form()).status_code == 404
    assert officer_client.get(f"/p/{p4.id}/implementation").status_code == 404
    with app.test_request_context(), pytest.raises(services.RuleViolation):
        services.post_update(world.officer, p4, date(2026, 5, 1), "Text", "ky")
    from pb.models import Phase

    consultation.phase = Phase.CLOSED
    db.session.commit()
    assert officer_client.post(f"/p/{p1.id}/implementation", data=form()).status_code == 404
    assert officer_client.get(f"/c/{consultation.id}/implementation/keep").status_code == 403
    assert kept(p1) is None
