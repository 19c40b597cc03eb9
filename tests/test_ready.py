"""Readiness at /ready: 200 only when the database answers and its schema is the migrations'
head; liveness at /health answers whatever the database does."""

import os

import pytest
from flask_migrate import stamp, upgrade
from sqlalchemy import create_engine, text

from pb import create_app
from pb.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def _app(url):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})


def test_ready_when_the_schema_is_at_the_head_and_not_before(tmp_path):
    if TEST_DATABASE_URL:
        pytest.skip("the migrations are run on SQLite here; test_migrations checks PostgreSQL's")
    app = _app(f"sqlite:///{tmp_path / 'ready.sqlite'}")
    client = app.test_client()
    with app.app_context():
        response = client.get("/ready")
        assert response.status_code == 503 and response.json["problem"] == "migrations"
        upgrade()
        assert client.get("/ready").json == {"status": "ready"}
        stamp(revision="8d41c7a2e6f0")  # as if the last migration had not run
        response = client.get("/ready")
        assert response.status_code == 503 and response.json["problem"] == "migrations"
        db.engine.dispose()


def test_not_ready_when_the_database_does_not_answer(tmp_path):
    # A PostgreSQL server that is not there (nothing listens on port 1).
    app = _app("postgresql+psycopg://postgres@127.0.0.1:1/pb?connect_timeout=2")
    client = app.test_client()
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "problem": "database"}
    assert "postgres" not in response.get_data(as_text=True)
    assert client.get("/health").status_code == 200  # the process itself is alive


def test_ready_on_postgresql_at_the_head():
    if not TEST_DATABASE_URL:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (make test-postgres does)")
    # A database of its own, so as not to disturb the suite's schema.
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    url = TEST_DATABASE_URL.rsplit("/", 1)[0] + "/pb_ready"
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS pb_ready"))
        connection.execute(text("CREATE DATABASE pb_ready"))
    try:
        app = _app(url)
        with app.app_context():
            upgrade()
            assert app.test_client().get("/ready").json == {"status": "ready"}
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS pb_ready"))
        admin.dispose()
