"""The migrations build the schema the models describe, and upgrade in place."""
import os

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
