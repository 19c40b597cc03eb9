"""The anonymous ballots' .pb file is written once, when the count is final, and every download
sends it as stored: nothing is counted again per download."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pb.counting.pabulib import parse_pb
from pb.extensions import db
from pb.models import Ballot, Channel, CountedResult, Phase, StoredFile
from pb.results import exports
from pb.results.ballots_file import write_ballots_file
from pb.results.counting import count_and_store
from tests import factories


def _vote(consultation, proposals, ballots=12):
    for number in range(ballots):
        ballot = Ballot(consultation_id=consultation.id, channel=Channel.PAPER)
        ballot.choices = {proposals[number % 3].id: 1}
        db.session.add(ballot)
    db.session.commit()


def _same_file(one: str, other: str) -> bool:
    first, second = parse_pb(one), parse_pb(other)
    ballots = [sorted(sorted(b.items()) for b in e.ballots) for e in (first, second)]
    return (first.meta, first.projects, first.project_meta) == (
        second.meta,
        second.projects,
        second.project_meta,
    ) and ballots[0] == ballots[1]


def _move(client, consultation, expected):
    response = client.post(
        f"/c/{consultation.id}/phase",
        data={"direction": "advance", "expected": expected, "confirm": "yes", "reason": "Test."},
    )
    assert response.status_code == 302
    db.session.refresh(consultation)


def test_closing_writes_the_file_and_downloads_send_it_as_stored(
    app, officer_client, world, monkeypatch
):
    c = world.consultation
    _vote(c, factories.open_voting(c))
    written = exports.ballots_pb(c)  # what the file must hold, from the same ballots
    _move(officer_client, c, "voting")
    assert c.phase == Phase.CLOSED
    stored = db.session.scalars(select(CountedResult)).one()
    assert stored.ballots_file_id is not None
    kept = db.session.get(StoredFile, stored.ballots_file_id)
    assert kept.size == len(written.encode())

    def no_recount(*args, **kwargs):
        raise AssertionError("a download counted the ballots again")

    monkeypatch.setattr(exports, "ballots_pb", no_recount)
    monkeypatch.setattr(exports, "build_election", no_recount)
    for client in (officer_client, None):
        if client is None:
            _move(officer_client, c, "closed")  # published: anyone may download
            client = app.test_client()
        response = client.get(f"/c/{c.id}/export/ballots.pb")
        assert response.status_code == 200
        assert response.headers["Content-Length"] == str(kept.size)
        assert 'filename="pb-' in response.headers["Content-Disposition"]
        # The same file, but for the ballots' order, which the close shuffled.
        assert _same_file(response.get_data(as_text=True), written)
    # Publishing kept the file written at close.
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1


@pytest.mark.parametrize("published", [False, True])
def test_a_consultation_closed_by_an_older_pb_gets_its_file_at_publication(
    app, officer_client, world, published
):
    c = world.consultation
    _vote(c, factories.open_voting(c))
    c.phase = Phase.CLOSED  # as an older pb left it: neither count nor file stored
    db.session.commit()
    expected = exports.ballots_pb(c)
    response = officer_client.get(f"/c/{c.id}/export/ballots.pb")
    assert response.get_data(as_text=True) == expected
    # The download wrote nothing: pages only read.
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    if published:
        _move(officer_client, c, "closed")
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1
        response = app.test_client().get(f"/c/{c.id}/export/ballots.pb")
        assert response.get_data(as_text=True) == expected


def test_a_recount_drops_the_file_of_the_count_before(app, world):
    c = world.consultation
    _vote(c, factories.open_voting(c))
    c.phase = Phase.CLOSED
    stored = count_and_store(c)
    write_ballots_file(c)
    assert stored.ballots_file_id is not None
    c.counting_rule = "equal-shares" if c.counting_rule == "greedy" else "greedy"
    assert count_and_store(c).ballots_file_id is None
