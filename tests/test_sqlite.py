"""SQLite's writers' gate (pb.sqlite): writers queue at an OS file lock and pass it on as soon
as their transaction ends, whichever way it ends."""

import fcntl
import threading
import time

import pytest
from sqlalchemy import text

from pb import create_app
from pb.extensions import db
from pb.sqlite import GatedConnection
from tests import conftest


@pytest.fixture
def file_app(tmp_path):
    # A database file of its own, whatever database the rest of the suite runs on.
    app = create_app(
        conftest._config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'gate.sqlite'}")
    )
    with app.app_context():
        db.session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        db.session.commit()
        yield app, tmp_path / "gate.sqlite-writers.lock"
        db.session.remove()
        db.engine.dispose()


def gate_is_free(lock_path) -> bool:
    with open(lock_path, "ab") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(other, fcntl.LOCK_UN)
        return True


def test_a_write_transaction_holds_the_gate_until_it_commits_or_rolls_back(file_app):
    app, lock_path = file_app
    with db.engine.connect() as connection:
        assert isinstance(connection.connection.dbapi_connection, GatedConnection)
        connection.execute(text("INSERT INTO notes (body) VALUES ('a')"))
        assert not gate_is_free(lock_path)
        connection.commit()
        assert gate_is_free(lock_path)
        connection.execute(text("INSERT INTO notes (body) VALUES ('b')"))
        assert not gate_is_free(lock_path)
        connection.rollback()
        assert gate_is_free(lock_path)
    with db.engine.connect() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES ('c')"))
    # Returned to the pool with its transaction open: the pool's rollback frees the gate.
    assert gate_is_free(lock_path)
    assert db.session.execute(text("SELECT body FROM notes ORDER BY id")).scalars().all() == ["a"]


def test_a_second_writer_waits_at_the_gate_and_goes_on_as_soon_as_it_opens(file_app):
    app, lock_path = file_app
    entered = []

    def second_writer():
        with app.app_context(), db.engine.connect() as connection:
            connection.execute(text("INSERT INTO notes (body) VALUES ('second')"))
            entered.append(time.monotonic())
            connection.commit()

    with db.engine.connect() as first:
        first.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        waiting = threading.Thread(target=second_writer)
        waiting.start()
        time.sleep(0.2)
        assert not entered  # it waits for the first writer
        released = time.monotonic()
        first.commit()
    waiting.join(timeout=10)
    # Handed over at once, not at SQLite's next poll of its busy lock.
    assert entered and entered[0] - released < 0.05
    assert db.session.execute(text("SELECT body FROM notes ORDER BY id")).scalars().all() == [
        "first",
        "second",
    ]


def test_a_thread_holding_the_gate_does_not_wait_for_itself(file_app):
    """Two connections written to by one thread: the second does not queue behind the first
    (it would wait forever); SQLite's own busy timeout then decides, as without the gate."""
    app, lock_path = file_app
    with db.engine.connect() as first:
        first.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        with db.engine.connect() as second:
            second.connection.dbapi_connection.execute("PRAGMA busy_timeout=50")
            with pytest.raises(Exception, match="locked"):
                second.execute(text("INSERT INTO notes (body) VALUES ('second')"))
        first.commit()
    assert gate_is_free(lock_path)


def test_prepared_statements_store_what_sqlalchemy_stores_and_read_it_back(file_app):
    """pb.sqlite.Prepared bypasses SQLAlchemy's type handling: what it writes must read back
    through the ORM unchanged (datetimes as SQLAlchemy's text, enums as their values), with the
    values fixed in the statement, and ``one`` must insist on one row."""
    from datetime import datetime, timedelta

    from sqlalchemy import bindparam, insert, select, update

    from pb.models import Ballot, Channel, Gender, ThrottleEvent
    from pb.sqlite import Prepared
    from tests import factories

    db.create_all()
    consultation_id = factories.build_world().consultation.id
    db.session.commit()
    at = datetime(2026, 3, 8, 9, 30, 0, 5)
    db.session.add(ThrottleEvent(key="orm", at=at))
    db.session.commit()
    with db.engine.begin() as connection:
        Prepared(insert(ThrottleEvent)).run(connection, {"key": "client", "at": at})
        Prepared(insert(Ballot)).run_many(
            connection,
            [
                {
                    "id": "b1",
                    "consultation_id": consultation_id,
                    "channel": Channel.CODE,
                    "gender": Gender.FEMALE,
                },
                {"id": "b2", "consultation_id": consultation_id, "channel": Channel.ONLINE},
            ],
        )
        fixed = update(Ballot).where(Ballot.id == bindparam("ballot")).values(age_group="18-35")
        Prepared(fixed).run(connection, {"ballot": "b2"})
        # Compared as text with what the ORM stored: the same format, or the order breaks.
        since = Prepared(
            select(ThrottleEvent.key).where(
                ThrottleEvent.key == "orm", ThrottleEvent.at >= bindparam("since")
            )
        )
        assert since.one(connection, {"since": at - timedelta(microseconds=1)}).key == "orm"
        with pytest.raises(LookupError):
            since.one(connection, {"since": at + timedelta(microseconds=1)})
    db.session.expire_all()
    assert db.session.scalar(select(ThrottleEvent.at).where(ThrottleEvent.key == "client")) == at
    ballots = {b.id: b for b in db.session.scalars(select(Ballot))}
    assert ballots["b1"].channel is Channel.CODE and ballots["b1"].gender is Gender.FEMALE
    assert ballots["b2"].gender is None and ballots["b2"].age_group == "18-35"
