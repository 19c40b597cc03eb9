"""SQLite for development and small installations, made to behave under concurrent requests.

pysqlite's own transaction handling begins transactions late and breaks SAVEPOINTs. SQLAlchemy
documents how to take it over (the pysqlite dialect's "Serializable isolation / Savepoints /
Transactional DDL" recipe): pysqlite emits no BEGIN of its own, and SQLAlchemy's ``begin``
event emits it. pb's choices on top:

- The journal is WAL, so readers and the one writer do not block each other.
- A transaction begun while a request that only reads is served (GET, HEAD, OPTIONS) is a
  plain, deferred BEGIN: it takes no lock, so every page stays readable while an import or a
  close writes. Any other transaction (a form sent, a command) begins IMMEDIATE and takes the
  write lock at once: in WAL a reader cannot become a writer once another has written since it
  began, so a request that reads and then writes would otherwise fail halfway.
- A writer waits for the lock up to ``BUSY_TIMEOUT_MS`` (SQLite's busy timeout).
- Foreign keys are enforced, as on PostgreSQL.
- Every connection knows the Kyrgyz collation and the folding of search (``pb.collation``).
- A database file pb creates is its owner's only (0600), and so are its ``-wal`` and ``-shm``
  files, which SQLite gives the database file's permissions: the file holds the accounts'
  password hashes and, until close, the links to voters.

An in-memory database (the test suite's) is one shared connection and keeps pysqlite's ways.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url

from pb import collation

BUSY_TIMEOUT_MS = 30_000

# Requests that only read: their transactions take no lock.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _in_memory(url: Any) -> bool:
    return make_url(url).database in (None, "", ":memory:")


# A database file cannot drop the connection the way a server can: testing each connection
# before use (a query per request) would buy nothing.
ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": False}


def create_owner_only(path: str) -> None:
    """Create the empty file ``path`` readable and writable by its owner only, unless it
    exists. SQLite opens an empty file as a new database; left to itself it would create the
    file with the process's umask, world-readable on most systems."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def configure(engine: Engine) -> None:
    """Pragmas on every new connection, and transactions begun by SQLAlchemy (see above)."""
    in_memory = _in_memory(engine.url)
    database = engine.url.database
    if database and not in_memory and not engine.url.query.get("uri"):

        @event.listens_for(engine, "do_connect")
        def on_do_connect(dialect: Any, conn_rec: Any, cargs: Any, cparams: Any) -> None:
            # Before SQLite opens (and would create) the file, on every new connection: a
            # database removed while pb runs is created again owner-only too.
            create_owner_only(database)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        collation.register(dbapi_connection)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            # pysqlite emits no BEGIN; on_begin below does.
            dbapi_connection.isolation_level = None
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    if in_memory:
        return

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN" if only_reads() else "BEGIN IMMEDIATE")


def only_reads() -> bool:
    """Whether the work under way is a request that only reads."""
    return has_request_context() and request.method in READING_METHODS
