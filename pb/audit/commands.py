"""``flask --app pb audit verify``: recompute the chain of digests."""

from __future__ import annotations

import click
from flask import Blueprint

from pb.audit import trail

PROBLEMS = {
    "digest": "its content was changed (its digest does not match)",
    "link": "it does not follow the entry before it (an entry was deleted, changed or inserted)",
    "numbering": "an entry before it is missing or one was inserted (numbers are not consecutive)",
}


def register(bp: Blueprint) -> None:
    bp.cli.command("verify")(verify)


def verify() -> None:
    """Check that no audit entry was changed, deleted or inserted out of the chain."""
    result = trail.verify()
    if result.ok:
        click.echo(f"{result.intact} audit entries checked: the chain is intact.")
        if result.head:
            # Deleting the newest entries leaves a shorter chain that still holds: compare this
            # with a copy kept elsewhere to see that none went missing.
            click.echo(f"Latest digest: {result.head}")
        return
    click.echo(
        f"{result.intact} audit entries are intact; entry #{result.broken_id} is broken: "
        f"{PROBLEMS.get(result.problem or '', result.problem)}.",
        err=True,
    )
    raise SystemExit(1)
