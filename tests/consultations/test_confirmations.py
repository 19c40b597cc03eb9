"""What cannot be undone is confirmed first: closing voting, publishing, voiding a batch of
codes, withdrawing a proposal and stepping a phase back each show a page that says, in numbers,
what will happen; only a second POST from that page does it. Closing before the announced end
needs a reason, which everyone reads on the timeline."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from pb.consultations import services as consultation_services
from pb.extensions import db
from pb.models import (
    CodeBatch,
    CountedResult,
    Phase,
    PhaseChange,
    ProposalStatus,
    VoterLink,
)
from pb.voting import services as voting
from pb.voting.sheets import VoterDetails
from tests import factories


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def move(client, consultation, expected, direction="advance", **extra):
    return client.post(
        f"/c/{consultation.id}/phase",
        data={"direction": direction, "expected": expected, **extra},
    )


def text_of(response):
    return " ".join(response.get_data(as_text=True).split())


@pytest.fixture
def voted(app, world, resident_client):
    """Voting open with one ballot of each kind: online, by code, on paper; five codes printed."""
    c = world.consultation
    p1, p2, *_ = factories.open_voting(c, allow_paper=True)
    assert resident_client.post(f"/c/{c.id}/vote", data={"choice": [str(p1.id)]}).status_code == 302
    batch = voting.generate_codes(world.officer, c, 5, "slips")
    code = voting.batch_codes(batch)[0]
    response = app.test_client().post(
        f"/c/{c.id}/vote",
        data={
            "code": code,
            "choice": [str(p2.id)],
            "gender": "",
            "age_group": "",
            "village_id": "",
        },
    )
    assert response.status_code == 302
    voting.add_paper_ballot(
        world.officer, c, world.village.id, date(2026, 11, 20), {p1.id: 1}, VoterDetails()
    )
    return c, batch


@pytest.fixture
def early(monkeypatch):
    """Today is 13 days before the announced end of voting (16 December 2026)."""
    monkeypatch.setattr(consultation_services, "local_today", lambda: date(2026, 12, 3))


@pytest.fixture
def on_time(monkeypatch):
    """Today is after the announced end of voting."""
    monkeypatch.setattr(consultation_services, "local_today", lambda: date(2027, 1, 1))


def test_closing_shows_what_it_will_seal_erase_and_delete_and_does_nothing_yet(
    officer_client, voted
):
    c, _ = voted
    response = move(officer_client, c, "voting")
    assert response.status_code == 200
    page = text_of(response)
    assert "3 ballots will be sealed (1 online, 1 by code, 1 on paper)" in page
    assert "4 unused codes will be erased" in page
    assert "2 links between voters and ballots will be deleted" in page
    assert "cannot be undone" in page
    assert 'name="confirm" value="yes"' in page and 'name="expected" value="voting"' in page
    db.session.refresh(c)
    assert c.phase == Phase.VOTING and count(VoterLink) == 2 and count(PhaseChange) == 0


def test_closing_early_without_a_reason_is_refused_on_the_same_page(officer_client, voted, early):
    c, _ = voted
    page = text_of(move(officer_client, c, "voting"))
    assert "Voting was announced to run until" in page and "13 days early" in page
    assert 'name="reason"' in page
    for reason in ("", "   "):
        response = move(officer_client, c, "voting", confirm="yes", reason=reason)
        assert response.status_code == 200
        assert "Voting closes before its announced end: say why" in text_of(response)
    db.session.refresh(c)
    assert c.phase == Phase.VOTING and count(VoterLink) == 2


def test_closing_early_with_a_reason_shows_it_to_everyone_on_the_timeline(
    app, officer_client, voted, early
):
    c, _ = voted
    reason = "The village meeting voted on paper and the budget session moved."
    response = move(officer_client, c, "voting", confirm="yes", reason=reason)
    assert response.status_code == 302
    db.session.refresh(c)
    assert c.phase == Phase.CLOSED and count(VoterLink) == 0
    assert db.session.scalars(select(PhaseChange.reason)).one() == reason
    page = text_of(app.test_client().get(f"/c/{c.id}"))
    assert "voting was closed before its announced end, because: " + reason in page


def test_closing_on_time_needs_no_reason(officer_client, voted, on_time):
    c, _ = voted
    page = text_of(move(officer_client, c, "voting"))
    assert "3 ballots will be sealed" in page
    assert 'name="reason"' not in page and "days early" not in page
    assert move(officer_client, c, "voting", confirm="yes").status_code == 302
    db.session.refresh(c)
    assert c.phase == Phase.CLOSED
    assert db.session.scalars(select(PhaseChange.reason)).all() == [None]


def test_a_reason_sent_with_an_on_time_close_is_not_shown_as_an_early_close(
    app, officer_client, voted, on_time
):
    c, _ = voted
    move(officer_client, c, "voting", confirm="yes", reason="Nothing special")
    assert db.session.scalars(select(PhaseChange.reason)).all() == [None]
    assert "before its announced end" not in text_of(app.test_client().get(f"/c/{c.id}"))


def test_publishing_shows_what_will_be_public_and_waits_for_confirmation(
    app, officer_client, voted, on_time
):
    c, _ = voted
    move(officer_client, c, "voting", confirm="yes")
    response = move(officer_client, c, "closed")
    page = text_of(response)
    stored = db.session.scalars(select(CountedResult)).one()
    assert "The results of 3 ballots will be shown to everyone" in page
    funded = len(stored.details["funded"])
    assert f"{funded} proposals are funded" in page or f"{funded} proposal is funded" in page
    assert "Publishing cannot be undone" in page
    db.session.refresh(c)
    assert c.phase == Phase.CLOSED
    assert app.test_client().get(f"/c/{c.id}/results").status_code == 403
    assert move(officer_client, c, "closed", confirm="yes").status_code == 302
    db.session.refresh(c)
    assert c.phase == Phase.PUBLISHED


def test_a_confirmation_that_comes_after_someone_else_moved_on_does_nothing_twice(
    officer_client, voted, on_time
):
    c, _ = voted
    assert move(officer_client, c, "voting").status_code == 200  # the page, left open
    assert move(officer_client, c, "voting", confirm="yes").status_code == 302
    again = move(officer_client, c, "voting", confirm="yes")
    assert again.status_code == 302
    db.session.refresh(c)
    assert c.phase == Phase.CLOSED and count(PhaseChange) == 1


def test_opening_voting_needs_no_confirmation(officer_client, world):
    c = world.consultation
    factories.make_proposal(c, status=ProposalStatus.ACCEPTED)
    c.phase = Phase.REVIEW
    db.session.commit()
    assert move(officer_client, c, "review").status_code == 302
    db.session.refresh(c)
    assert c.phase == Phase.VOTING


def test_stepping_back_is_confirmed_with_its_reason(app, officer_client, world):
    c = world.consultation
    factories.make_proposal(c)
    factories.make_proposal(c)
    c.phase = Phase.REVIEW
    db.session.commit()
    first = move(officer_client, c, "review", direction="back", reason="Kara-Bulak's meeting")
    page = text_of(first)
    assert "goes back to the phase “Collection of proposals”" in page
    assert "Its 2 proposals stay as they are" in page
    assert "Kara-Bulak&#39;s meeting" in page or "Kara-Bulak's meeting" in page
    db.session.refresh(c)
    assert c.phase == Phase.REVIEW
    refused = move(officer_client, c, "review", direction="back", confirm="yes", reason=" ")
    assert refused.status_code == 200 and "Say why the consultation goes back" in text_of(refused)
    done = move(officer_client, c, "review", direction="back", confirm="yes", reason="Postponed")
    assert done.status_code == 302
    db.session.refresh(c)
    assert c.phase == Phase.COLLECTING
    assert "went back to the phase" in text_of(app.test_client().get(f"/c/{c.id}"))


def test_voiding_a_batch_shows_its_numbers_and_waits_for_confirmation(officer_client, voted):
    c, batch = voted
    url = f"/c/{c.id}/codes/{batch.id}/void"
    page = text_of(officer_client.post(url))
    assert "4 unused codes of this batch will stop working" in page
    assert "1 ballot already cast with its codes stays counted" in page
    assert db.session.get(CodeBatch, batch.id).voided_at is None
    assert officer_client.post(url, data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(CodeBatch, batch.id).voided_at is not None
    # Voided already: no second page.
    assert officer_client.post(url).status_code == 302


def test_withdrawing_a_proposal_is_confirmed_by_its_author(resident_client, world):
    proposal = factories.make_proposal(
        world.consultation, author=world.resident, status=ProposalStatus.ACCEPTED, title="A well"
    )
    page = text_of(resident_client.post(f"/p/{proposal.id}/withdraw"))
    assert "Withdraw your proposal “A well”?" in page
    assert "acceptance is given up" in page and "cannot be undone" in page
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.ACCEPTED
    response = resident_client.post(f"/p/{proposal.id}/withdraw", data={"confirm": "yes"})
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.WITHDRAWN


def test_withdrawing_too_late_says_so_without_a_confirmation_page(resident_client, world):
    proposal = factories.make_proposal(world.consultation, author=world.resident)
    world.consultation.phase = Phase.REVIEW
    db.session.commit()
    response = resident_client.post(f"/p/{proposal.id}/withdraw", follow_redirects=True)
    assert "can no longer be withdrawn" in text_of(response)
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED


def test_wrong_roles_get_403_at_both_steps(app, world, voted):
    c, batch = voted
    proposal = factories.make_proposal(world.consultation, author=world.resident)
    others = [
        world.council,
        world.resident,
        world.outsider,
        world.outside_officer,
    ]
    for user in others:
        client = app.test_client(user=user)
        for extra in ({}, {"confirm": "yes", "reason": "Because"}):
            assert move(client, c, "voting", **extra).status_code == 403
            assert client.post(f"/c/{c.id}/codes/{batch.id}/void", data=extra).status_code == 403
    for user in (world.council, world.outsider, world.officer):
        client = app.test_client(user=user)
        for extra in ({}, {"confirm": "yes"}):
            assert client.post(f"/p/{proposal.id}/withdraw", data=extra).status_code in (403, 404)
    visitor = app.test_client()
    assert move(visitor, c, "voting", confirm="yes", reason="x").status_code in (302, 401)
    db.session.refresh(c)
    db.session.refresh(proposal)
    assert c.phase == Phase.VOTING and proposal.status == ProposalStatus.SUBMITTED
    assert db.session.get(CodeBatch, batch.id).voided_at is None


@pytest.mark.parametrize(
    "data",
    [
        {"confirm": "x" * 3000},
        {"confirm": "yes", "reason": "x" * 3000},
        {"confirm": "yes", "reason": "\u0661\u0662"},
        {"confirm": "yes", "expected": "nonsense"},
        {"confirm": "yes", "direction": "sideways"},
        {"confirm": "yes", "expected": ""},
        {"confirm": "   "},
    ],
)
def test_odd_confirmations_never_end_in_a_500_nor_close(officer_client, voted, early, data):
    c, batch = voted
    response = officer_client.post(
        f"/c/{c.id}/phase", data={"direction": "advance", "expected": "voting", **data}
    )
    assert response.status_code < 500
    assert officer_client.post(f"/c/{c.id}/codes/{batch.id}/void", data=data).status_code < 500
    db.session.refresh(c)
    if data.get("reason") != "\u0661\u0662":
        assert c.phase == Phase.VOTING


def test_a_too_long_reason_is_refused_with_a_message(officer_client, voted, early):
    c, _ = voted
    response = move(officer_client, c, "voting", confirm="yes", reason="x" * 2001)
    assert response.status_code == 200
    assert "Write at most 2000 characters" in text_of(response)
    db.session.refresh(c)
    assert c.phase == Phase.VOTING


def test_the_confirmation_page_carries_the_csrf_token(csrf_app):
    world = factories.build_world()
    factories.open_voting(world.consultation)
    client = csrf_app.test_client(user=world.officer)
    show = client.get(f"/c/{world.consultation.id}").get_data(as_text=True)
    token = show.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    page = client.post(
        f"/c/{world.consultation.id}/phase",
        data={"direction": "advance", "expected": "voting", "csrf_token": token},
    ).get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'name="confirm"' in page
    without = client.post(
        f"/c/{world.consultation.id}/phase",
        data={"direction": "advance", "expected": "voting", "confirm": "yes", "reason": "x"},
    )
    assert without.status_code == 400
