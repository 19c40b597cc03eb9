"""Ballot secrecy: after voting closes, the database itself cannot tell who voted how."""

import re

from sqlalchemy import func, inspect, select

from pb.extensions import db
from pb.models import Ballot, Phase, Receipt, VoterLink, VotingCode
from tests import factories
from tests.voting.test_codes import generate, vote_with


def close(officer_client, consultation):
    response = officer_client.post(
        f"/c/{consultation.id}/phase",
        data={
            "direction": "advance",
            "expected": "voting",
            "confirm": "yes",
            "reason": "Early, for the test.",
        },
    )
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.phase == Phase.CLOSED


def receipt_of(client, response):
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r'class="receipt"><strong>([A-Z0-9-]+)<', page).group(1)


def test_closing_voting_cuts_every_link_between_voters_and_ballots(
    app, officer_client, resident_client, world
):
    p1, p2, *_ = factories.open_voting(world.consultation)
    resident_client.post(f"/c/{world.consultation.id}/vote", data={"choice": [str(p1.id)]})
    _, (code,) = generate(officer_client, world.consultation, size=1)
    vote_with(app.test_client(), world.consultation, code, [p2])
    officer_client.post(
        f"/c/{world.consultation.id}/paper-ballots",
        data={
            "meeting_village_id": str(world.village.id),
            "meeting_date": "2026-11-20",
            "choice": [str(p1.id)],
        },
    )
    ids_before = set(db.session.scalars(select(Ballot.id)))
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 2

    close(officer_client, world.consultation)

    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 0
    assert db.session.scalars(select(VotingCode.plain)).all() == [None]
    ballots = db.session.scalars(select(Ballot)).all()
    assert len(ballots) == 3
    assert not ids_before & {b.id for b in ballots}, "ballots kept the ids they had while voting"
    # Nothing in a ballot row can point at a person, a code or a client.
    inspector = inspect(db.engine)
    for table in ("ballots",):
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert not targets & {"users", "voting_codes", "voter_links"}, table
        columns = {c["name"] for c in inspector.get_columns(table)}
        assert not columns & {
            "user_id",
            "code_id",
            "ip",
            "remote_addr",
            "created_at",
            "receipt_digest",
        }
    # Choices survived the reshuffle intact.
    chosen = sorted(sorted(b.choices) for b in ballots)
    assert chosen == sorted([[p1.id], [p2.id], [p1.id]])


def test_receipt_shows_the_ballot_was_counted_and_nothing_else(
    app, officer_client, resident_client, world
):
    p1, *_ = factories.open_voting(world.consultation)
    response = resident_client.post(
        f"/c/{world.consultation.id}/vote", data={"choice": [str(p1.id)]}
    )
    receipt = receipt_of(resident_client, response)
    check = f"/c/{world.consultation.id}/receipt"
    assert "once the results are published" in app.test_client().post(
        check, data={"receipt": receipt}
    ).get_data(as_text=True)
    close(officer_client, world.consultation)
    officer_client.post(
        f"/c/{world.consultation.id}/phase",
        data={"direction": "advance", "expected": "closed", "confirm": "yes"},
    )
    page = app.test_client().post(check, data={"receipt": receipt}).get_data(as_text=True)
    assert "was counted" in page
    assert p1.title not in page
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1
    wrong = app.test_client().post(check, data={"receipt": "AAAA-AAAA-AAAA"})
    assert "No counted ballot has this receipt number" in wrong.get_data(as_text=True)


def test_a_changed_ballot_gets_a_new_receipt_and_the_old_one_stops_counting(
    app, officer_client, resident_client, world
):
    p1, p2, *_ = factories.open_voting(world.consultation)
    first = receipt_of(
        resident_client,
        resident_client.post(f"/c/{world.consultation.id}/vote", data={"choice": [str(p1.id)]}),
    )
    second = receipt_of(
        resident_client,
        resident_client.post(f"/c/{world.consultation.id}/vote", data={"choice": [str(p2.id)]}),
    )
    assert first != second
    close(officer_client, world.consultation)
    officer_client.post(
        f"/c/{world.consultation.id}/phase",
        data={"direction": "advance", "expected": "closed", "confirm": "yes"},
    )
    client = app.test_client()
    assert "was counted" in client.post(
        f"/c/{world.consultation.id}/receipt", data={"receipt": second}
    ).get_data(as_text=True)
    assert "No counted ballot" in client.post(
        f"/c/{world.consultation.id}/receipt", data={"receipt": first}
    ).get_data(as_text=True)


def test_no_page_shows_how_someone_voted(app, officer_client, resident_client, world):
    p1, p2, *_ = factories.open_voting(world.consultation)
    resident_client.post(f"/c/{world.consultation.id}/vote", data={"choice": [str(p1.id)]})
    admin = app.test_client(user=world.admin)
    for client in (admin, officer_client):
        for path in (
            "/",
            "/admin/",
            f"/c/{world.consultation.id}",
            f"/c/{world.consultation.id}/turnout",
            f"/c/{world.consultation.id}/proposals",
            f"/p/{p1.id}",
            f"/admin/municipalities/{world.municipality.id}/staff",
        ):
            response = client.get(path)
            if response.status_code == 200:
                html = response.get_data(as_text=True)
                assert "Айзада" not in html or p1.title not in html.split("Айзада")[1][:200], path
