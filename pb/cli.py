"""Command line: `flask --app pb ...`."""

from __future__ import annotations

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
        from pb.auth.services import create_admin as make_admin

        if len(password) < 8:
            raise click.ClickException("The password needs at least 8 characters.")
        try:
            user = make_admin(login, password, display_name)
        except PhoneError:
            raise click.ClickException(
                "Not a Kyrgyz phone number; give +996... or a user name."
            ) from None
        click.echo(f"Administrator ready: {user.login_name}")

    @app.cli.command("count")
    @click.argument("path", type=click.Path(dir_okay=False))
    @click.option("--rule", type=click.Choice(["greedy", "equal-shares"]), required=True)
    @click.option(
        "--complete-greedy", is_flag=True, help="Equal Shares: spend what is left by greedy."
    )
    def count(path: str, rule: str, complete_greedy: bool) -> None:
        """Count a pabulib .pb file (approval or cumulative) and print the outcome as JSON."""
        import json

        from pb.counting.command import CountError, count_file

        try:
            result = count_file(path, rule, complete_greedy)
        except CountError as error:
            raise click.ClickException(str(error)) from None
        click.echo(json.dumps(result))

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
