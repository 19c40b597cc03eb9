"""PostgreSQL (pb.postgres): pooled connections tested only after sitting idle, a dropped one
replaced before use, and a vote that meets a dropped connection run again on a new one.

These need a PostgreSQL server: ``make test-postgres`` (and CI) runs them.
"""

import time

import psycopg
import pytest
from sqlalchemy import event, func, select, text, update
from sqlalchemy.exc import OperationalError

from pb import postgres
from pb.extensions import db
from pb.models import Ballot, VotingCode
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


def test_a_vote_that_meets_a_connection_the_server_dropped_is_recorded_on_a_new_one(app):
    """Dropped a moment ago, the pooled connection is handed out untested; the vote's first
    statement fails on it, SQLAlchemy drops the pool, and the vote runs again on a new
    connection: one ballot, recorded."""
    from pb.voting import casting, services
    from pb.voting.kinds import SentChoices
    from pb.voting.sheets import VoterDetails

    world = factories.build_world()
    p1, *_ = factories.open_voting(world.consultation)
    services.generate_codes(world.officer, world.consultation, 1, None)
    (code,) = services.batch_codes(db.session.scalars(select(services.CodeBatch)).one())
    consultation_id, choice = world.consultation.id, str(p1.id)
    db.session.commit()
    pid, _record = pool_of_one_dropped_connection()

    with app.test_request_context("/", method="POST"):
        submission = casting.Submission(SentChoices(ticked=[choice]), VoterDetails(), code)
        result = casting.cast_ballot(consultation_id, submission, None, client="code:10.0.0.1")

    assert result.receipt and not result.replaced
    assert backend_pid() != pid
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1


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
