"""PostgreSQL: testing pooled connections only when they may have gone stale, and running a hot
statement without SQLAlchemy's execution machinery.

A connection the server may have dropped (restarted, an idle timeout, a NAT that forgot it) must
be tested before use. SQLAlchemy's ``pool_pre_ping`` tests every checkout: a round trip per
request, which under a crowd of voters costs the workers and the server a good part of what the
vote's own statement costs. Here a connection is tested only if it sat in the pool for a while
(``PING_AFTER_IDLE_SECONDS``); one given back a moment ago has just worked. A dead one is
replaced before anyone uses it (``DisconnectionError`` from a checkout handler makes the pool
take another, as SQLAlchemy documents). If the server goes away while connections are busy, the
statement that meets a dead connection fails; SQLAlchemy then drops the whole pool, and
``Prepared`` (the vote's path) drops it and runs its statement again on a new connection.
"""

from __future__ import annotations

import hashlib
import time
from collections import namedtuple
from datetime import datetime
from typing import Any

import psycopg
from psycopg import generators, pq
from psycopg.adapt import Transformer
from sqlalchemy import event, exc
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ClauseElement

# A connection back in the pool for less than this has just worked; older ones are tested.
PING_AFTER_IDLE_SECONDS = 2.0


# What the engine of a PostgreSQL database is created with (see the module's doc). Last in,
# first out: a worker takes the connection it gave back last, whose server process is warm,
# and the others sit until they are needed. By default the pool takes turns among them all: in
# the vote bench, two runs each, PostgreSQL's CPU per vote was 0.40 and 0.50 ms one vote at a
# time (0.27 and 0.33 last in, first out), 0.39 and 0.45 under load (0.34, 0.42).
ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": False, "pool_use_lifo": True}


def configure(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection: Any, connection_record: Any) -> None:
        connection_record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
        idle_since = connection_record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()  # nothing to undo; ends the transaction the ping began
        except psycopg.Error as error:
            raise exc.DisconnectionError() from error


# PostgreSQL's own placeholders ($1, $2 …, one per name however often it is used). The psycopg
# dialect writes a cast after most of them ($1::INTEGER), so the server knows each one's type.
_DIALECT = psycopg_dialect.dialect(paramstyle="numeric_dollar")


class Prepared:
    """A Core statement compiled once and run on a pooled connection on its own, as a
    server-side prepared statement, outside any transaction: one statement is atomic.

    It goes straight to psycopg's libpq connection (``pgconn``), without a cursor: the values as
    text, typed by the casts the dialect writes after most placeholders ($1::INTEGER) or by
    where they go; the answer read by psycopg's own loaders. The pool gives connections back
    idle (its reset on return is psycopg's rollback, which asks libpq whether a transaction is
    open), so the statement runs and commits on its own. Casting a vote by code, the whole of
    ``cast_with_code`` with its statement and pool checkout, costs a worker 0.09-0.11 ms of CPU
    this way, and cost 0.13-0.20 ms on a psycopg cursor with the connection switched to
    autocommit and back (in process, 2000 votes); through SQLAlchemy's execution the statement
    alone had cost 0.40-0.42 ms.

    Values are converted as SQLAlchemy converts them, by each parameter's type's bind processor
    (enums to their stored strings, aware datetimes to naive UTC), then written as text by
    ``_text``, which refuses what it does not know rather than guess.
    """

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.sql = compiled.string
        # The server knows it by this name on every connection that prepared it.
        self.name = b"pb_" + hashlib.sha256(self.sql.encode()).hexdigest()[:24].encode()
        self.names = compiled.positiontup  # the parameter of $1, $2 …
        self.processors: dict[str, Any] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
            if processor is not None:
                self.processors[name] = processor
        # The values fixed in the statement (a literal phase, say), converted once.
        self.fixed = {name: self._convert(name, value) for name, value in compiled.params.items()}
        # What it answers: a select's columns, or what an insert or update returns.
        self.row = namedtuple("Row", [c.key for c in statement.exported_columns])  # type: ignore[attr-defined]

    def _convert(self, name: str, value: Any) -> Any:
        processor = self.processors.get(name)
        return value if processor is None or value is None else processor(value)

    def one(self, engine: Engine, params: dict[str, Any]) -> Any:
        """The statement's one row. On a connection the server dropped, once more on a new one:
        only for statements that may safely run twice."""
        given = dict(self.fixed)
        for name, value in params.items():
            given[name] = self._convert(name, value)
        values = [_text(given[name]) for name in self.names]
        try:
            found = self._run(engine, values)
        except _Disconnected:
            # The server went away (and, we hope, came back): every pooled connection is
            # suspect, as SQLAlchemy itself judges after a disconnect.
            engine.dispose()
            try:
                found = self._run(engine, values)
            except _Disconnected as again:
                raise again.__cause__ from None
        if len(found) != 1:
            raise LookupError(f"expected one row, found {len(found)}")
        return self.row._make(found[0])

    def _run(self, engine: Engine, values: list[bytes | None]) -> list[tuple[Any, ...]]:
        connection = engine.raw_connection()
        driver = connection.driver_connection
        try:
            # What this connection's server session has prepared; forgotten with the
            # connection (SQLAlchemy empties ``info`` when it drops one).
            prepared = connection.info.setdefault("pb_prepared", set())
            if self.name not in prepared:
                self._prepare(driver)
                prepared.add(self.name)
            result = self._execute(driver, values)
            if _failed_with(result, _NO_SUCH_STATEMENT):
                # psycopg sends DEALLOCATE ALL when a transaction in which it prepared
                # statements of its own is rolled back; ours went with them.
                self._prepare(driver)
                result = self._execute(driver, values)
            if result.status != pq.ExecStatus.TUPLES_OK:
                raise psycopg.errors.error_from_result(result, encoding=driver.info.encoding)
            loader = Transformer(driver)
            loader.set_pgresult(result)
            return loader.load_rows(0, result.ntuples, tuple)
        except psycopg.Error as error:
            if not driver.closed:
                raise
            connection.invalidate()
            raise _Disconnected() from error
        finally:
            connection.close()

    def _prepare(self, driver: psycopg.Connection[Any]) -> None:
        driver.pgconn.send_prepare(self.name, self.sql.encode())
        result = driver.wait(generators.execute(driver.pgconn))[-1]
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise psycopg.errors.error_from_result(result, encoding=driver.info.encoding)

    def _execute(self, driver: psycopg.Connection[Any], values: list[bytes | None]) -> Any:
        driver.pgconn.send_query_prepared(self.name, values)
        return driver.wait(generators.execute(driver.pgconn))[-1]


_NO_SUCH_STATEMENT = b"26000"  # SQLSTATE invalid_sql_statement_name


def _failed_with(result: Any, sqlstate: bytes) -> bool:
    return (
        result.status == pq.ExecStatus.FATAL_ERROR
        and result.error_field(pq.DiagnosticField.SQLSTATE) == sqlstate
    )


def _text(value: Any) -> bytes | None:
    """A value in PostgreSQL's text form, for the kinds of values pb's prepared statements take."""
    if value is None:
        return None
    if isinstance(value, bool):  # before int: a bool is an int
        return b"t" if value else b"f"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, str):
        return str.encode(value)  # an enum of strings as its value, like a plain string
    if isinstance(value, datetime):
        return value.isoformat().encode()
    if isinstance(value, (list, tuple)) and all(type(item) is int for item in value):
        return ("{" + ",".join(map(str, value)) + "}").encode()
    raise TypeError(f"pb.postgres.Prepared cannot send a {type(value).__name__}")


class _Disconnected(Exception):
    pass
