"""The migrations build the schema the models describe, and upgrade in place."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from pb import create_app
from pb.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def test_migrations_match_the_models(tmp_path):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    if TEST_DATABASE_URL:
        # Start from nothing: the session fixture may have made the schema with create_all.
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        assert "alembic_version" in inspect(db.engine).get_table_names()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == [], diff
        if TEST_DATABASE_URL:
            # Storage options, which the comparison above does not look at.
            options = db.session.scalar(
                text("SELECT reloptions FROM pg_class WHERE relname = 'voting_codes'")
            )
            assert options == ["fillfactor=50"]
        db.session.remove()
        if TEST_DATABASE_URL:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                db.metadata.create_all(connection)
        db.engine.dispose()


def test_demo_data_loads_through_the_services(runner, app):
    result = runner.invoke(args=["load-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["load-demo", "--if-empty"])
    assert "not loaded" in again.output


def test_upgrade_in_place_keeps_the_data(tmp_path):
    """A database made by the first migration, with data in it, upgrades to the latest schema."""
    if TEST_DATABASE_URL:
        pytest.skip("checked on SQLite; the PostgreSQL run checks the schema above")
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="31a7bed2c174")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO municipalities (slug, name_ky, created_at) VALUES ('old', 'Эски', '2026-01-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO consultations (municipality_id, title_ky, budget, phase, proposals_from,"
                    " proposals_until, review_until, voting_from, voting_until, results_on, created_at, updated_at)"
                    " VALUES (1, 'Эски консультация', 500, 'collecting', '2026-01-01', '2026-01-02', '2026-01-03',"
                    " '2026-01-04', '2026-01-05', '2026-01-06', '2026-01-01', '2026-01-01')"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT title_ky, budget, ballot_kind, allow_accounts, counting_rule FROM consultations"
                )
            ).one()
        assert tuple(row) == ("Эски консультация", 500, "budget", 1, "greedy")
        db.engine.dispose()
