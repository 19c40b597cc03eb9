from datetime import date

import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Consultation, Phase, PhaseChange, ProposalStatus
from tests import factories


def form_data(world, **fields):
    data = {
        "title_ky": "Жаңы консультация",
        "title_ru": "",
        "title_en": "",
        "description_ky": "Сүрөттөмө",
        "budget": "1500000",
        "category_keys": ["roads", "water"],
        "custom_categories": "Мечит жана көрүстөн\n",
        "village_ids": [str(v.id) for v in world.municipality.villages],
        "proposals_from": "2027-01-10",
        "proposals_until": "2027-01-31",
        "review_until": "2027-02-10",
        "voting_from": "2027-02-11",
        "voting_until": "2027-02-25",
        "results_on": "2027-03-01",
    }
    data.update(fields)
    return data


def consultations_count():
    return db.session.scalar(select(func.count()).select_from(Consultation))


def test_officer_creates_a_consultation_in_draft(officer_client, world):
    response = officer_client.post("/m/ak-suu/consultations/new", data=form_data(world))
    assert response.status_code == 302
    consultation = db.session.scalars(select(Consultation).order_by(Consultation.id.desc())).first()
    assert consultation.phase == Phase.DRAFT
    assert consultation.budget == 1_500_000
    assert consultation.title_ky == "Жаңы консультация" and consultation.title_en is None
    assert [c.key for c in consultation.categories] == ["roads", "water", None]
    assert consultation.categories[2].name == "Мечит жана көрүстөн"
    assert consultation.proposals_from == date(2027, 1, 10)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title_ky": ""}, b"Give the title in at least one language."),
        ({"budget": "-5"}, b"The budget must be a positive whole number of som."),
        ({"budget": "0"}, b"The budget must be a positive whole number of som."),
        ({"budget": "99999999999999999999"}, b"The budget must be a positive whole number of som."),
        ({"budget": "1e6"}, b"Not a valid integer value."),
        ({"proposals_until": "2027-01-01"}, b"Collection cannot end before it starts."),
        ({"voting_from": "2027-02-01"}, b"Voting cannot start before review ends."),
        ({"results_on": "2027-02-01"}, b"Results cannot come before voting ends."),
        (
            {"review_until": "not a date"},
            b"Write the date as day.month.year, for example 17.12.2026.",
        ),
        ({"category_keys": [], "custom_categories": ""}, b"Choose at least one category."),
        ({"category_keys": ["spaceships"]}, b"Not a valid choice."),
        ({"village_ids": []}, b"Choose at least one village of the municipality."),
        ({"title_ky": "x" * 201}, b"Write at most 200 characters."),
    ],
)
def test_bad_consultation_input_gets_a_message_and_saves_nothing(
    officer_client, world, fields, message
):
    before = consultations_count()
    response = officer_client.post(
        "/m/ak-suu/consultations/new",
        data=form_data(world, **fields),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert message in response.data
    assert consultations_count() == before


def test_village_of_another_municipality_is_refused(officer_client, world):
    before = consultations_count()
    foreign = world.other_municipality.villages[0]
    response = officer_client.post(
        "/m/ak-suu/consultations/new", data=form_data(world, village_ids=[str(foreign.id)])
    )
    assert response.status_code == 200
    assert consultations_count() == before


@pytest.mark.parametrize(
    "who", ["resident_client", "council_client", "outside_officer_client", "admin_client"]
)
def test_only_the_municipalitys_officers_create_consultations(request, world, who):
    client = request.getfixturevalue(who)
    before = consultations_count()
    assert client.get("/m/ak-suu/consultations/new").status_code == 403
    assert client.post("/m/ak-suu/consultations/new", data=form_data(world)).status_code == 403
    assert consultations_count() == before


def test_anonymous_visitor_is_sent_to_log_in(client, world):
    response = client.get("/m/ak-suu/consultations/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_drafts_are_hidden_from_everyone_but_officers(app, world):
    draft = factories.make_consultation(
        world.municipality, phase=Phase.DRAFT, title_en="Secret draft"
    )
    for user in (None, world.resident, world.council, world.outside_officer):
        client = app.test_client(user=user) if user else app.test_client()
        assert client.get(f"/c/{draft.id}").status_code == 404
        assert b"Secret draft" not in client.get("/m/ak-suu").data
    officer = app.test_client(user=world.officer)
    assert officer.get(f"/c/{draft.id}").status_code == 200


def test_residents_see_the_timeline_and_what_they_can_do(resident_client, world):
    page = resident_client.get(f"/c/{world.consultation.id}").get_data(as_text=True)
    assert 'aria-current="step"' in page
    assert f"/c/{world.consultation.id}/proposals/new" in page
    assert "Collection of proposals" in page


def move(client, consultation, direction, expected, reason=""):
    # As from the confirmation page; an early close needs a reason, a step back its own.
    if direction == "advance" and not reason:
        reason = "Early, for the test."
    return client.post(
        f"/c/{consultation.id}/phase",
        data={"direction": direction, "expected": expected, "reason": reason, "confirm": "yes"},
    )


def test_officer_moves_the_consultation_forward_one_phase_at_a_time(officer_client, world):
    c = world.consultation
    factories.make_proposal(c, status=ProposalStatus.ACCEPTED)
    for expected, after in (
        ("collecting", Phase.REVIEW),
        ("review", Phase.VOTING),
        ("voting", Phase.CLOSED),
        ("closed", Phase.PUBLISHED),
    ):
        assert move(officer_client, c, "advance", expected).status_code == 302
        db.session.refresh(c)
        assert c.phase == after
    assert db.session.scalar(select(func.count()).select_from(PhaseChange)) == 4


def test_a_repeated_click_does_not_skip_a_phase(officer_client, world):
    c = world.consultation
    move(officer_client, c, "advance", "collecting")
    move(officer_client, c, "advance", "collecting")
    db.session.refresh(c)
    assert c.phase == Phase.REVIEW


def test_voting_cannot_open_with_proposals_unreviewed_or_none_accepted(officer_client, world):
    c = world.consultation
    c.phase = Phase.REVIEW
    db.session.commit()
    response = move(officer_client, c, "advance", "review")
    assert response.status_code == 302
    db.session.refresh(c)
    assert c.phase == Phase.REVIEW
    factories.make_proposal(c)  # under review
    factories.make_proposal(c, status=ProposalStatus.ACCEPTED)
    move(officer_client, c, "advance", "review")
    db.session.refresh(c)
    assert c.phase == Phase.REVIEW


def test_going_back_needs_a_reason_and_is_shown(officer_client, client, world):
    c = world.consultation
    c.phase = Phase.REVIEW
    db.session.commit()
    move(officer_client, c, "back", "review", reason="")
    db.session.refresh(c)
    assert c.phase == Phase.REVIEW
    move(officer_client, c, "back", "review", reason="Village meeting in Kara-Bulak postponed")
    db.session.refresh(c)
    assert c.phase == Phase.COLLECTING
    page = client.get(f"/c/{c.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Village meeting in Kara-Bulak postponed" in page


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED, Phase.DRAFT])
def test_no_going_back_from_voting_or_later(officer_client, world, phase):
    c = world.consultation
    c.phase = phase
    db.session.commit()
    move(officer_client, c, "back", phase.value, reason="because")
    db.session.refresh(c)
    assert c.phase == phase


def test_phase_moves_are_for_the_municipalitys_officers_only(app, world):
    c = world.consultation
    for user in (world.resident, world.council, world.outside_officer, world.admin):
        assert move(app.test_client(user=user), c, "advance", "collecting").status_code == 403
    db.session.refresh(c)
    assert c.phase == Phase.COLLECTING


def test_bad_phase_requests_get_400(officer_client, world):
    c = world.consultation
    assert move(officer_client, c, "sideways", "collecting").status_code == 400
    assert move(officer_client, c, "advance", "nonsense").status_code == 400
    assert officer_client.post(f"/c/{c.id}/phase", data={}).status_code == 400
    assert (
        officer_client.post(
            "/c/99999/phase", data={"direction": "advance", "expected": "draft"}
        ).status_code
        == 404
    )


def test_officer_edits_texts_and_setup_before_voting(officer_client, world):
    c = world.consultation
    response = officer_client.post(
        f"/c/{c.id}/edit", data=form_data(world, budget="2000000", title_en="Renamed")
    )
    assert response.status_code == 302
    db.session.refresh(c)
    assert c.budget == 2_000_000 and c.title_en == "Renamed"


def test_budget_is_locked_once_voting_opens(officer_client, world):
    c = world.consultation
    c.phase = Phase.VOTING
    db.session.commit()
    officer_client.post(f"/c/{c.id}/edit", data=form_data(world, budget="5", title_en="New title"))
    db.session.refresh(c)
    assert c.budget == 1_000_000
    assert c.title_en == "New title"


def test_category_in_use_cannot_be_removed(officer_client, world):
    c = world.consultation
    used = c.categories[0]
    factories.make_proposal(c, category_id=used.id)
    keys = [cat.key for cat in c.categories if cat.id != used.id]
    response = officer_client.post(
        f"/c/{c.id}/edit", data=form_data(world, category_keys=keys, custom_categories="")
    )
    assert response.status_code == 200
    db.session.refresh(c)
    assert used.id in [cat.id for cat in c.categories]
