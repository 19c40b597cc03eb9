"""PostgreSQL: pooled connections tested only when they may have gone stale.

A connection the server may have dropped (restarted, an idle timeout, a NAT that forgot it) must
be tested before use. SQLAlchemy's ``pool_pre_ping`` tests every checkout: a round trip per
request. Here a connection is tested only if it sat in the pool for a while
(``PING_AFTER_IDLE_SECONDS``); one given back a moment ago has just worked. A dead one is
replaced before anyone uses it: a ``DisconnectionError`` raised from a checkout handler makes
the pool take another, as SQLAlchemy documents ("Disconnect Handling - Pessimistic", custom
ping). If the server goes away while connections are busy, the statement that meets a dead
connection fails, and SQLAlchemy drops the whole pool.

The pool lends the connection given back last (``pool_use_lifo``): a worker keeps reusing one
warm server process, and the others sit idle until a crowd needs them.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

# A connection back in the pool for less than this has just worked; older ones are tested.
PING_AFTER_IDLE_SECONDS = 2.0

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
