"""Voter links name the voter by a digest keyed with the vote key, never by her account's or
her code's id; a code changes its ballot only with the receipt of the ballot it replaces."""

import hashlib

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from pb.extensions import db
from pb.models import Ballot, ThrottleEvent, VoterLink, VotingCode
from pb.voting import casting, services, voters
from tests import factories

RECEIPT_NEEDED = "This code has already voted. To change that ballot, type the receipt number"


def vote(client, consultation, proposal, **fields):
    return client.post(f"/c/{consultation.id}/vote", data={"choice": [str(proposal.id)], **fields})


def receipt_of(client, consultation):
    with client.session_transaction() as kept:
        return kept["receipts"][str(consultation.id)]["number"]


def one_code(world):
    services.generate_codes(world.officer, world.consultation, 1, None)
    (code,) = services.batch_codes(db.session.scalars(select(services.CodeBatch)).one())
    code_id = db.session.scalar(select(VotingCode.id))
    return code, code_id


def chosen():
    return {pid for choices in db.session.scalars(select(Ballot.choices)) for pid in choices}


def failures():
    return db.session.scalar(select(func.count()).select_from(ThrottleEvent))


def values_of_links():
    """Every value of every column of voter_links, but its own id and its consultation's."""
    rows = db.session.execute(select(VoterLink.__table__)).mappings().all()
    return [
        value
        for row in rows
        for name, value in row.items()
        if name not in ("id", "consultation_id")
    ]


def test_no_link_holds_the_account_or_the_code(app, world, resident_client):
    p1, p2, *_ = factories.open_voting(world.consultation)
    code, code_id = one_code(world)
    assert vote(resident_client, world.consultation, p1).status_code == 302
    assert vote(app.test_client(), world.consultation, p2, code=code).status_code == 302
    assert {c.name for c in VoterLink.__table__.columns} == {
        "id",
        "consultation_id",
        "voter_digest",
        "ballot_id",
        "receipt_digest",
    }
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 2
    values = values_of_links()
    for voter_id in (world.resident.id, code_id):
        assert voter_id not in values and str(voter_id) not in values
    digests = set(db.session.scalars(select(VoterLink.voter_digest)))
    code_digest = db.session.scalar(select(VotingCode.digest))
    cid, uid = world.consultation.id, world.resident.id
    assert digests == {voters.account_link(cid, uid), voters.code_link(cid, code_digest)}
    # Keyed: nobody without the vote key makes them from the ids, nor from the code's digest.
    unkeyed = {
        hashlib.sha256(f"voter:{cid}:account:{uid}".encode()).hexdigest(),
        hashlib.sha256(f"voter:{cid}:code:{code_digest}".encode()).hexdigest(),
        code_digest,
    }
    assert not digests & unkeyed


def test_an_account_has_one_ballot_and_changes_it(app, world, resident_client):
    p1, p2, *_ = factories.open_voting(world.consultation)
    assert vote(resident_client, world.consultation, p1).status_code == 302
    page = resident_client.get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert "You have already voted" in page
    # Logged in is proven: no receipt asked.
    assert vote(resident_client, world.consultation, p2).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert chosen() == {p2.id}


def test_the_receipt_field_goes_with_the_code_field(app, world):
    factories.open_voting(world.consultation)
    page = app.test_client().get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert 'name="code"' in page
    assert 'name="earlier_receipt"' in page and 'for="earlier_receipt"' in page
    assert "Receipt of your earlier ballot" in page


def test_a_code_changes_its_ballot_only_with_its_receipt(app, world):
    p1, p2, p3, *_ = factories.open_voting(world.consultation)
    code, _ = one_code(world)
    voter = app.test_client()
    assert vote(voter, world.consultation, p1, code=code).status_code == 302
    first = receipt_of(voter, world.consultation)

    # Whoever else holds the code (a photo of the slip) does not change it without the receipt.
    other = app.test_client()
    response = vote(other, world.consultation, p2, code=code)
    assert response.status_code == 200 and RECEIPT_NEEDED in response.get_data(as_text=True)
    assert chosen() == {p1.id}
    assert failures() == 0

    # A wrong receipt is refused too, and counts as a guess.
    response = vote(other, world.consultation, p2, code=code, earlier_receipt="ACDE-FGHJ-KMNP")
    assert response.status_code == 200 and RECEIPT_NEEDED in response.get_data(as_text=True)
    assert chosen() == {p1.id}
    assert failures() > 0

    # With the receipt, typed as people type it, the ballot is replaced whole.
    typed = first.lower().replace("-", " ")
    assert vote(other, world.consultation, p2, code=code, earlier_receipt=typed).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert chosen() == {p2.id}
    second = receipt_of(other, world.consultation)
    assert second != first

    # The old receipt no longer proves anything; the new one does.
    response = vote(voter, world.consultation, p3, code=code, earlier_receipt=first)
    assert RECEIPT_NEEDED in response.get_data(as_text=True) and chosen() == {p2.id}
    assert vote(voter, world.consultation, p3, code=code, earlier_receipt=second).status_code == 302
    assert chosen() == {p3.id}
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 1


def test_the_refusal_is_in_the_voters_language(app, world):
    p1, *_ = factories.open_voting(world.consultation)
    code, _ = one_code(world)
    assert vote(app.test_client(), world.consultation, p1, code=code).status_code == 302
    other = app.test_client()
    other.post("/language", data={"locale": "ru", "next": "/"})
    page = vote(other, world.consultation, p1, code=code).get_data(as_text=True)
    assert RECEIPT_NEEDED not in page
    assert "квитанци" in page


def test_an_account_keeps_its_one_ballot_across_a_rotation_of_the_vote_key(
    app, world, resident_client
):
    """A link made under the old key is found under it while it is still accepted."""
    p1, p2, *_ = factories.open_voting(world.consultation)
    assert vote(resident_client, world.consultation, p1).status_code == 302
    old = app.config["VOTE_KEY"]
    app.config.update(VOTE_KEY="a new vote key", VOTE_KEY_FALLBACKS=[old])
    page = resident_client.get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert "You have already voted" in page
    assert vote(resident_client, world.consultation, p2).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 1
    assert chosen() == {p2.id}


def test_a_code_ballot_recorded_before_the_connection_dropped_is_kept(app, world, monkeypatch):
    """The server drops the connection after recording the ballot, before answering: the next
    try finds the code's link, and replaces that ballot with the first try's receipt."""
    p1, *_ = factories.open_voting(world.consultation)
    code, _ = one_code(world)
    record = casting._record
    calls = []

    def recorded_then_dropped(*args, **kwargs):
        outcome = record(*args, **kwargs)
        calls.append(outcome)
        if len(calls) == 1:
            raise DBAPIError("COMMIT", {}, Exception("server closed"), connection_invalidated=True)
        return outcome

    monkeypatch.setattr(casting, "_record", recorded_then_dropped)
    voter = app.test_client()
    assert vote(voter, world.consultation, p1, code=code).status_code == 302
    assert [outcome.name for outcome in calls] == ["RECORDED", "REPLACED"]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert db.session.scalar(select(func.count()).select_from(ThrottleEvent)) == 0
    # The receipt shown is the one the link now has.
    receipt = receipt_of(voter, world.consultation)
    monkeypatch.setattr(casting, "_record", record)
    assert (
        vote(voter, world.consultation, p1, code=code, earlier_receipt=receipt).status_code == 302
    )
