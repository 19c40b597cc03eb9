"""Counting a .pb file from the shell: ``python -m pb.counting FILE.pb --rule ...`` and
``flask --app pb count FILE.pb --rule ...`` (pb/counting_cli.py) both run ``main``, which needs
neither Flask nor a database."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Sequence

from pb.counting import COMPLETED_BY_GREEDY, RULES
from pb.counting.pabulib import PabulibError, read_pb

RULE_NAMES = tuple(RULES)


class CountError(Exception):
    """A file that cannot be counted, or options that do not go together; the message says why."""


def count_file(path: str, rule: str, complete_greedy: bool = False) -> dict[str, object]:
    """The outcome of counting ``path`` by ``rule``, as the command prints it."""
    if rule not in RULES:
        raise CountError(f"unknown rule {rule!r}; choose one of {', '.join(RULE_NAMES)}")
    if complete_greedy and rule not in COMPLETED_BY_GREEDY:
        with_rules = " or ".join(f"--rule {name}" for name in sorted(COMPLETED_BY_GREEDY))
        raise CountError(f"--complete-greedy goes with {with_rules}")
    try:
        election = read_pb(path)
    except OSError as error:
        raise CountError(f"cannot read {path}: {error.strerror or error}") from error
    except PabulibError as error:
        raise CountError(str(error)) from error
    options = {"complete_greedy": True} if complete_greedy else {}
    outcome = RULES[rule](election, **options)
    return {"rule": rule, "funded": list(outcome.funded), "cost": outcome.total_cost}


def main(argv: Sequence[str] | None = None, prog: str = "python -m pb.counting") -> int:
    """Count as the command line asks and print the outcome as JSON; the exit status.

    A file that cannot be counted gives status 1 and a message on stderr; arguments argparse
    refuses end the process with status 2, as argparse does.
    """
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Count a pabulib .pb file (approval or cumulative) and print the outcome as JSON.",
    )
    parser.add_argument("path", metavar="FILE.pb")
    parser.add_argument("--rule", choices=RULE_NAMES, required=True)
    parser.add_argument(
        "--complete-greedy", action="store_true", help="Equal Shares: spend what is left by greedy."
    )
    options = parser.parse_args(argv)
    # Reading and counting a city's file makes millions of small objects (ballots, their
    # tuples) and no reference cycles; the cyclic garbage collector would walk them again and
    # again, a tenth to a quarter of the time on Warsaw's files. The process counts once and
    # ends, so it is paused meanwhile.
    gc.disable()
    try:
        result = count_file(options.path, options.rule, options.complete_greedy)
    except CountError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    finally:
        gc.enable()
    print(json.dumps(result))
    return 0
