"""The values the counting rules work on: projects, an election, and what a rule decides.

Money is whole currency units (``int``); anything a rule derives from it (a voter's share, a
price) is a ``fractions.Fraction``. Nothing here is ever a float.

The values are frozen dataclasses: equal when their fields are equal, read-only once made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

APPROVAL = "approval"
CUMULATIVE = "cumulative"
VOTE_TYPES = (APPROVAL, CUMULATIVE)

#: A ballot: project id → points (1 for every project an approval ballot approves).
Ballot = Mapping[str, int]


def tie_break_key(project_id: str, cost: int, votes: int) -> tuple[int, int, str]:
    """Sorts first the project that wins a tie: cheaper, then more votes, then smaller id."""
    return (cost, -votes, project_id)


#: The ballot limits an election may state in its META section (``None`` when not stated).
LIMIT_KEYS = (
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)


@dataclass(frozen=True, slots=True)
class Project:
    """A project on the ballot. ``id`` is compared as text; ``cost`` is a positive whole number."""

    id: str
    cost: int

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"A project id must be a non-empty string, not {self.id!r}.")
        if isinstance(self.cost, bool) or not isinstance(self.cost, int) or self.cost < 1:
            raise ValueError(
                f"Project {self.id}: the cost must be a whole number of at least 1, "
                f"not {self.cost!r}."
            )


@dataclass(frozen=True, slots=True)
class Election:
    """One election: the budget, the projects (in their listed order) and the ballots.

    ``projects`` and ``ballots`` may be given as lists; they are kept as tuples. ``meta`` keeps
    the other META entries as read (description, country, rule...), and ``project_meta`` the
    other PROJECTS columns per project id (name, selected...); both are text, with ``None`` for a
    missing value. The counting rules use neither.
    """

    budget: int
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    vote_type: str = APPROVAL
    min_length: int | None = None
    max_length: int | None = None
    min_sum_cost: int | None = None
    max_sum_cost: int | None = None
    min_points: int | None = None
    max_points: int | None = None
    min_sum_points: int | None = None
    max_sum_points: int | None = None
    meta: Mapping[str, str | None] = field(default_factory=dict)
    project_meta: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    _counted: tuple[dict[str, int], dict[str, int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        budget = self.budget
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 0:
            raise ValueError(f"The budget must be a whole number of at least 0, not {budget!r}.")
        if self.vote_type not in VOTE_TYPES:
            raise ValueError(f"Unknown vote type {self.vote_type!r}; expected one of {VOTE_TYPES}.")
        # A frozen dataclass sets its own fields through object.__setattr__ (as the dataclasses
        # documentation says): lists become tuples, so the election cannot change once made.
        object.__setattr__(self, "projects", tuple(self.projects))
        object.__setattr__(self, "ballots", tuple(self.ballots))
        ids = [p.id for p in self.projects]
        if len(set(ids)) != len(ids):
            raise ValueError("Project ids must be unique.")

    def replace(self, **changes: Any) -> Election:
        """A copy with some fields changed (checked again)."""
        return dataclasses.replace(self, **changes)

    @property
    def project_by_id(self) -> dict[str, Project]:
        return {p.id: p for p in self.projects}

    def support(self) -> dict[str, int]:
        """Votes per project: the number of approvers, or the sum of points on points ballots."""
        return dict(self._tallies()[0])

    def supporters(self) -> dict[str, int]:
        """The number of voters who gave each project at least one point."""
        return dict(self._tallies()[1])

    def _tallies(self) -> tuple[dict[str, int], dict[str, int]]:
        """Votes and supporters per project, counted in one pass over the ballots the first
        time they are asked for (a city's 100,000 ballots take a tenth of a second), and kept:
        the election cannot change."""
        counted = self._counted
        if counted is None:
            votes = dict.fromkeys((p.id for p in self.projects), 0)
            supporters = dict(votes)
            for ballot in self.ballots:
                for project_id, points in ballot.items():
                    votes[project_id] += points
                    if points > 0:
                        supporters[project_id] += 1
            counted = (votes, supporters)
            object.__setattr__(self, "_counted", counted)
        return counted


# What became of a project, for the explanation beside each result.
FUNDED = "funded"
FUNDED_IN_COMPLETION = "funded-in-completion"
NO_VOTES = "no-votes"
NOT_ENOUGH_MONEY = "supporters-money-not-enough"
DID_NOT_FIT = "did-not-fit"
REASONS = (FUNDED, FUNDED_IN_COMPLETION, NO_VOTES, NOT_ENOUGH_MONEY, DID_NOT_FIT)


@dataclass(frozen=True, slots=True)
class ProjectResult:
    """Why a project was or was not funded.

    ``reason`` is one of ``REASONS``. ``support`` is its votes (approvals, or points).
    ``position`` is its place in the order of funding (1 = funded first). For Equal Shares,
    ``price`` is what each supporter was asked per point (per approval on approval ballots) in the
    round it was funded — a supporter with less left paid all they had — and, for a project Equal
    Shares did not fund, ``supporters_money`` is what its supporters held when the rule stopped.
    ``paid_all`` is, for a project Equal Shares funded, how many of its supporters could not pay
    the price in full and paid all they had left (so that a reader can add the payments up).
    ``remaining_budget`` is, for a project greedy (or the greedy completion) did not fund because
    it did not fit, the money left when its turn came.
    """

    project_id: str
    reason: str
    support: int
    cost: int
    position: int | None = None
    price: Fraction | None = None
    supporters_money: Fraction | None = None
    remaining_budget: int | None = None
    paid_all: int | None = None

    @property
    def funded(self) -> bool:
        return self.reason in (FUNDED, FUNDED_IN_COMPLETION)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a rule decided: the funded project ids in the order funded, and why for every project.

    For Equal Shares, ``voter_share`` is each voter's share of the budget in the run whose outcome
    was kept (budget / number of ballots, plus ``increments`` whole units).
    """

    rule: str
    funded: tuple[str, ...]
    total_cost: int
    budget: int
    projects: Mapping[str, ProjectResult]
    voter_share: Fraction | None = None
    increments: int | None = None

    @property
    def left_over(self) -> int:
        return self.budget - self.total_cost
