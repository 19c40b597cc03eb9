"""Marks on the roll name the person by a digest keyed with the vote key, never by her roll
entry's id: the desk, the vote and the turnout find them with the key."""

import re

from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Ballot, Channel, Electorate, RollMark
from pb.roll import marks
from pb.roll.turnout import _marked
from pb.voting import voters
from tests import factories


def on_roll(world, **settings):
    world.consultation.electorate = Electorate.ROLL
    return factories.open_voting(world.consultation, **settings)


def vote(client, consultation, proposal):
    return client.post(f"/c/{consultation.id}/vote", data={"choice": [str(proposal.id)]})


def hand_out(officer_client, consultation, entry, way):
    return officer_client.post(f"/c/{consultation.id}/desk/{entry.id}/{way}")


def test_no_mark_holds_the_person_or_her_account(app, world, officer_client, resident_client):
    p1, *_ = on_roll(world)
    online = factories.make_roll_entry(world.municipality, user=world.resident)
    slip = factories.make_roll_entry(world.municipality, full_name="Бакытова Нургүл")
    paper = factories.make_roll_entry(world.municipality, full_name="Осмонов Талант")
    assert vote(resident_client, world.consultation, p1).status_code == 302
    assert hand_out(officer_client, world.consultation, slip, "code").status_code == 302
    assert hand_out(officer_client, world.consultation, paper, "paper").status_code == 302
    assert {c.name for c in RollMark.__table__.columns} == {
        "consultation_id",
        "entry_digest",
        "channel",
    }
    rows = db.session.execute(select(RollMark.__table__)).mappings().all()
    assert len(rows) == 3
    values = [v for row in rows for name, v in row.items() if name != "consultation_id"]
    for named in (online.id, slip.id, paper.id, world.resident.id):
        assert named not in values and str(named) not in values
    cid = world.consultation.id
    assert {row["entry_digest"] for row in rows} == {
        voters.entry_mark(cid, entry.id) for entry in (online, slip, paper)
    }
    # The desk and the turnout, which hold the key, still find who is marked and how.
    everyone = [online, slip, paper]
    expected = {online.id: Channel.ONLINE, slip.id: Channel.CODE, paper.id: Channel.PAPER}
    assert marks.marks_of(world.consultation, everyone) == expected
    assert _marked(everyone, world.consultation) == expected
    assert marks.mark_counts(world.consultation).total == 3


def test_the_vote_by_the_roll_costs_no_more_statements(app, world, resident_client, count_queries):
    """The mark's digest is made from the entry loaded with the account, in the account's own
    query: a vote on the roll reads and writes the roll as it did when marks held the entry's
    id. SQLite: her entry and its mark read in one statement, the mark written in another;
    PostgreSQL: both in the vote's one statement, which writes her link too."""
    p1, *_ = on_roll(world)
    factories.make_roll_entry(world.municipality, user=world.resident)
    with count_queries() as counter:
        assert vote(resident_client, world.consultation, p1).status_code == 302
    loader = [s for s in counter.statements if s.startswith("SELECT users.")]
    assert loader and all("JOIN roll_entries" in s for s in loader)
    on_roll_statements = [
        s
        for s in counter.statements
        if re.search(r"\broll_(entries|marks)\b", s) and s not in loader
    ]
    if db.engine.dialect.name == "postgresql":
        (statement,) = on_roll_statements
        assert "INSERT INTO voter_links" in statement
    else:
        assert len(on_roll_statements) == 2
        assert on_roll_statements[1].startswith("INSERT INTO roll_marks")


def test_marks_made_under_an_older_vote_key_still_count(
    app, world, officer_client, resident_client
):
    p1, p2, *_ = on_roll(world)
    hers = factories.make_roll_entry(world.municipality, user=world.resident)
    slip = factories.make_roll_entry(world.municipality, full_name="Бакытова Нургүл")
    assert vote(resident_client, world.consultation, p1).status_code == 302
    assert hand_out(officer_client, world.consultation, slip, "code").status_code == 302
    old = app.config["VOTE_KEY"]
    app.config.update(VOTE_KEY="a new vote key", VOTE_KEY_FALLBACKS=[old])
    # The desk is told she has her slip, and refuses a second one or a paper ballot.
    response = hand_out(officer_client, world.consultation, slip, "paper")
    assert "Already received a code slip" in officer_client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    # The resident changes her ballot: still one ballot, one link, one mark each.
    assert vote(resident_client, world.consultation, p2).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert db.session.scalar(select(func.count()).select_from(RollMark)) == 2
    assert marks.marks_of(world.consultation, [hers, slip]) == {
        hers.id: Channel.ONLINE,
        slip.id: Channel.CODE,
    }
    assert marks.standing(world.consultation, world.resident) is marks.Standing.MAY_VOTE
