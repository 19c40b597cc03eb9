"""Whether this process can serve: the database answers, and its schema is the one the code
expects (the migrations' head). Asked by load balancers at ``/ready``."""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.exc import DBAPIError

from pb.extensions import db, migrate

# Heads of the migrations this code carries, per application: they cannot change while the
# process runs, and reading the migration scripts on every probe would cost more than the probe.
_HEADS = "pb.migration_heads"


def _expected_heads() -> set[str]:
    heads: set[str] | None = current_app.extensions.get(_HEADS)
    if heads is None:
        # Flask-Migrate's Config is Alembic's, subclassed; its type stubs do not say so.
        config = migrate.get_config()
        heads = set(ScriptDirectory.from_config(config).get_heads())  # type: ignore[arg-type]
        current_app.extensions[_HEADS] = heads
    return heads


def problem() -> str | None:
    """None when ready; else "database" (it does not answer) or "migrations" (its schema is
    not the migrations' head: run `flask db upgrade`)."""
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except DBAPIError:
        return "database"
    return None if current == _expected_heads() else "migrations"
