"""SQLite for development and small installations, made to behave under concurrent writers.

pysqlite's own transaction handling breaks SAVEPOINTs and starts write transactions late, so two
requests that both read and then write fail with "database is locked". We take over: every
transaction begins IMMEDIATE, taking the database's one write lock at once, so a request that
reads and then writes cannot fail halfway because another wrote in between; the journal is WAL
(readers outside pb do not block the writer), and foreign keys are enforced as on PostgreSQL. An
in-memory database (the test suite's) is one shared connection and keeps pysqlite's ways.

Writers queue at a gate. SQLite has one write lock, and a writer that finds it taken polls:
SQLite's busy handler sleeps 1 ms, 2 ms, 5 ms … between tries, though the holder (a vote) keeps
it for a few tenths of a millisecond. Under a crowd of voters a fifth of the workers' time went
to such sleeps. So before BEGIN IMMEDIATE each connection takes an exclusive OS file lock
beside the database (``<database>-writers.lock``) and holds it until its transaction ends; the
kernel hands it to the next writer the moment it is free. SQLite's own lock and its 30-second
busy timeout still guard against writers that do not use the gate (the sqlite3 shell, say).
Where the OS has no ``flock`` (Windows), writers simply use SQLite's waiting.

A hot path may run its statements as ``Prepared``: compiled once, then run on the DBAPI
connection of the transaction under way, without SQLAlchemy's execution machinery.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import namedtuple
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.sqlite import DATETIME
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.sql import ClauseElement

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

BUSY_TIMEOUT_MS = 30_000

# How many gates each thread holds: a thread that already holds one (through another
# connection) must not wait for a second, or it would wait for itself forever.
_held = threading.local()


class GatedConnection(sqlite3.Connection):
    """A pysqlite connection whose write transactions pass the writers' gate first."""

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._gate = open(f"{database}-writers.lock", "ab") if fcntl is not None else None  # noqa: SIM115
        self._holding = False

    def begin_immediate(self) -> None:
        if self._gate is not None and not getattr(_held, "count", 0):
            fcntl.flock(self._gate, fcntl.LOCK_EX)
            self._holding = True
            _held.count = 1
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()
            if self._gate is not None:
                self._gate.close()

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            _held.count = 0
            fcntl.flock(self._gate, fcntl.LOCK_UN)


def _in_memory(url: Any) -> bool:
    return make_url(url).database in (None, "", ":memory:")


def engine_options(uri: str) -> dict[str, Any]:
    """What the engine of a SQLite database at ``uri`` is created with."""
    # A database file cannot drop the connection the way a server can: testing each
    # connection before use (a query per request) would buy nothing.
    options: dict[str, Any] = {"pool_pre_ping": False}
    if not _in_memory(uri):
        options["connect_args"] = {"factory": GatedConnection}
    return options


def configure(engine: Any) -> None:
    """Pragmas on every new connection, and transactions begun by pb (see the module's doc)."""
    in_memory = _in_memory(engine.url)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            dbapi_connection.isolation_level = None
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    if in_memory:
        return

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        if isinstance(dbapi_connection, GatedConnection):
            dbapi_connection.begin_immediate()
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


# pysqlite takes named parameters as well as its default "?" ones; a dict is clearer.
_NAMED = sqlite_dialect(paramstyle="named")
_STORED_DATETIME = DATETIME().bind_processor(_NAMED)


class Prepared:
    """A Core statement compiled once, run on the DBAPI connection of a SQLAlchemy connection's
    transaction (which began as every transaction here does, IMMEDIATE behind the gate).

    Through SQLAlchemy a statement costs some 60 microseconds of Python, ten times what SQLite
    itself does for a one-row insert; a vote runs five or six. Values go to pysqlite as they
    are, but for datetimes, stored as SQLAlchemy stores them (text that sorts as time); enums
    here are ``StrEnum``, stored as their values, which is what they are as text.
    """

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_NAMED)
        self.sql = compiled.string
        # Every parameter, with the values fixed in the statement (a literal True, say).
        self.fixed = dict(compiled.params)
        columns = getattr(statement, "selected_columns", None)
        self.row = namedtuple("Row", [c.key for c in columns]) if columns is not None else None

    def _values(self, params: dict[str, Any]) -> dict[str, Any]:
        values = {**self.fixed, **params}
        for name, value in values.items():
            if isinstance(value, datetime):
                values[name] = _STORED_DATETIME(value)
        return values

    def run(self, connection: Connection, params: dict[str, Any]) -> sqlite3.Cursor:
        return connection.connection.driver_connection.execute(self.sql, self._values(params))

    def run_many(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        connection.connection.driver_connection.executemany(
            self.sql, [self._values(row) for row in rows]
        )

    def one(self, connection: Connection, params: dict[str, Any]) -> Any:
        found = self.run(connection, params).fetchall()
        if len(found) != 1:
            raise LookupError(f"expected one row, found {len(found)}")
        return self.row._make(found[0])
