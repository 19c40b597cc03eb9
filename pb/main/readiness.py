"""Whether this process can serve: the database answers, and its schema is the one the code
expects (the migrations' head). Asked by load balancers at ``/ready``."""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.exc import DBAPIError

from pb import keys
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
    """None when ready; else "database" (it does not answer), "migrations" (its schema is
    not the migrations' head: run `flask db upgrade`) or "keys" (this host's VOTE_KEY is not
    the one the site's other hosts use: ``pb.keys``)."""
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except DBAPIError:
        return "database"
    if current != _expected_heads():
        return "migrations"
    try:
        # Asked afresh on every probe: another host may have rotated the site's key.
        shared = keys.keys_shared(fresh=True)
    except DBAPIError:
        return "database"
    finally:
        db.session.close()  # the probe's connection back to the pool at once
    return None if shared else "keys"
