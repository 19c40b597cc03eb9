"""Command line: `flask --app pb ...`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from pb.auth.phone import PhoneError


def register_cli(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option(
        "--login", prompt="Phone number or user name", help="Phone (+996...) or user name."
    )
    @click.option("--name", "display_name", default="Administrator", show_default=True)
    @click.password_option(help="Read from a prompt when not given.")
    def create_admin(login: str, display_name: str, password: str) -> None:
        """Create the first site administrator (or make an existing account one)."""
        from flask_babel import force_locale

        from pb.auth.passwords import password_problem
        from pb.auth.services import create_admin as make_admin

        if len(password) < 8:
            raise click.ClickException("The password needs at least 8 characters.")
        problem = password_problem(password, [login, display_name])
        if problem is not None:
            with force_locale("en"):
                raise click.ClickException(str(problem))
        try:
            user = make_admin(login, password, display_name)
        except PhoneError:
            raise click.ClickException(
                "Not a Kyrgyz phone number; give +996... or a user name."
            ) from None
        click.echo(f"Administrator ready: {user.login_name}")

    @app.cli.command("worker")
    @click.option(
        "--workers",
        type=click.IntRange(1, 64),
        default=None,
        help="Jobs run at once (default: JOBS_WORKERS, 1).",
    )
    def worker(workers: int | None) -> None:
        """Run background jobs (imports, closing and publishing votes) until stopped."""
        from pb.jobs.queue import run_worker

        run_worker(app, workers or int(app.config["JOBS_WORKERS"]))

    @app.cli.command("load-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database has data.")
    def load_demo(if_empty: bool) -> None:
        """Load demo municipalities, accounts, a consultation and proposals."""
        from pb.demo import load_demo_data
        from pb.extensions import db
        from pb.models import User

        if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
            click.echo("The database has data; demo data not loaded.")
            return
        load_demo_data()
        click.echo("Demo data loaded.")

    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--pg-dump", "pg_dump", help="pg_dump to use (default: the newest found).")
    def backup(file: Path, pg_dump: str | None) -> None:
        """Write a consistent copy of the database to FILE (a new file, owner-only) while the
        site runs. It is secret: during voting it links voters to ballots."""
        from pb.backups import BackupError
        from pb.backups import backup as take_backup
        from pb.extensions import db

        try:
            take_backup(db.engine, file, pg_dump=pg_dump)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Backup written to {file}")
