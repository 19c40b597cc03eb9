"""SQLite (pb.sqlite): a request that only reads takes no lock, so pages stay readable while
another request or a command writes; every other transaction takes the write lock at once."""

import threading

import pytest
from sqlalchemy import text

from pb import create_app, sqlite
from pb.extensions import db
from tests import conftest


@pytest.fixture
def file_app(tmp_path):
    # A database file of its own, whatever database the rest of the suite runs on.
    url = f"sqlite:///{tmp_path / 'locks.sqlite'}"
    app = create_app(conftest._config(SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            connection.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
        yield app
        db.session.remove()
        db.engine.dispose()


def _journal_mode() -> str:
    return db.session.scalar(text("PRAGMA journal_mode"))


def _write_in_other_thread(app, hold: threading.Event, holding: threading.Event) -> None:
    """A writer that takes the write lock and keeps it until ``hold`` is set."""
    with app.app_context(), db.engine.connect() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES ('long write')"))
        holding.set()
        hold.wait(timeout=30)
        connection.commit()


def test_the_journal_is_wal_and_foreign_keys_are_enforced(file_app):
    assert _journal_mode() == "wal"
    assert db.session.scalar(text("PRAGMA foreign_keys")) == 1


def test_a_page_reads_while_a_long_write_holds_the_write_lock(file_app):
    hold, holding = threading.Event(), threading.Event()
    writer = threading.Thread(target=_write_in_other_thread, args=(file_app, hold, holding))
    writer.start()
    try:
        assert holding.wait(timeout=10)
        with file_app.test_request_context("/", method="GET"):
            assert sqlite.only_reads()
            with db.engine.connect() as connection:
                # On the driver's connection: through SQLAlchemy it would begin the transaction.
                connection.connection.driver_connection.execute("PRAGMA busy_timeout=100")
                # Read at once, without waiting for the writer, and without its row.
                bodies = connection.execute(text("SELECT body FROM notes")).scalars().all()
        assert bodies == ["kept"]
    finally:
        hold.set()
        writer.join(timeout=30)


def test_a_form_sent_takes_the_write_lock_when_its_transaction_begins(file_app):
    """A POST's transaction is IMMEDIATE: while another writer holds the lock it cannot even
    begin (and so cannot read, then fail halfway at its first write)."""
    hold, holding = threading.Event(), threading.Event()
    writer = threading.Thread(target=_write_in_other_thread, args=(file_app, hold, holding))
    writer.start()
    try:
        assert holding.wait(timeout=10)
        with file_app.test_request_context("/", method="POST"):
            assert not sqlite.only_reads()
            with db.engine.connect() as connection:
                # On the driver's connection: through SQLAlchemy it would begin the transaction.
                connection.connection.driver_connection.execute("PRAGMA busy_timeout=100")
                with pytest.raises(Exception, match="locked"):
                    connection.execute(text("SELECT body FROM notes"))
    finally:
        hold.set()
        writer.join(timeout=30)
    with file_app.test_request_context("/", method="POST"), db.engine.begin() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES ('after')"))
    assert db.session.scalars(text("SELECT body FROM notes ORDER BY id")).all() == [
        "kept",
        "long write",
        "after",
    ]


def test_work_outside_a_request_takes_the_write_lock(file_app):
    assert not sqlite.only_reads()  # a command such as an import or load-demo
