"""Sealing the ballots when voting closes, in a few set-based statements.

What sealing must leave (pb.voting.services.seal_ballots says why): the receipts copied in random
order, the voter links deleted, the printed codes erased, the voters' details counted and
dropped, and the ballots rewritten under new random ids with their rows, physical order
included, in an order that says nothing of the order they were cast in.

A city's close holds 150,000 ballots and their choices: read into Python and written back row
by row, that took 20 to 150 s, past any request's time. Here the database copies them itself:
a temporary table maps each old id to a new random id, and one INSERT ... SELECT per table writes
the ballots and their choices again ordered by the new id, so rows land in the order of ids
that are random, not in the order they were cast. The randomness is strong either way: on
PostgreSQL the new ids are drawn in the database by ``gen_random_uuid()`` (pg_strong_random, the
operating system's generator); elsewhere by ``secrets`` in Python, sent in one executemany.
Everything runs on the session's connection, inside the transaction that closes voting.

On PostgreSQL most of what remains is the foreign keys' own triggers, one call per row written
or deleted (each choice checks its ballot and its proposal; each deleted ballot looks for its
choices and links): about two thirds of the time, measured. They stay: dropping or deferring
the constraints would lock the shared tables, and with them every other consultation's voting.
"""

from __future__ import annotations

import random

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    String,
    Table,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from pb.extensions import db
from pb.models import Ballot, BallotChoice, Receipt, VoterLink, VotingCode
from pb.models.voting import new_ballot_id

# Which old ballot gets which new id: temporary, so it is the closing connection's own, never
# in PostgreSQL's write-ahead log, and gone with the transaction (ON COMMIT DROP; dropped at
# the end anyway, and undone with a rollback on both databases).
_NEW_IDS = Table(
    "pb_sealing_ballot_ids",
    MetaData(),
    Column("old_id", String(32), primary_key=True),
    Column("new_id", String(32), nullable=False, unique=True),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def _random_hex_in_postgresql() -> ColumnElement[str]:
    """32 random hexadecimal digits, as ``new_ballot_id()`` makes them, drawn by PostgreSQL.

    A version 4 UUID is random but for its version and variant digits; its first 8 digits are
    all random, so four UUIDs give 128 random bits in the very format of the other ids (the
    version digit would otherwise mark every sealed ballot's id)."""
    part = func.substr(cast(func.gen_random_uuid(), String), 1, 8)
    # Written out four times, so four calls: each part from a UUID of its own.
    return func.concat(part, part, part, part, type_=String)


def seal(consultation_id: int) -> None:
    """Cut every tie between voters and ballots (the caller has counted the voters' details:
    they are dropped here). Runs inside the transaction that closes voting."""
    db.session.flush()
    connection = db.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        # The joins and sorts below hold a few hundred thousand rows: in memory, not spilled
        # to disk in 4 MB runs (the default). For this transaction only.
        connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    _keep_receipts(connection, consultation_id, postgresql)
    connection.execute(delete(VoterLink).where(VoterLink.consultation_id == consultation_id))
    connection.execute(
        update(VotingCode).where(VotingCode.consultation_id == consultation_id).values(plain=None)
    )
    _rewrite_ballots(connection, consultation_id, postgresql)


def _keep_receipts(connection: Connection, consultation_id: int, postgresql: bool) -> None:
    """Copy the receipts in random order: their ids must not follow the order of the links,
    which is the order ballots were first cast."""
    links = VoterLink.consultation_id == consultation_id
    if postgresql:
        connection.execute(
            insert(Receipt).from_select(
                ["consultation_id", "digest"],
                select(VoterLink.consultation_id, VoterLink.receipt_digest)
                .where(links)
                .order_by(func.gen_random_uuid()),
            )
        )
        return
    digests = list(connection.scalars(select(VoterLink.receipt_digest).where(links)))
    random.SystemRandom().shuffle(digests)
    if digests:
        connection.execute(
            insert(Receipt), [{"consultation_id": consultation_id, "digest": d} for d in digests]
        )


def _rewrite_ballots(connection: Connection, consultation_id: int, postgresql: bool) -> None:
    _NEW_IDS.create(connection)
    ballots = Ballot.consultation_id == consultation_id
    if postgresql:
        connection.execute(
            insert(_NEW_IDS).from_select(
                ["old_id", "new_id"], select(Ballot.id, _random_hex_in_postgresql()).where(ballots)
            )
        )
        # Fresh statistics, so the joins below are planned for its real size.
        connection.exec_driver_sql(f"ANALYZE {_NEW_IDS.name}")
    else:
        old_ids = list(connection.scalars(select(Ballot.id).where(ballots)))
        if old_ids:
            connection.execute(
                insert(_NEW_IDS), [{"old_id": old, "new_id": new_ballot_id()} for old in old_ids]
            )
    new_id, old_id = _NEW_IDS.c.new_id, _NEW_IDS.c.old_id
    # Written in the order of the new ids: random, so the rows' physical order (PostgreSQL's
    # heap, SQLite's rowids) is as random as the ids. The voters' details are not copied.
    connection.execute(
        insert(Ballot).from_select(
            ["id", "consultation_id", "channel", "meeting_id"],
            select(new_id, Ballot.consultation_id, Ballot.channel, Ballot.meeting_id)
            .join(_NEW_IDS, old_id == Ballot.id)
            .order_by(new_id),
        )
    )
    connection.execute(
        insert(BallotChoice).from_select(
            ["ballot_id", "proposal_id", "points"],
            select(new_id, BallotChoice.proposal_id, BallotChoice.points)
            .join(_NEW_IDS, old_id == BallotChoice.ballot_id)
            .order_by(new_id, BallotChoice.proposal_id),
        )
    )
    old = select(old_id)
    connection.execute(delete(BallotChoice).where(BallotChoice.ballot_id.in_(old)))
    connection.execute(delete(Ballot).where(Ballot.id.in_(old)))
    _NEW_IDS.drop(connection)
