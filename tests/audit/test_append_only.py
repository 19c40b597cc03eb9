"""The database refuses to change or delete an audit entry, and `audit verify` finds what was
changed behind its back; appenders racing keep one chain."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from pb.audit import trail
from pb.extensions import db
from pb.models import AuditEntry, User
from pb.models.audit import POSTGRESQL_TRIGGERS, SQLITE_TRIGGERS
from tests import factories
from tests.voting.test_races import shared_app  # noqa: F401  (a fixture)


def add_entries(world: factories.World, n: int) -> None:
    for i in range(n):
        trail.record(
            world.officer,
            "contacts.save",
            municipality_id=world.municipality.id,
            target=("municipality", world.municipality.id),
            after={"office": f"Room {i}"},
        )
    db.session.commit()


@contextmanager
def triggers_dropped() -> Iterator[None]:
    """As someone with the database's own rights could: the triggers off, then back."""
    postgres = db.engine.dialect.name == "postgresql"
    on = " ON audit_entries" if postgres else ""
    with db.engine.begin() as connection:
        for name in ("audit_entries_no_update", "audit_entries_no_delete"):
            connection.execute(text(f"DROP TRIGGER {name}{on}"))
    try:
        yield
    finally:
        with db.engine.begin() as connection:
            for statement in POSTGRESQL_TRIGGERS if postgres else SQLITE_TRIGGERS:
                connection.execute(text(statement))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET actor_name = 'someone else'",
        "UPDATE audit_entries SET after = NULL WHERE id = 1",
        "DELETE FROM audit_entries WHERE id = 1",
        "DELETE FROM audit_entries",
    ],
)
def test_the_database_refuses_to_change_or_delete_entries(app, world, statement):
    add_entries(world, 2)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 2
    assert db.session.get(AuditEntry, 1).actor_name == world.officer.display_name
    assert trail.verify().ok


def test_the_orm_cannot_change_an_entry_either(app, world):
    add_entries(world, 1)
    entry = db.session.get(AuditEntry, 1)
    entry.action = "phase.advance"
    with pytest.raises(DBAPIError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, 1))
    with pytest.raises(DBAPIError):
        db.session.commit()
    db.session.rollback()
    assert trail.verify().ok


def test_verify_passes_on_an_intact_chain(app, world, runner):
    add_entries(world, 3)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "3 audit entries checked" in result.output
    assert db.session.get(AuditEntry, 3).digest in result.output


def test_verify_on_an_empty_trail(app, runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "0 audit entries" in result.output


def test_verify_names_the_entry_that_was_changed(app, world, runner):
    add_entries(world, 4)
    with triggers_dropped(), db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET actor_name = 'Nobody' WHERE id = 3"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "2 audit entries are intact; entry #3 is broken" in result.output
    assert "changed" in result.output


def test_verify_finds_an_entry_deleted_from_the_middle(app, world, runner):
    add_entries(world, 4)
    with triggers_dropped(), db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entries WHERE id = 2"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry #3 is broken" in result.output


def test_verify_finds_an_entry_inserted_out_of_chain(app, world, runner):
    add_entries(world, 2)
    forged = AuditEntry(
        id=3,
        at=db.session.get(AuditEntry, 2).at,
        actor_id=world.admin.id,
        actor_name="Forger",
        municipality_id=world.municipality.id,
        action="staff.appoint",
        target_type="membership",
        target_id="1",
        prev_digest="0" * 64,
    )
    forged.digest = trail.digest_of(forged)
    db.session.add(forged)
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry #3 is broken" in result.output and "does not follow" in result.output


def test_verify_finds_a_renumbered_entry(app, world, runner):
    add_entries(world, 2)
    with triggers_dropped(), db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET id = 7 WHERE id = 2"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "entry #7 is broken" in result.output


def test_truncating_for_the_tests_is_not_blocked(app, world):
    # The suite empties PostgreSQL's tables with TRUNCATE, which row triggers do not see.
    add_entries(world, 1)
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_entries"))
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


THREADS = 8
EACH = 5


def test_concurrent_appends_keep_one_chain(shared_app):  # noqa: F811
    world = factories.build_world()
    officer_id, municipality_id = world.officer.id, world.municipality.id
    db.session.close()
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def append(n: int) -> None:
        with shared_app.app_context():
            try:
                officer = db.session.get_one(User, officer_id)
                # Ends the reading transaction: on SQLite it holds the write lock (a command's
                # transactions begin IMMEDIATE), and the others would wait for it at the barrier.
                db.session.commit()
                barrier.wait()
                for i in range(EACH):
                    trail.record(
                        officer,
                        "contacts.save",
                        municipality_id=municipality_id,
                        target=("municipality", municipality_id),
                        after={"office": f"Thread {n}, {i}"},
                    )
                    db.session.commit()
            except BaseException as error:
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    result = trail.verify()
    assert result.ok and result.intact == THREADS * EACH
