"""When the database does not answer (PostgreSQL down or restarting), every page says so with
a translated 503 and Retry-After, never a 500; JSON clients get JSON. The recovery after a
real restart is tests/test_postgres_restart.py's."""

from __future__ import annotations

import psycopg
import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from pb import create_app
from pb.errors import RETRY_AFTER_SECONDS
from pb.extensions import db
from tests import conftest

# Nothing listens on port 1: every connection is refused at once.
NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/pb?connect_timeout=2"


@pytest.fixture
def down_app() -> Flask:
    return create_app(conftest._config(SQLALCHEMY_DATABASE_URI=NOWHERE))


def _assert_unavailable(response, text: str) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = response.get_data(as_text=True)
    assert text in page
    assert "postgres" not in page and "Traceback" not in page


def test_pages_say_unavailable_in_the_visitors_language(down_app):
    client = down_app.test_client()
    _assert_unavailable(client.get("/", headers={"Accept-Language": "ru"}), "Временно недоступно")
    _assert_unavailable(
        client.get("/c/1/vote", headers={"Accept-Language": "ky"}), "Убактылуу иштебей турат"
    )
    _assert_unavailable(
        client.get("/c/1/vote", headers={"Accept-Language": "en"}), "Temporarily unavailable"
    )


def test_a_logged_in_visitor_gets_503_not_500(down_app):
    # Her account is in the database that does not answer: the page must not need it.
    client = down_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:some-login-token"  # an id and a token, as User.get_id gives
        session["locale"] = "ru"
    _assert_unavailable(client.get("/"), "Временно недоступно")
    _assert_unavailable(
        client.post("/c/1/vote", data={"choice": ["1"], "code": "ABCDE"}), "Временно недоступно"
    )


def test_a_form_sent_while_unavailable_is_answered_503():
    app = create_app(conftest._config(SQLALCHEMY_DATABASE_URI=NOWHERE, WTF_CSRF_ENABLED=True))
    response = app.test_client().post(
        "/login", data={"login": "officer", "password": "x"}, headers={"Accept-Language": "en"}
    )
    # The CSRF check needs no database and comes first: a 400, not a 500.
    assert response.status_code == 400
    app = create_app(conftest._config(SQLALCHEMY_DATABASE_URI=NOWHERE))
    response = app.test_client().post(
        "/login", data={"login": "officer", "password": "x"}, headers={"Accept-Language": "en"}
    )
    _assert_unavailable(response, "send it again")


def test_json_clients_get_json(down_app):
    client = down_app.test_client()
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json == {"status": "unavailable", "problem": "database"}
    assert client.get("/ready").status_code == 503
    assert client.get("/health").status_code == 200  # the process itself answers


def test_a_statement_the_database_refuses_is_still_a_500():
    """Only a database that does not answer is 503: our own faults stay errors, and logged."""
    app = create_app(conftest._config(SQLALCHEMY_DATABASE_URI="sqlite://"))

    def broken() -> str:
        raise ProgrammingError("SELECT nonsense", {}, Exception("syntax error"))

    app.add_url_rule("/broken", view_func=broken)
    with pytest.raises(ProgrammingError):  # TESTING propagates what reaches the 500 handler
        app.test_client().get("/broken")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().get("/broken").status_code == 500


@pytest.mark.skipif(
    not (conftest.TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="needs PostgreSQL: set TEST_DATABASE_URL (make test-postgres does)",
)
def test_a_page_that_meets_a_dropped_connection_is_503_and_the_next_one_works(app, world):
    """What a PostgreSQL restart does to a busy worker: the connection it used a moment ago
    (so not tested again before use) is gone. That request gets 503; SQLAlchemy drops the
    pool, and the next request connects afresh, with no restart of pb."""
    client = app.test_client(user=world.resident)
    url = f"/c/{world.consultation.id}"
    db.session.remove()  # the test's own session holds no connection
    assert client.get(url).status_code == 200
    # The pool lends the connection given back last: the one the page just used.
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.remove()
    with psycopg.connect(
        conftest.TEST_DATABASE_URL.replace("+psycopg", ""), autocommit=True
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    _assert_unavailable(client.get(url), "Temporarily unavailable")
    assert client.get(url).status_code == 200


def test_on_sqlite_only_a_busy_database_is_503_not_a_missing_table(tmp_path):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from pb.errors import database_unavailable

    def sqlite_error(sql: str, holder: sqlite3.Connection) -> OperationalError:
        try:
            holder.execute(sql)
        except sqlite3.OperationalError as error:
            return OperationalError(sql, {}, error)
        raise AssertionError("no error")

    path = tmp_path / "busy.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")
    waiting = sqlite3.connect(path, timeout=0, isolation_level=None)
    assert database_unavailable(sqlite_error("BEGIN IMMEDIATE", waiting))
    assert not database_unavailable(sqlite_error("SELECT * FROM missing", waiting))
    waiting.close()
    writer.close()
