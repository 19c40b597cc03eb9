"""The migrations build the schema the models describe, and upgrade in place."""

import os
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, make_url, text

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


@contextmanager
def scratch_database(tmp_path, name):
    """A database of the test's own, at the old revision: SQLite in a file, or on PostgreSQL a
    scratch database beside TEST_DATABASE_URL's (made and dropped here)."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / (name + '.sqlite')}"
        return
    server = make_url(TEST_DATABASE_URL)
    scratch = f"pb_scratch_{name}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as sql:
        sql.execute(text(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        sql.execute(text(f"CREATE DATABASE {scratch}"))
    try:
        yield server.set(database=scratch).render_as_string(hide_password=False)
    finally:
        with admin.connect() as sql:
            sql.execute(text(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        admin.dispose()


@contextmanager
def models_writable():
    """The models write into a schema of an older revision: the columns later migrations add
    are added for the while (nullable, as additions are) and dropped again after, so the rows
    end up as the older schema holds them, however many columns come after it."""
    added: list[tuple[str, str]] = []
    with db.engine.begin() as sql:
        schema = inspect(sql)
        tables = set(schema.get_table_names())
        for table in db.metadata.sorted_tables:
            if table.name not in tables:
                continue
            present = {column["name"] for column in schema.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    kind = column.type.compile(dialect=sql.dialect)
                    sql.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
                    added.append((table.name, column.name))
    try:
        yield
    finally:
        db.session.remove()
        with db.engine.begin() as sql:
            for table_name, column_name in added:
                sql.execute(text(f"ALTER TABLE {table_name} DROP COLUMN {column_name}"))


def test_upgrade_keys_links_and_marks_and_counts_details(tmp_path):
    """Links and marks made before voters were named by keyed digests are converted with the
    app's vote key, so a voter finds her link and her mark again; the voter details of closed
    consultations become their figures; a vote still open with details in the clear stops the
    upgrade."""
    from pb.voting import voters
    from tests import factories

    with scratch_database(tmp_path, "keyed") as url:
        _upgrade_keys_links_and_marks(url, voters, factories)


def _upgrade_keys_links_and_marks(url, voters, factories):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "VOTE_KEY": "v", "SQLALCHEMY_DATABASE_URI": url}
    )
    with app.app_context():
        upgrade(revision="15b0c3e1f2a4")
        # Tables this migration leaves alone are made through the models; the three it changes
        # are written as the older schema had them.
        with models_writable():
            world = factories.build_world()
            voting = world.consultation
            closed = factories.make_consultation(world.municipality)
            proposal = factories.make_proposal(closed)
            entry = factories.make_roll_entry(world.municipality, user=world.resident)
            ids = {
                "voting": voting.id,
                "closed": closed.id,
                "proposal": proposal.id,
                "resident": world.resident.id,
                "entry": entry.id,
                "village": world.village.id,
            }
        with db.engine.begin() as sql:
            sql.execute(text("UPDATE consultations SET phase = 'voting' WHERE id = :voting"), ids)
            sql.execute(text("UPDATE consultations SET phase = 'closed' WHERE id = :closed"), ids)
            sql.execute(
                text(
                    "INSERT INTO code_batches (id, consultation_id, size, created_at) "
                    "VALUES (1, :voting, 1, '2026-12-01')"
                ),
                ids,
            )
            sql.execute(
                text(
                    "INSERT INTO voting_codes (id, batch_id, consultation_id, digest, used) "
                    "VALUES (1, 1, :voting, 'codedigest', :used)"
                ),
                {**ids, "used": True},
            )
            for ballot, channel in (("b-account", "online"), ("b-code", "code")):
                sql.execute(
                    text(
                        "INSERT INTO ballots (id, consultation_id, channel) "
                        "VALUES (:ballot, :voting, :channel)"
                    ),
                    {**ids, "ballot": ballot, "channel": channel},
                )
            sql.execute(
                text(
                    "INSERT INTO voter_links (id, consultation_id, user_id, code_id, ballot_id, "
                    "receipt_digest) VALUES (1, :voting, :resident, NULL, 'b-account', 'r1'), "
                    "(2, :voting, NULL, 1, 'b-code', 'r2')"
                ),
                ids,
            )
            sql.execute(
                text(
                    "INSERT INTO roll_marks (consultation_id, roll_entry_id, channel) "
                    "VALUES (:voting, :entry, 'online')"
                ),
                ids,
            )
            for n, gender in enumerate(("female", "female", "male")):
                sql.execute(
                    text(
                        "INSERT INTO ballots (id, consultation_id, channel, gender, age_group, "
                        "village_id) VALUES (:ballot, :closed, 'paper', :gender, '18-35', :village)"
                    ),
                    {**ids, "ballot": f"closed-{n}", "gender": gender},
                )
                sql.execute(
                    text(
                        "INSERT INTO ballot_choices (ballot_id, proposal_id, points) "
                        "VALUES (:ballot, :proposal, 1)"
                    ),
                    {**ids, "ballot": f"closed-{n}"},
                )
        upgrade()
        with db.engine.connect() as sql:
            links = dict(sql.execute(text("SELECT ballot_id, voter_digest FROM voter_links")).all())
            marks = sql.execute(text("SELECT entry_digest, channel FROM roll_marks")).all()
            figures = set(
                sql.execute(
                    text(
                        "SELECT dimension, value, ballots FROM voter_figures "
                        "WHERE consultation_id = :closed"
                    ),
                    ids,
                ).all()
            )
            chosen = set(
                sql.execute(
                    text(
                        "SELECT dimension, value, ballots FROM choice_figures "
                        "WHERE proposal_id = :proposal"
                    ),
                    ids,
                ).all()
            )
            columns = {c["name"] for c in inspect(sql).get_columns("ballots")}
        assert links == {
            "b-account": voters.account_link(ids["voting"], ids["resident"]),
            "b-code": voters.code_link(ids["voting"], "codedigest"),
        }
        assert marks == [(voters.entry_mark(ids["voting"], ids["entry"]), "online")]
        assert {("gender", "female", 2), ("gender", "male", 1), ("age", "18-35", 3)} <= figures
        assert ("village", str(ids["village"]), 3) in figures
        assert ("channel", "paper", 3) in figures
        assert {("gender", "female", 2), ("gender", "male", 1), ("age", "18-35", 3)} == chosen
        assert not {"gender", "age_group", "village_id"} & columns
        db.engine.dispose()


def test_upgrade_refuses_while_a_vote_holds_details_in_the_clear(tmp_path):
    from tests import factories

    with scratch_database(tmp_path, "refused") as url:
        _upgrade_refused(url, factories)


def _upgrade_refused(url, factories):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "VOTE_KEY": "v", "SQLALCHEMY_DATABASE_URI": url}
    )
    with app.app_context():
        upgrade(revision="15b0c3e1f2a4")
        with models_writable():
            consultation_id = factories.build_world().consultation.id
        with db.engine.begin() as sql:
            sql.execute(
                text("UPDATE consultations SET phase = 'voting' WHERE id = :id"),
                {"id": consultation_id},
            )
            sql.execute(
                text(
                    "INSERT INTO ballots (id, consultation_id, channel, gender) "
                    "VALUES ('open', :id, 'online', 'female')"
                ),
                {"id": consultation_id},
            )
        # Flask-Migrate logs the error and exits.
        with pytest.raises((RuntimeError, SystemExit)):
            upgrade()
        with db.engine.connect() as sql:
            assert sql.scalar(text("SELECT version_num FROM alembic_version")) == "15b0c3e1f2a4"
            assert "voter_figures" not in inspect(sql).get_table_names()
            assert sql.scalar(text("SELECT gender FROM ballots WHERE id = 'open'")) == "female"
        db.engine.dispose()


def test_choices_move_into_the_ballots_rows_and_back(tmp_path):
    """Upgrading packs each ballot's choice rows into its own row, by proposal id, points
    kept; a ballot without choices gets none; downgrading makes the rows again."""
    from flask_migrate import downgrade

    from tests import factories

    with scratch_database(tmp_path, "choices") as url:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "x", "VOTE_KEY": "v", "SQLALCHEMY_DATABASE_URI": url}
        )
        with app.app_context():
            upgrade(revision="18a1b2c3d4e5")
            with models_writable():
                consultation = factories.build_world().consultation
                first, second, third = (factories.make_proposal(consultation) for _ in range(3))
                ids = {"c": consultation.id, "p1": first.id, "p2": second.id, "p3": third.id}
            with db.engine.begin() as sql:
                for ballot in ("two", "one", "none"):
                    sql.execute(
                        text(
                            "INSERT INTO ballots (id, consultation_id, channel) "
                            "VALUES (:ballot, :c, 'paper')"
                        ),
                        {**ids, "ballot": ballot},
                    )
                # Written out of order: the packed text is by proposal id all the same.
                for ballot, proposal, points in (
                    ("two", "p3", 2),
                    ("two", "p1", 5),
                    ("one", "p2", 1),
                ):
                    sql.execute(
                        text(
                            "INSERT INTO ballot_choices (ballot_id, proposal_id, points) "
                            "VALUES (:ballot, :proposal, :points)"
                        ),
                        {"ballot": ballot, "proposal": ids[proposal], "points": points},
                    )
            upgrade()
            with db.engine.connect() as sql:
                packed = dict(sql.execute(text("SELECT id, choices FROM ballots")).all())
                assert "ballot_choices" not in inspect(sql).get_table_names()
            assert packed == {
                "two": f"{ids['p1']}:5,{ids['p3']}:2",
                "one": f"{ids['p2']}:1",
                "none": "",
            }
            downgrade(revision="18a1b2c3d4e5")
            with db.engine.connect() as sql:
                rows = set(
                    sql.execute(
                        text("SELECT ballot_id, proposal_id, points FROM ballot_choices")
                    ).all()
                )
                assert "choices" not in {c["name"] for c in inspect(sql).get_columns("ballots")}
            assert rows == {
                ("two", ids["p1"], 5),
                ("two", ids["p3"], 2),
                ("one", ids["p2"], 1),
            }
            db.session.remove()
            db.engine.dispose()
