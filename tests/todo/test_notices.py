"""A resident is told, in her language, on her next page, when her proposal was accepted,
rejected (with the reason) or merged; once she has read it, not again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Notice, ProposalStatus
from tests import factories
from tests.proposals.test_review import review
from tests.proposals.test_submission import proposal_data


def _notices() -> int:
    return db.session.scalar(select(func.count()).select_from(Notice)) or 0


def _read(client, page: str):
    up_to = page.split('name="up_to" value="')[1].split('"')[0]
    return client.post("/account/notices/read", data={"up_to": up_to, "next": "/account/next"})


def test_the_notice_appears_after_review_until_read_then_not_again(
    world, officer_client, resident_client
):
    proposal = factories.make_proposal(world.consultation, world.resident, title="Our well")
    assert "Our well" not in resident_client.get("/").get_data(as_text=True)
    review(officer_client, proposal, "accept", approved_cost="")

    page = resident_client.get("/").get_data(as_text=True)
    assert "Your proposal “Our well” was accepted for the ballot." in page
    # Kept on the server: another device of hers, or the next page, shows it too.
    assert "was accepted" in resident_client.get("/account").get_data(as_text=True)

    response = _read(resident_client, page)
    assert response.status_code == 302 and response.location.endswith("/account/next")
    assert _notices() == 0
    for path in ("/", "/account", "/account/next"):
        assert "was accepted" not in resident_client.get(path).get_data(as_text=True)


def test_a_rejection_says_the_reason_in_her_language(world, officer_client, app):
    world.resident.locale = "ru"
    db.session.commit()
    proposal = factories.make_proposal(world.consultation, world.resident, title="Дорога")
    review(officer_client, proposal, "reject", reason="Не входит в полномочия айыл окмоту.")
    # A new device: no language chosen there; her profile's language is used.
    client = app.test_client(user=world.resident)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/").get_data(as_text=True)
    assert "Ваше предложение «Дорога» отклонено" in page
    assert "Не входит в полномочия айыл окмоту." in page


def test_a_merge_names_the_proposal_it_joined(world, officer_client, resident_client):
    target = factories.make_proposal(world.consultation, world.council, title="The big well")
    duplicate = factories.make_proposal(world.consultation, world.resident, title="A well")
    review(officer_client, duplicate, "merge", target_id=str(target.id))
    page = resident_client.get("/").get_data(as_text=True)
    assert "Your proposal “A well” was joined with the proposal “The big well”" in page


def test_kyrgyz_notice(world, officer_client, resident_client):
    world.resident.locale = "ky"
    db.session.commit()
    proposal = factories.make_proposal(world.consultation, world.resident, title="Кудук")
    review(officer_client, proposal, "accept", approved_cost="")
    page = resident_client.get("/").get_data(as_text=True)
    assert "«Кудук»" in page and "кабыл алынды" in page


def test_nobody_else_sees_her_notice(world, officer_client, outsider_client, client):
    proposal = factories.make_proposal(world.consultation, world.resident, title="Our well")
    review(officer_client, proposal, "accept", approved_cost="")
    for other in (officer_client, outsider_client, client):
        assert "was accepted" not in other.get("/").get_data(as_text=True)
    # Nor can another account read hers away.
    notice = db.session.scalars(select(Notice)).one()
    outsider_client.post("/account/notices/read", data={"up_to": str(notice.id)})
    assert _notices() == 1


def test_a_second_review_replaces_the_first_notice(world, officer_client, resident_client):
    proposal = factories.make_proposal(world.consultation, world.resident, title="Our well")
    review(officer_client, proposal, "accept", approved_cost="")
    review(officer_client, proposal, "reject", reason="The land is private.")
    page = resident_client.get("/").get_data(as_text=True)
    assert "was rejected" in page and "was accepted" not in page
    assert _notices() == 1


def test_editing_her_proposal_drops_what_she_has_not_read(world, officer_client, resident_client):
    proposal = factories.make_proposal(world.consultation, world.resident, title="Our well")
    review(officer_client, proposal, "accept", approved_cost="")
    assert _notices() == 1
    response = resident_client.post(f"/p/{proposal.id}/edit", data=proposal_data(world))
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED and _notices() == 0


def test_paper_proposals_and_her_own_reviews_make_no_notice(world, officer_client):
    paper = factories.make_proposal(world.consultation, None)
    own = factories.make_proposal(world.consultation, world.officer)
    review(officer_client, paper, "accept", approved_cost="")
    review(officer_client, own, "accept", approved_cost="")
    assert _notices() == 0


def test_a_newer_notice_waits_for_the_next_page(world, officer_client, resident_client):
    first = factories.make_proposal(world.consultation, world.resident, title="First")
    review(officer_client, first, "accept", approved_cost="")
    page = resident_client.get("/").get_data(as_text=True)
    second = factories.make_proposal(world.consultation, world.resident, title="Second")
    review(officer_client, second, "reject", reason="Too costly.")
    _read(resident_client, page)
    page = resident_client.get("/").get_data(as_text=True)
    assert "“Second” was rejected" in page and "“First”" not in page


@pytest.mark.parametrize("up_to", ["", "abc", "-1", "0", "99999999999"])
def test_odd_input_to_read_is_refused(world, resident_client, up_to):
    response = resident_client.post("/account/notices/read", data={"up_to": up_to})
    assert response.status_code == 400


def test_reading_needs_an_account(client, world):
    response = client.post("/account/notices/read", data={"up_to": "1"})
    assert response.status_code == 302 and "/login" in response.location


def test_showing_a_notice_writes_nothing(world, officer_client, resident_client):
    from tests.results.test_pages_only_read import writes_recorded

    proposal = factories.make_proposal(world.consultation, world.resident, title="Our well")
    review(officer_client, proposal, "accept", approved_cost="")
    with writes_recorded() as seen:
        page = resident_client.get("/account/next").get_data(as_text=True)
    assert "was accepted" in page and seen == []
