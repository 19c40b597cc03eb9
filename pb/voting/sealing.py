"""Sealing the ballots when voting closes, in a few set-based statements.

What sealing must leave (pb.voting.services.seal_ballots says why): the receipts copied in random
order, the voter links deleted, the printed codes erased, the voters' details counted and
dropped, and the ballots rewritten under new random ids with their rows, physical order
included, in an order that says nothing of the order they were cast in.

A city's close holds 150,000 ballots: read into Python and written back row by row, that took
20 to 150 s, past any request's time. Here the database copies them itself: on PostgreSQL one
statement deletes the ballots and writes what they held again under new ids ordered by those
ids, so rows land in the order of ids that are random, not in the order they were cast; on
SQLite a temporary table maps old ids to new ones for an INSERT ... SELECT and a DELETE. The
randomness is strong either way: on PostgreSQL the new ids are drawn in the database by
``gen_random_uuid()`` (pg_strong_random, the operating system's generator); elsewhere by
``secrets`` in Python, sent in one executemany. Everything runs on the session's connection,
inside the transaction that closes voting.

A ballot keeps its choices in its own row (``pb.models.voting.ChoicesText``): one row per
ballot to write and delete. When each choice was a row of its own, sealing wrote and deleted
four or five times as many rows, each checking its foreign keys one by one in PostgreSQL's
triggers: 51 s for 100,000 ballots, against the 10 s a city's 150,000 must take (issue 18).
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
from pb.models import Ballot, Receipt, VoterLink, VotingCode
from pb.models.voting import new_ballot_id

# Which old ballot gets which new id, on SQLite: temporary, so it is the closing connection's
# own, and gone with the transaction (dropped at the end, and undone with a rollback).
_NEW_IDS = Table(
    "pb_sealing_ballot_ids",
    MetaData(),
    Column("old_id", String(32), primary_key=True),
    Column("new_id", String(32), nullable=False, unique=True),
    prefixes=["TEMPORARY"],
)


def _random_hex_in_postgresql() -> ColumnElement[str]:
    """32 random hexadecimal digits, as ``new_ballot_id()`` makes them, drawn by PostgreSQL.

    A version 4 UUID holds 122 random bits, but its version and variant digits would mark every
    sealed ballot's id; its SHA-256 digest, cut to 32 digits, has the other ids' very format
    and all of the UUID's randomness. One UUID per row: the digest costs less than drawing
    four UUIDs for eight random digits each."""
    drawn = func.convert_to(cast(func.gen_random_uuid(), String), "UTF8")
    return func.substr(func.encode(func.sha256(drawn), "hex"), 1, 32, type_=String)


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


_COPIED = ["consultation_id", "channel", "meeting_id", "choices"]


def _rewrite_ballots(connection: Connection, consultation_id: int, postgresql: bool) -> None:
    """Each ballot written again under a new random id, without its voter's details, and the
    old rows deleted. Written in the order of the new ids: random, so the rows' physical order
    (PostgreSQL's heap, SQLite's rowids) is as random as the ids."""
    ballots = Ballot.consultation_id == consultation_id
    copied = [Ballot.__table__.c[name] for name in _COPIED]
    if postgresql:
        # One statement: the old rows deleted, and what they held written again. No map of
        # old ids to new ones is needed, since nothing else points at a ballot any more.
        old = delete(Ballot).where(ballots).returning(*copied).cte("old")
        drawn = _random_hex_in_postgresql().label("new_id")
        connection.execute(
            insert(Ballot)
            .from_select(
                ["id", *_COPIED],
                select(drawn, *(old.c[name] for name in _COPIED)).order_by(drawn),
            )
            .add_cte(old)
        )
        return
    # SQLite has no DELETE inside a WITH: a temporary map of old ids to new ones instead.
    _NEW_IDS.create(connection)
    old_ids = list(connection.scalars(select(Ballot.id).where(ballots)))
    if old_ids:
        connection.execute(
            insert(_NEW_IDS), [{"old_id": old, "new_id": new_ballot_id()} for old in old_ids]
        )
    new_id, old_id = _NEW_IDS.c.new_id, _NEW_IDS.c.old_id
    connection.execute(
        insert(Ballot).from_select(
            ["id", *_COPIED],
            select(new_id, *copied).join(_NEW_IDS, old_id == Ballot.id).order_by(new_id),
        )
    )
    connection.execute(delete(Ballot).where(Ballot.id.in_(select(old_id))))
    _NEW_IDS.drop(connection)
