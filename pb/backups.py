"""Backups taken while the site runs (``flask --app pb backup FILE``): a consistent copy of the
database in one file, readable by its owner only.

- SQLite: ``VACUUM INTO``, on a connection of its own, reads one snapshot (the journal is WAL,
  so voters keep voting while it runs) and writes a compact database file.
- PostgreSQL: ``pg_dump --format=custom`` dumps one snapshot; ``pg_restore`` reads it back.
  The connection parameters go to pg_dump in libpq's environment variables, never on its
  command line, where any user of the machine could read the password.

How to restore is the README's "Backups" section; tests/test_backups.py follows it.
A backup taken during voting holds the links between voters and their ballots: it is as secret
as the database itself.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError

# libpq's environment variable for each connection parameter a URL may carry.
LIBPQ_ENVIRONMENT = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "sslmode": "PGSSLMODE",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING",
}

# Where Debian and most packages put each version's client programs.
_VERSIONED_BIN_DIRS = "/usr/lib/postgresql/*/bin"


class BackupError(Exception):
    """The backup cannot be taken; the message says why and what to do."""


def backup(engine: Engine, target: Path, pg_dump: str | None = None) -> None:
    """Write a consistent copy of ``engine``'s database to ``target``, a new file made
    readable by its owner only. Refuses if ``target`` exists. ``pg_dump``: the program to use
    on PostgreSQL (by default the newest one found)."""
    dialect = engine.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise BackupError(f"Cannot back up a {dialect} database.")
    if dialect == "sqlite":
        if engine.url.database in (None, "", ":memory:"):
            raise BackupError("An in-memory database has nothing to back up.")
        if not os.path.isfile(engine.url.database):
            # sqlite3 would make an empty one, and back that up.
            raise BackupError(f"There is no database file at {engine.url.database}.")
    if dialect == "postgresql":
        # Found and checked before the file is made, so a refusal leaves nothing behind.
        pg_dump = _checked_pg_dump(engine, pg_dump)
    _create_private(target)
    try:
        if dialect == "sqlite":
            _vacuum_into(engine.url, target)
        else:
            assert pg_dump is not None
            _pg_dump(engine.url, target, pg_dump)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        raise


def _create_private(target: Path) -> None:
    # Made here, empty, with owner-only permissions, so the copy never exists readable by
    # others; O_EXCL refuses an existing file, even one that appears at the last moment.
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{target} exists already; give the name of a new file.") from None
    except OSError as error:
        raise BackupError(f"Cannot create {target}: {error.strerror}.") from None
    os.close(descriptor)
    os.chmod(target, 0o600)  # whatever the umask took away, no more than the owner


def _vacuum_into(url: URL, target: Path) -> None:
    # SQLite writes into an existing file only if it is empty, as the one just made is.
    # The busy timeout is pb.sqlite's: a checkpoint under way may hold the file a moment.
    assert url.database is not None
    connection = sqlite3.connect(url.database, timeout=30, isolation_level=None)
    try:
        connection.execute("VACUUM INTO ?", (str(target),))
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not write the backup: {error}.") from None
    finally:
        connection.close()


def libpq_environment(url: URL) -> dict[str, str]:
    """The URL's connection parameters as libpq's environment variables (PGHOST, PGPASSWORD...):
    what pg_dump and pg_restore need to reach the same database as the app."""
    parameters: dict[str, object] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    for name, given in url.query.items():
        parameters[name] = given if isinstance(given, str) else given[-1]
    environment = {}
    for name, value in parameters.items():
        if value is None or value == "":
            continue
        if name not in LIBPQ_ENVIRONMENT:
            raise BackupError(f"The database URL's parameter {name!r} cannot be passed to pg_dump.")
        environment[LIBPQ_ENVIRONMENT[name]] = str(value)
    return environment


def _client_environment(url: URL) -> dict[str, str]:
    # Nothing from the caller's own PG* variables: the dump is of the app's database.
    base = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return {**base, **libpq_environment(url)}


def client_programs(name: str) -> list[str]:
    """Candidates for a PostgreSQL client program, newest version first: the versioned
    directories (Debian's), then the one on PATH."""

    def version(path: str) -> int:
        found = re.search(r"/postgresql/(\d+)/bin/", path)
        return int(found.group(1)) if found else 0

    versioned = sorted(glob.glob(f"{_VERSIONED_BIN_DIRS}/{name}"), key=version, reverse=True)
    on_path = shutil.which(name)
    return [*versioned, *([on_path] if on_path else [])]


def major_version(program: str) -> int:
    """The major version of a PostgreSQL client program (``pg_dump --version``)."""
    try:
        output = subprocess.run(
            [program, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise BackupError(f"Cannot run {program}: {error}.") from None
    found = re.search(r"\)\s*(\d+)", output) or re.search(r"(\d+)\.\d+", output)
    if found is None:
        raise BackupError(f"Cannot read the version of {program}: {output.strip()!r}.")
    return int(found.group(1))


def _checked_pg_dump(engine: Engine, chosen: str | None) -> str:
    try:
        with engine.connect() as connection:
            number = connection.execute(text("SHOW server_version_num")).scalar_one()
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise BackupError(f"Cannot reach the database: {reason}") from None
    server = int(number) // 10000
    candidates = [chosen] if chosen else client_programs("pg_dump")
    if not candidates:
        raise BackupError(
            "pg_dump was not found. Install PostgreSQL's client programs "
            f"(version {server} or newer), or give its path with --pg-dump."
        )
    program = candidates[0]
    client = major_version(program)
    if client < server:
        raise BackupError(
            f"{program} is version {client}, older than the server ({server}), and cannot "
            f"dump it. Install PostgreSQL {server}'s client programs, or give a newer "
            "pg_dump with --pg-dump."
        )
    return program


def _pg_dump(url: URL, target: Path, program: str) -> None:
    completed = subprocess.run(
        [program, "--format=custom", "--no-password", f"--file={target}"],
        env=_client_environment(url),
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise BackupError(f"pg_dump failed: {completed.stderr.strip()}")
