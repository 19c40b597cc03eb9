"""Counting: the rules that decide which projects are funded, and Pabulib's .pb files.

Pure Python with exact arithmetic; nothing here knows about Flask or the database. A rule takes an
``Election`` and returns an ``Outcome``; ``RULES`` finds one by name, so a new rule is one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import signature

from pb.counting.model import (
    APPROVAL,
    CUMULATIVE,
    DID_NOT_FIT,
    FUNDED,
    FUNDED_IN_COMPLETION,
    NO_VOTES,
    NOT_ENOUGH_MONEY,
    Election,
    Outcome,
    Project,
    ProjectResult,
)
from pb.counting.pabulib import PabulibError, UnsupportedVoteType, parse_pb, read_pb, write_pb
from pb.counting.rules import equal_shares, equal_shares_as_pabulib_checker, greedy

Rule = Callable[..., Outcome]

RULES: dict[str, Rule] = {
    "greedy": greedy,
    "equal-shares": equal_shares,
}
#: The rules that can spend what they leave by greedy (they take ``complete_greedy``).
COMPLETED_BY_GREEDY = frozenset(
    name for name, rule in RULES.items() if "complete_greedy" in signature(rule).parameters
)

__all__ = [
    "APPROVAL",
    "COMPLETED_BY_GREEDY",
    "CUMULATIVE",
    "DID_NOT_FIT",
    "FUNDED",
    "FUNDED_IN_COMPLETION",
    "NOT_ENOUGH_MONEY",
    "NO_VOTES",
    "RULES",
    "Election",
    "Outcome",
    "PabulibError",
    "Project",
    "ProjectResult",
    "UnsupportedVoteType",
    "equal_shares",
    "equal_shares_as_pabulib_checker",
    "greedy",
    "parse_pb",
    "read_pb",
    "write_pb",
]
