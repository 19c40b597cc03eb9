"""``flask --app pb count FILE.pb --rule ...``: counting from the shell without the web app.

setup.cfg registers ``count`` as a Flask plugin command (the ``flask.commands`` entry point
group). Flask looks plugin commands up before it loads the application, so this command never
calls ``create_app``: no configuration, database or translations, only the counting core. Flask
imports every plugin's module whenever ``flask`` starts, so this one imports only click until the
command runs.
"""

from __future__ import annotations

import click


# The arguments go to pb.counting.command as they are: one parser for both ways of counting
# (this one and ``python -m pb.counting``), so both accept and refuse the same command lines.
@click.command(
    context_settings={"ignore_unknown_options": True},
    add_help_option=False,
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def count(context: click.Context, arguments: tuple[str, ...]) -> None:
    """Count a pabulib .pb file (approval or cumulative) and print the outcome as JSON."""
    from pb.counting.command import main

    context.exit(main(arguments, prog=context.command_path))
