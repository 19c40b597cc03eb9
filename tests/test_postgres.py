"""PostgreSQL (pb.postgres): pooled connections tested only after sitting idle, a dropped one
replaced before use, and ``Prepared`` statements that store what SQLAlchemy stores.

These need a PostgreSQL server: ``make test-postgres`` (and CI) runs them.
"""

import time
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import bindparam, event, func, insert, select, text, update
from sqlalchemy.exc import OperationalError

from pb import postgres
from pb.extensions import db
from pb.models import Ballot, Channel, Consultation, Phase, ThrottleEvent, VotingCode
from tests import conftest, factories

pytestmark = pytest.mark.skipif(
    not (conftest.TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="needs PostgreSQL: set TEST_DATABASE_URL (make test-postgres does)",
)


def backend_pid() -> int:
    return db.session.scalar(text("SELECT pg_backend_pid()"))


def drop_connection(pid: int) -> None:
    """What a server restart or a forgetful firewall does to one connection."""
    with psycopg.connect(
        conftest.TEST_DATABASE_URL.replace("+psycopg", ""), autocommit=True
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    time.sleep(0.2)


def pool_of_one_dropped_connection() -> tuple[int, object]:
    """A pool holding one connection, which the server has dropped: its backend's pid and its
    pool record."""
    db.session.remove()
    db.engine.dispose()
    pid = backend_pid()
    given_back = []
    listener = lambda dbapi_connection, record: given_back.append(record)  # noqa: E731
    event.listen(db.engine, "checkin", listener)
    db.session.remove()
    event.remove(db.engine, "checkin", listener)
    drop_connection(pid)
    (record,) = given_back
    return pid, record


def test_a_connection_that_sat_idle_is_tested_and_replaced_if_the_server_dropped_it(app):
    pid, record = pool_of_one_dropped_connection()
    record.info["idle_since"] -= postgres.PING_AFTER_IDLE_SECONDS + 1  # as if it sat there

    assert db.session.scalar(select(1)) == 1
    assert backend_pid() != pid


def test_a_connection_given_back_a_moment_ago_is_used_without_a_test(app):
    # The other side of the test above: nothing tests it, so the test above shows the test
    # is what replaced the connection there.
    pool_of_one_dropped_connection()

    with pytest.raises(OperationalError):
        db.session.scalar(select(1))
    db.session.rollback()
    assert db.session.scalar(select(1)) == 1  # SQLAlchemy dropped the dead connection


def test_prepared_runs_again_on_a_new_connection_when_the_server_dropped_its_own(app):
    world = factories.build_world()
    db.session.commit()
    consultation_id, phase = world.consultation.id, world.consultation.phase
    pool_of_one_dropped_connection()
    statement = postgres.Prepared(
        select(Consultation.id, Consultation.phase).where(Consultation.id == bindparam("id"))
    )

    found = statement.one(db.engine, {"id": consultation_id})

    assert (found.id, found.phase) == (consultation_id, phase.value)
    assert db.session.scalar(select(1)) == 1  # and the pool holds no dead connection


@pytest.fixture
def bishkek_app(_database):
    """A server that speaks local time: an aware datetime handed to it as it is would be stored
    as Bishkek's wall clock, six hours off the UTC that pb stores."""
    options = {"connect_args": {"options": "-c timezone=Asia/Bishkek"}}
    with conftest._app_context(conftest._make_app(SQLALCHEMY_ENGINE_OPTIONS=options)) as app:
        yield app


def test_prepared_stores_what_sqlalchemy_stores_and_reads_it_back(bishkek_app):
    world = factories.build_world()
    db.session.commit()
    at = datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    store = postgres.Prepared(
        insert(ThrottleEvent)
        .values(key=bindparam("key"), at=bindparam("at"))
        .returning(ThrottleEvent.id)
    )
    assert store.one(db.engine, {"key": "code:10.0.0.1", "at": at}).id

    stored = db.session.scalars(select(ThrottleEvent)).one()
    assert stored.key == "code:10.0.0.1"
    assert stored.at.replace(tzinfo=UTC) == at  # aware in, naive UTC stored, as the ORM does

    # Enums go in as their stored values, whether fixed in the statement or passed.
    voting = postgres.Prepared(
        select(Consultation.id).where(
            Consultation.id == bindparam("id"), Consultation.phase == Phase.VOTING
        )
    )
    world.consultation.phase = Phase.VOTING
    db.session.commit()
    assert voting.one(db.engine, {"id": world.consultation.id}).id == world.consultation.id
    channel = postgres.Prepared(
        select(bindparam("channel", type_=Ballot.__table__.c.channel.type).label("channel"))
    )
    assert channel.one(db.engine, {"channel": Channel.CODE}).channel == "code"


def test_prepared_insists_on_one_row(app):
    statement = postgres.Prepared(select(Consultation.id).where(Consultation.id == bindparam("id")))
    with pytest.raises(LookupError):
        statement.one(db.engine, {"id": -1})


def test_prepared_prepares_again_when_its_statement_was_dropped(app):
    # psycopg sends DEALLOCATE ALL when a transaction in which it prepared statements of its
    # own is rolled back, on the pooled connection that Prepared uses next.
    backend = postgres.Prepared(select(func.pg_backend_pid().label("pid")))
    pid = backend.one(db.engine, {}).pid
    assert backend_pid() == pid  # the same pooled connection (the pool lends the last one back)
    db.session.execute(text("DEALLOCATE ALL"))
    db.session.commit()

    assert backend.one(db.engine, {}).pid == pid


def test_prepared_commits_on_its_own_after_a_connection_came_back_mid_transaction(app):
    # Prepared sends its statement as it is: a transaction left open on the connection would
    # swallow it. The pool's reset on return (psycopg's rollback, which asks libpq itself
    # whether a transaction is open) is what hands the connection back idle.
    connection = db.engine.raw_connection()
    connection.driver_connection.pgconn.exec_(b"BEGIN")  # behind psycopg's back
    connection.close()
    store = postgres.Prepared(
        insert(ThrottleEvent)
        .values(key=bindparam("key"), at=bindparam("at"))
        .returning(ThrottleEvent.id)
    )
    store.one(db.engine, {"key": "code:10.0.0.2", "at": datetime.now(UTC)})

    with psycopg.connect(conftest.TEST_DATABASE_URL.replace("+psycopg", "")) as other:
        keys = other.execute("SELECT key FROM throttle_events").fetchall()
    assert keys == [("code:10.0.0.2",)]


def test_prepared_raises_the_servers_error_and_keeps_the_connection(app):
    store = postgres.Prepared(
        insert(ThrottleEvent)
        .values(key=bindparam("key"), at=bindparam("at"))
        .returning(ThrottleEvent.id)
    )
    pid = backend_pid()
    db.session.commit()

    with pytest.raises(psycopg.errors.StringDataRightTruncation):
        store.one(db.engine, {"key": "x" * 101, "at": datetime.now(UTC)})  # the column holds 100

    assert store.one(db.engine, {"key": "x" * 100, "at": datetime.now(UTC)}).id
    assert backend_pid() == pid  # nothing was taken for a lost connection
    assert db.session.scalar(select(func.count()).select_from(ThrottleEvent)) == 1


def test_the_pool_lends_the_connection_given_back_last(app):
    db.session.remove()
    first, second = db.engine.raw_connection(), db.engine.raw_connection()
    first_driver, second_driver = first.driver_connection, second.driver_connection
    first.close()
    second.close()

    again = db.engine.raw_connection()
    assert again.driver_connection is second_driver is not first_driver
    again.close()


def test_using_a_code_updates_its_row_in_place(app):
    """Voting codes' pages keep room for the one update of each code (used), so casting with a
    code adds no row version to the table's indexes (a HOT update)."""
    from pb.voting import services

    world = factories.build_world()
    factories.open_voting(world.consultation)
    # More codes than one full page holds (about sixty), so the first page would be full.
    services.generate_codes(world.officer, world.consultation, 200, "page")
    first = db.session.scalar(select(func.min(VotingCode.id)))
    hot_before = db.session.scalar(
        text("SELECT pg_stat_get_xact_tuples_hot_updated('voting_codes'::regclass)")
    )
    db.session.execute(update(VotingCode).where(VotingCode.id == first).values(used=True))
    hot_after = db.session.scalar(
        text("SELECT pg_stat_get_xact_tuples_hot_updated('voting_codes'::regclass)")
    )
    assert hot_after - hot_before == 1
    db.session.rollback()
