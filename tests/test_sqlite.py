"""SQLite (pb.sqlite): a request that only reads takes no lock, so pages stay readable while
another request or a command writes; every other transaction takes the write lock at once."""

import threading
from contextlib import contextmanager

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


@contextmanager
def another_writer_holding_the_lock(app):
    """Another connection, in another thread, holds the write lock (its transaction has
    written a row) until the block ends."""
    hold, holding = threading.Event(), threading.Event()

    def write() -> None:
        with app.app_context(), db.engine.connect() as connection:
            connection.execute(text("INSERT INTO notes (body) VALUES ('long write')"))
            holding.set()
            hold.wait(timeout=30)
            connection.commit()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert holding.wait(timeout=10)
        yield
    finally:
        hold.set()
        writer.join(timeout=30)


@contextmanager
def connection_in_request(app, method: str):
    """A connection as a request with this method gets it, waiting at most 0.1 s for a lock."""
    with app.test_request_context("/", method=method), db.engine.connect() as connection:
        # On the driver's connection: through SQLAlchemy it would begin the transaction.
        connection.connection.driver_connection.execute("PRAGMA busy_timeout=100")
        yield connection


def test_the_journal_is_wal_and_foreign_keys_are_enforced(file_app):
    assert _journal_mode() == "wal"
    assert db.session.scalar(text("PRAGMA foreign_keys")) == 1


def test_a_page_reads_while_a_long_write_holds_the_write_lock(file_app):
    with another_writer_holding_the_lock(file_app), connection_in_request(file_app, "GET") as sql:
        assert sqlite.only_reads()
        # Read at once, without waiting for the writer, and without its row.
        assert sql.execute(text("SELECT body FROM notes")).scalars().all() == ["kept"]


def test_a_form_sent_takes_the_write_lock_when_its_transaction_begins(file_app):
    """A POST's transaction is IMMEDIATE: while another writer holds the lock it cannot even
    begin (and so cannot read, then fail halfway at its first write)."""
    with another_writer_holding_the_lock(file_app), connection_in_request(file_app, "POST") as sql:
        assert not sqlite.only_reads()
        with pytest.raises(Exception, match="locked"):
            sql.execute(text("SELECT body FROM notes"))
    with file_app.test_request_context("/", method="POST"), db.engine.begin() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES ('after')"))
    assert db.session.scalars(text("SELECT body FROM notes ORDER BY id")).all() == [
        "kept",
        "long write",
        "after",
    ]


def test_work_outside_a_request_takes_the_write_lock(file_app):
    assert not sqlite.only_reads()  # a command such as an import or load-demo
