"""Fixtures: a fresh app per test, a world to act in, and one logged-in client per role.

Set TEST_DATABASE_URL (for example postgresql+psycopg://postgres@127.0.0.1:5432/test) to run
the suite on PostgreSQL; by default each test gets its own in-memory SQLite database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_login import FlaskLoginClient
from sqlalchemy import create_engine, event, make_url, text

from pb import create_app
from pb.extensions import db
from tests import factories


def _database_of_this_worker(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own beside the one named
    (``test`` -> ``test_gw0``, ``test_gw1``...), made here if missing: the workers' fixtures
    empty and rebuild the schema, which they must not do under each other's tests. Set in the
    environment too, for the tests that read it there or start processes with it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker or not url.startswith("postgresql"):
        return url
    server = make_url(url)
    if server.database and server.database.endswith(f"_{worker}"):
        return url  # set by this very function, in a process it started
    own = server.set(database=f"{server.database}_{worker}")
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as sql:
        if not sql.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own.database}
        ):
            sql.execute(text(f'CREATE DATABASE "{own.database}"'))
    admin.dispose()
    return own.render_as_string(hide_password=False)


TEST_DATABASE_URL = _database_of_this_worker(os.environ.get("TEST_DATABASE_URL"))
if TEST_DATABASE_URL:
    os.environ["TEST_DATABASE_URL"] = TEST_DATABASE_URL


def _config(**extra: object) -> dict[str, object]:
    config: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or "sqlite://",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "pb.test",
        # Jobs run in the request that starts them; tests/jobs run real workers.
        "JOBS_QUEUE": "immediate",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def _database() -> Iterator[None]:
    """On PostgreSQL the schema is built once; each test then empties the tables it used."""
    if not TEST_DATABASE_URL:
        yield
        return
    app = create_app(_config())
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


class Client(FlaskLoginClient):
    """Each request in its own app context, as in production.

    The fixtures keep an app context pushed for the test's own database work; without this,
    requests would share its ``g`` (and so Flask-Login's cached user) and its session.
    """

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # Assertions read English unless a test asks for another language.
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # What the request committed must be what the test reads next.
        if has_app_context():
            db.session.expire_all()
        return response


def _make_app(**extra: object) -> Flask:
    app = create_app(_config(**extra))
    app.test_client_class = Client
    return app


@contextmanager
def _app_context(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            if TEST_DATABASE_URL:
                tables = ", ".join(t.name for t in db.metadata.sorted_tables)
                with db.engine.begin() as connection:
                    connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.engine.dispose()


@pytest.fixture
def app(_database: None) -> Iterator[Flask]:
    with _app_context(_make_app()) as app:
        yield app


@pytest.fixture
def csrf_app(_database: None) -> Iterator[Flask]:
    """The app with CSRF protection on, as in production."""
    with _app_context(_make_app(WTF_CSRF_ENABLED=True)) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def world(app: Flask) -> factories.World:
    """Two municipalities, with staff and residents, and a consultation collecting proposals."""
    return factories.build_world()


def _client_for(app: Flask, user: object) -> FlaskClient:
    return app.test_client(user=user)  # type: ignore[call-arg]


@pytest.fixture
def admin_client(app: Flask, world: factories.World) -> FlaskClient:
    return _client_for(app, world.admin)


@pytest.fixture
def officer_client(app: Flask, world: factories.World) -> FlaskClient:
    return _client_for(app, world.officer)


@pytest.fixture
def council_client(app: Flask, world: factories.World) -> FlaskClient:
    return _client_for(app, world.council)


@pytest.fixture
def resident_client(app: Flask, world: factories.World) -> FlaskClient:
    return _client_for(app, world.resident)


@pytest.fixture
def outsider_client(app: Flask, world: factories.World) -> FlaskClient:
    """A resident of the other municipality."""
    return _client_for(app, world.outsider)


@pytest.fixture
def outside_officer_client(app: Flask, world: factories.World) -> FlaskClient:
    """An officer of the other municipality."""
    return _client_for(app, world.outside_officer)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):  # type: ignore[no-untyped-def]
    """Use as ``with count_queries() as counter: ...``; counter.count is the number of SQL statements."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting
