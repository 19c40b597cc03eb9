"""`flask --app pb backup FILE` while the site runs, and the README's restore procedure, on the
database the suite runs on: a world with a consultation in voting (ballots by account and by
code, the roll, users) and a closed one is backed up, restored into a fresh database (SQLite:
the file copied back; PostgreSQL: pg_restore into a scratch database), and the copy must hold
the same rows and serve the results.

PostgreSQL's part runs with TEST_DATABASE_URL, in databases of its own (<name>_backup,
<name>_restore) created and dropped here, so the suite's schema is left alone.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import stamp, upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from pb import backups, create_app
from pb.consultations.services import advance_phase
from pb.extensions import db
from pb.models import Ballot, Consultation, Phase, RollEntry, User, VoterLink
from pb.voting import services as voting
from tests import conftest, factories

TEST_DATABASE_URL = conftest.TEST_DATABASE_URL


def _app(url: str) -> Flask:
    app = create_app(conftest._config(SQLALCHEMY_DATABASE_URI=url))
    app.test_client_class = conftest.Client
    return app


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(source URL, URL to restore into): files on SQLite, scratch databases on PostgreSQL."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'site.sqlite'}", f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    base = make_url(TEST_DATABASE_URL)
    names = [f"{base.database}_backup", f"{base.database}_restore"]
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield tuple(  # type: ignore[misc]
            base.set(database=name).render_as_string(hide_password=False) for name in names
        )
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _build_site(app: Flask) -> dict[str, int]:
    """The schema as `flask db upgrade` leaves it (the models', stamped at the migrations'
    head), and a world worth restoring: ids of what the checks look at."""
    db.create_all()
    stamp()
    world = factories.build_world()
    factories.make_roll_entry(world.municipality, user=world.resident)
    factories.make_roll_entry(world.municipality, full_name="Токтогулов Бакыт", birth_year=1975)
    p1, p2, *_ = factories.open_voting(world.consultation)
    voting.generate_codes(world.officer, world.consultation, 3, "Ак-Суу")
    codes = voting.batch_codes(db.session.scalars(select(voting.CodeBatch)).one())
    closed = factories.make_consultation(world.municipality, title_en="Budget 2026")
    (q1, *_) = factories.open_voting(closed)
    ids = {
        "voting": world.consultation.id,
        "closed": closed.id,
        "officer": world.officer.id,
        "council": world.council.id,
    }
    account_votes = [
        (app.test_client(user=user), str(proposal.id))
        for user, proposal in ((world.resident, p1), (world.council, p2), (world.officer, p1))
    ]
    code_choice, closed_choice = str(p2.id), str(q1.id)
    # On a SQLite file, this session's transaction would hold the write lock the votes need.
    db.session.commit()
    for client, choice in account_votes:
        response = client.post(f"/c/{ids['voting']}/vote", data={"choice": [choice]})
        assert response.status_code == 302
    for code in codes[:2]:
        response = app.test_client().post(
            f"/c/{ids['voting']}/vote", data={"code": code, "choice": [code_choice]}
        )
        assert response.status_code == 302
    for client, _ in account_votes[:2]:
        response = client.post(f"/c/{ids['closed']}/vote", data={"choice": [closed_choice]})
        assert response.status_code == 302
    advance_phase(
        db.session.get(User, ids["officer"]),
        db.session.get(Consultation, ids["closed"]),
        Phase.VOTING,
        reason="Every household voted.",
        today=date(2026, 1, 1),
    )
    db.session.commit()
    return ids


def _contents() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in primary-key order."""
    return {
        table.name: [
            tuple(row)
            for row in db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        ]
        for table in db.metadata.sorted_tables
    }


def _restore(backup: Path, target_url: str) -> None:
    """The README's restore procedure, step by step."""
    if target_url.startswith("sqlite"):
        # The site is stopped; the file copied back, and any journal of the old one removed.
        target = Path(make_url(target_url).database or "")
        for journal in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            journal.unlink(missing_ok=True)
        shutil.copyfile(backup, target)
    else:
        (pg_restore, *_) = backups.client_programs("pg_restore")
        subprocess.run(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-password",
                "--exit-on-error",
                f"--dbname={make_url(target_url).database}",
                str(backup),
            ],
            env={**os.environ, **backups.libpq_environment(make_url(target_url))},
            check=True,
            capture_output=True,
        )
    # Then `flask db upgrade`, for code newer than the backup.
    with _app(target_url).app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_a_backup_restored_holds_the_same_rows_and_serves_the_results(databases, tmp_path):
    source_url, restored_url = databases
    source = _app(source_url)
    backup_file = tmp_path / "pb-backup.dump"
    with source.app_context():
        ids = _build_site(source)
        before = _contents()
        result = source.test_cli_runner().invoke(args=["backup", str(backup_file)])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600  # secret: owner only

    _restore(backup_file, restored_url)

    restored = _app(restored_url)
    with restored.app_context():
        after = _contents()
        assert {name: len(rows) for name, rows in after.items()} == {
            name: len(rows) for name, rows in before.items()
        }
        assert after == before
        # The rows that matter, read as the app reads them.
        assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 5
        assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 2
        assert db.session.get(User, ids["officer"]).check_password(factories.PASSWORD)
        voting_ballots = select(func.count()).where(Ballot.consultation_id == ids["voting"])
        assert db.session.scalar(voting_ballots.select_from(Ballot)) == 5

        # The app works on the copy: the closed consultation's results, and closing the other.
        council = restored.test_client(user=db.session.get(User, ids["council"]))
        page = council.get(f"/c/{ids['closed']}/results")
        assert page.status_code == 200
        assert "Budget 2026" in page.get_data(as_text=True)
        advance_phase(
            db.session.get(User, ids["officer"]),
            db.session.get(Consultation, ids["voting"]),
            Phase.VOTING,
            reason="Restored and closed.",
            today=date(2026, 1, 1),
        )
        assert council.get(f"/c/{ids['voting']}/results").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_a_backup_does_not_wait_for_a_transaction_under_way_nor_hold_it(databases, tmp_path):
    """Taken while the site writes: the copy is a snapshot of what was committed."""
    source_url, restored_url = databases
    source = _app(source_url)
    with source.app_context():
        db.create_all()
        stamp()
        factories.build_world()
        users = db.session.scalar(select(func.count()).select_from(User))
        db.session.remove()
        writer = create_engine(source_url)
        with Session(writer) as session:
            session.add(User(username="late", display_name="Late", password_hash="x"))
            session.flush()  # written, holding the write lock, not committed
            backups.backup(db.engine, tmp_path / "during.dump")
            session.rollback()
        writer.dispose()
        db.engine.dispose()
    _restore(tmp_path / "during.dump", restored_url)
    with _app(restored_url).app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == users
        db.session.remove()
        db.engine.dispose()


def test_backup_refuses_an_existing_file_and_leaves_it_alone(databases, tmp_path):
    source = _app(databases[0])
    existing = tmp_path / "precious"
    existing.write_text("keep me")
    with source.app_context():
        db.create_all()
        result = source.test_cli_runner().invoke(args=["backup", str(existing)])
        db.engine.dispose()
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert existing.read_text() == "keep me"


def test_backup_refuses_an_in_memory_database(tmp_path):
    app = _app("sqlite://")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")])
    assert result.exit_code != 0 and "in-memory" in result.output
    assert not (tmp_path / "b").exists()


def test_libpq_environment_carries_every_parameter_and_refuses_unknown_ones():
    url = make_url(
        "postgresql+psycopg://pb:s3cret@db.example:6543/pb?sslmode=require&connect_timeout=5"
    )
    assert backups.libpq_environment(url) == {
        "PGHOST": "db.example",
        "PGPORT": "6543",
        "PGUSER": "pb",
        "PGPASSWORD": "s3cret",
        "PGDATABASE": "pb",
        "PGSSLMODE": "require",
        "PGCONNECT_TIMEOUT": "5",
    }
    socket = make_url("postgresql+psycopg:///pb?host=/var/run/postgresql")
    assert backups.libpq_environment(socket) == {
        "PGDATABASE": "pb",
        "PGHOST": "/var/run/postgresql",
    }
    with pytest.raises(backups.BackupError, match="unknown_thing"):
        backups.libpq_environment(make_url("postgresql+psycopg:///pb?unknown_thing=1"))


def _fake_pg_dump(tmp_path: Path, version: str) -> Path:
    """A pg_dump that says it is ``version`` and writes down how it was called."""
    program = tmp_path / "pg_dump"
    program.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) {version}"; exit 0; fi\n'
        f'echo "$@" > {tmp_path}/argv\n'
        f'echo "$PGPASSWORD" > {tmp_path}/password\n'
        'for a in "$@"; do case "$a" in --file=*) echo dump > "${a#--file=}";; esac; done\n'
    )
    program.chmod(0o755)
    return program


def _postgresql_app() -> Flask:
    if not TEST_DATABASE_URL:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (make test-postgres does)")
    return _app(TEST_DATABASE_URL)


def test_pg_dump_gets_the_password_in_its_environment_not_its_arguments(tmp_path, monkeypatch):
    app = _postgresql_app()
    fake = _fake_pg_dump(tmp_path, "99.1")
    url = make_url(TEST_DATABASE_URL).set(password="s3cret")
    with app.app_context():
        engine = create_engine(url)
        backups.backup(engine, tmp_path / "b.dump", pg_dump=str(fake))
        engine.dispose()
        db.engine.dispose()
    argv = (tmp_path / "argv").read_text()
    assert "s3cret" not in argv and "--format=custom" in argv
    assert (tmp_path / "password").read_text().strip() == "s3cret"
    assert stat.S_IMODE((tmp_path / "b.dump").stat().st_mode) == 0o600


def test_a_pg_dump_older_than_the_server_or_none_at_all_is_a_clear_error(tmp_path, monkeypatch):
    app = _postgresql_app()
    old = _fake_pg_dump(tmp_path, "9.6.24")
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["backup", str(tmp_path / "old.dump"), "--pg-dump", str(old)]
        )
        assert result.exit_code != 0 and "older than the server" in result.output
        assert not (tmp_path / "old.dump").exists()
        monkeypatch.setattr(backups, "client_programs", lambda name: [])
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "none.dump")])
        assert result.exit_code != 0 and "pg_dump was not found" in result.output
        db.engine.dispose()


def test_backup_refuses_a_database_file_that_is_not_there(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'missing.sqlite'}")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")])
        db.engine.dispose()
    assert result.exit_code != 0 and "no database file" in result.output
    assert not (tmp_path / "b").exists()


def test_backup_says_so_when_postgresql_does_not_answer(tmp_path):
    app = _app("postgresql+psycopg://postgres@127.0.0.1:1/pb?connect_timeout=2")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")])
        db.engine.dispose()
    assert result.exit_code != 0 and "Cannot reach the database" in result.output
    assert not (tmp_path / "b").exists()
