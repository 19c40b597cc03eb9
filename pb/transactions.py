"""When a request's transaction takes SQLite's write lock.

On SQLite every transaction begins IMMEDIATE, taking the database's single write lock at its
first statement: a request that reads and then writes cannot then fail halfway because another
wrote in between (see ``pb.sqlite``). The price is that such a request holds the lock
while it does everything else, and concurrent writers queue for all of it.

The vote, pb's one hot path, instead declares ``reads_first()``: its checks (the consultation,
the ballot's costs, the code) run in a plain read transaction, which WAL lets run alongside a
writer; ``begin_writing()`` ends it, and the writes then run in a short IMMEDIATE transaction,
which must check again whatever could have changed in between (the phase). On PostgreSQL
nothing changes: row locks do that work there.
"""
from __future__ import annotations

from flask import g, has_request_context

from pb.extensions import db


def reads_first() -> None:
    """This request reads before it writes: its first transaction takes no write lock."""
    g.pb_reads_first = True


def begin_writing() -> None:
    """End the read transaction (on SQLite), so the next one takes the write lock at once."""
    if has_request_context() and g.get("pb_reads_first"):
        g.pb_reads_first = False
        if db.engine.dialect.name == "sqlite":
            db.session.commit()


def takes_write_lock() -> bool:
    """Whether a transaction beginning now should take SQLite's write lock at once."""
    return not (has_request_context() and g.get("pb_reads_first"))
