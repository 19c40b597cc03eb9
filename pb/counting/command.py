"""Counting a .pb file from the shell, shared by ``flask --app pb count`` and
``python -m pb.counting`` (the second needs neither Flask nor a database, and starts in
milliseconds: the speed figures in bench/count.py time that whole process)."""

from __future__ import annotations

import argparse
import json
import sys

from pb.counting import RULES
from pb.counting.pabulib import PabulibError, read_pb

RULE_NAMES = tuple(RULES)


class CountError(Exception):
    """A file that cannot be counted, or options that do not go together; the message says why."""


def count_file(path: str, rule: str, complete_greedy: bool = False) -> dict:
    """The outcome of counting ``path`` by ``rule``, as the command prints it."""
    if rule not in RULES:
        raise CountError(f"unknown rule {rule!r}; choose one of {', '.join(RULE_NAMES)}")
    if complete_greedy and rule != "equal-shares":
        raise CountError("--complete-greedy goes with --rule equal-shares")
    try:
        election = read_pb(path)
    except OSError as error:
        raise CountError(f"cannot read {path}: {error.strerror or error}") from error
    except PabulibError as error:
        raise CountError(str(error)) from error
    options = {"complete_greedy": True} if complete_greedy else {}
    outcome = RULES[rule](election, **options)
    return {"rule": rule, "funded": list(outcome.funded), "cost": outcome.total_cost}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pb.counting",
        description="Count a pabulib .pb file (approval or cumulative) and print the outcome as JSON.",
    )
    parser.add_argument("path", metavar="FILE.pb")
    parser.add_argument("--rule", choices=RULE_NAMES, required=True)
    parser.add_argument(
        "--complete-greedy", action="store_true", help="Equal Shares: spend what is left by greedy."
    )
    options = parser.parse_args(argv)
    try:
        result = count_file(options.path, options.rule, options.complete_greedy)
    except CountError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0
