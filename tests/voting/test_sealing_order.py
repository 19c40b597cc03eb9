"""Sealing shuffles: after close, neither the ballots' ids, nor the rows' physical order, nor
the receipts' order follows the order ballots were cast in (pb.voting.sealing)."""

from __future__ import annotations

import secrets

from flask.testing import FlaskClient
from sqlalchemy import insert, select, text

from pb.extensions import db
from pb.models import Ballot, Channel, Receipt, VoterLink
from pb.models.voting import new_ballot_id
from tests import factories
from tests.voting.test_secrecy import close

BALLOTS = 300
# Each ballot chooses a subset of these proposals of its own, so it can be told after close.
PROPOSALS = 9
# |Spearman's rho| of a random order is about 1/sqrt(BALLOTS - 1) = 0.058: 0.3 is over five
# times that (a false alarm less often than once in ten million runs), and any ordering that
# follows the cast order, or its reverse, is near 1.
LIMIT = 0.3


def rank_correlation(order: list[int]) -> float:
    """Spearman's rho between positions 0..n-1 and the cast ranks ``order`` lists."""
    n = len(order)
    squares = sum((position - rank) ** 2 for position, rank in enumerate(order))
    return 1 - 6 * squares / (n * (n * n - 1))


def physical_order() -> str:
    """How to read a table's rows in the order they lie in the database's files."""
    return "ctid" if db.engine.dialect.name == "postgresql" else "rowid"


def test_sealing_leaves_no_order_of_casting_in_ids_rows_or_receipts(
    officer_client: FlaskClient, world: factories.World
) -> None:
    proposals = factories.open_voting(world.consultation, costs=(10_000,) * PROPOSALS)
    ids = [p.id for p in proposals]
    # Cast one by one, in order: ballot k chooses the proposals of the bits of k + 1, and its
    # receipt is its own (cast order is what the receipts' order must not tell either).
    receipt_rank: dict[str, int] = {}
    for k in range(BALLOTS):
        ballot_id = new_ballot_id()
        chosen = {pid: 1 for bit, pid in enumerate(ids) if (k + 1) >> bit & 1}
        db.session.execute(
            insert(Ballot),
            [
                {
                    "id": ballot_id,
                    "consultation_id": world.consultation.id,
                    "channel": Channel.CODE,
                    "choices": chosen,
                }
            ],
        )
        receipt = secrets.token_hex(32)
        receipt_rank[receipt] = k
        db.session.execute(
            insert(VoterLink),
            [
                {
                    "consultation_id": world.consultation.id,
                    "voter_digest": secrets.token_hex(32),
                    "ballot_id": ballot_id,
                    "receipt_digest": receipt,
                }
            ],
        )
    db.session.commit()

    close(officer_client, world.consultation)

    rank_of_choices = {
        frozenset(pid for bit, pid in enumerate(ids) if (k + 1) >> bit & 1): k
        for k in range(BALLOTS)
    }
    rank = {
        ballot_id: rank_of_choices[frozenset(choices)]
        for ballot_id, choices in db.session.execute(select(Ballot.id, Ballot.choices))
    }
    assert len(rank) == BALLOTS

    by_id = [rank[b] for b in sorted(rank)]
    in_rows = [
        rank[b]
        for b in db.session.scalars(text(f"SELECT id FROM ballots ORDER BY {physical_order()}"))
    ]
    receipts = [
        receipt_rank[d] for d in db.session.scalars(select(Receipt.digest).order_by(Receipt.id))
    ]
    for what, order in (
        ("ballot ids", by_id),
        ("ballot rows", in_rows),
        ("receipts", receipts),
    ):
        assert sorted(order) == list(range(BALLOTS)), what
        assert abs(rank_correlation(order)) < LIMIT, f"{what} follow the order of casting"


def test_the_check_sees_an_order_that_follows_casting() -> None:
    # The measure used above, shown able to fail: a kept order, a reversed one, a slipped one.
    assert rank_correlation(list(range(BALLOTS))) == 1
    assert rank_correlation(list(reversed(range(BALLOTS)))) == -1
    assert rank_correlation([k ^ 1 for k in range(BALLOTS)]) > LIMIT  # neighbours swapped
