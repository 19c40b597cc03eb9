"""The values the counting rules work on: projects, an election, and what a rule decides.

Money is whole currency units (``int``); anything a rule derives from it (a voter's share, a
price) is a ``fractions.Fraction``. Nothing here is ever a float.

The classes are plain value classes (equal when their fields are equal, read-only once made)
rather than dataclasses: importing ``dataclasses`` imports ``inspect``, ``ast`` and more, about
7 ms of every ``python -m pb.counting``, the process bench/count.py times.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

APPROVAL = "approval"
CUMULATIVE = "cumulative"
VOTE_TYPES = (APPROVAL, CUMULATIVE)

#: A ballot: project id → points (1 for every project an approval ballot approves).
Ballot = Mapping[str, int]

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


class _Value:
    """Equality, hashing, repr and read-only fields from ``__slots__``, as a frozen dataclass."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__name__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{self.__class__.__name__} is read-only")

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)


class Project(_Value):
    """A project on the ballot. ``id`` is compared as text; ``cost`` is a positive whole number."""

    __slots__ = ("id", "cost")
    id: str
    cost: int

    def __init__(self, id: str, cost: int) -> None:
        if not isinstance(id, str) or not id:
            raise ValueError(f"A project id must be a non-empty string, not {id!r}.")
        if isinstance(cost, bool) or not isinstance(cost, int) or cost < 1:
            raise ValueError(
                f"Project {id}: the cost must be a whole number of at least 1, not {cost!r}."
            )
        self._set(id=id, cost=cost)


class Election(_Value):
    """One election: the budget, the projects (in their listed order) and the ballots.

    ``meta`` keeps the other META entries as read (description, country, rule...), and
    ``project_meta`` the other PROJECTS columns per project id (name, selected...); both are text,
    with ``None`` for a missing value. The counting rules use neither.
    """

    __slots__ = (
        "budget",
        "projects",
        "ballots",
        "vote_type",
        *LIMIT_KEYS,
        "meta",
        "project_meta",
    )
    budget: int
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    vote_type: str
    min_length: int | None
    max_length: int | None
    min_sum_cost: int | None
    max_sum_cost: int | None
    min_points: int | None
    max_points: int | None
    min_sum_points: int | None
    max_sum_points: int | None
    meta: Mapping[str, str | None]
    project_meta: Mapping[str, Mapping[str, str | None]]

    def __init__(
        self,
        budget: int,
        projects: tuple[Project, ...] | list[Project],
        ballots: tuple[Ballot, ...] | list[Ballot],
        vote_type: str = APPROVAL,
        min_length: int | None = None,
        max_length: int | None = None,
        min_sum_cost: int | None = None,
        max_sum_cost: int | None = None,
        min_points: int | None = None,
        max_points: int | None = None,
        min_sum_points: int | None = None,
        max_sum_points: int | None = None,
        meta: Mapping[str, str | None] | None = None,
        project_meta: Mapping[str, Mapping[str, str | None]] | None = None,
    ) -> None:
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 0:
            raise ValueError(f"The budget must be a whole number of at least 0, not {budget!r}.")
        if vote_type not in VOTE_TYPES:
            raise ValueError(f"Unknown vote type {vote_type!r}; expected one of {VOTE_TYPES}.")
        projects = tuple(projects)
        ids = [p.id for p in projects]
        if len(set(ids)) != len(ids):
            raise ValueError("Project ids must be unique.")
        self._set(
            budget=budget,
            projects=projects,
            ballots=tuple(ballots),
            vote_type=vote_type,
            min_length=min_length,
            max_length=max_length,
            min_sum_cost=min_sum_cost,
            max_sum_cost=max_sum_cost,
            min_points=min_points,
            max_points=max_points,
            min_sum_points=min_sum_points,
            max_sum_points=max_sum_points,
            meta={} if meta is None else meta,
            project_meta={} if project_meta is None else project_meta,
        )

    def replace(self, **changes: object) -> Election:
        """A copy with some fields changed (checked again)."""
        return Election(**{name: getattr(self, name) for name in self.__slots__} | changes)

    @property
    def project_by_id(self) -> dict[str, Project]:
        return {p.id: p for p in self.projects}

    def support(self) -> dict[str, int]:
        """Votes per project: the number of approvers, or the sum of points on points ballots."""
        totals = dict.fromkeys((p.id for p in self.projects), 0)
        for ballot in self.ballots:
            for project_id, points in ballot.items():
                totals[project_id] += points
        return totals

    def supporters(self) -> dict[str, int]:
        """The number of voters who gave each project at least one point."""
        totals = dict.fromkeys((p.id for p in self.projects), 0)
        for ballot in self.ballots:
            for project_id, points in ballot.items():
                if points > 0:
                    totals[project_id] += 1
        return totals


# What became of a project, for the explanation beside each result.
FUNDED = "funded"
FUNDED_IN_COMPLETION = "funded-in-completion"
NO_VOTES = "no-votes"
NOT_ENOUGH_MONEY = "supporters-money-not-enough"
DID_NOT_FIT = "did-not-fit"
REASONS = (FUNDED, FUNDED_IN_COMPLETION, NO_VOTES, NOT_ENOUGH_MONEY, DID_NOT_FIT)


class ProjectResult(_Value):
    """Why a project was or was not funded.

    ``reason`` is one of ``REASONS``. ``support`` is its votes (approvals, or points).
    ``position`` is its place in the order of funding (1 = funded first). For Equal Shares,
    ``price`` is what each supporter was asked per point (per approval on approval ballots) in the
    round it was funded — a supporter with less left paid all they had — and, for a project Equal
    Shares did not fund, ``supporters_money`` is what its supporters held when the rule stopped.
    ``remaining_budget`` is, for a project greedy (or the greedy completion) did not fund because
    it did not fit, the money left when its turn came.
    """

    __slots__ = (
        "project_id",
        "reason",
        "support",
        "cost",
        "position",
        "price",
        "supporters_money",
        "remaining_budget",
    )
    project_id: str
    reason: str
    support: int
    cost: int
    position: int | None
    price: Fraction | None
    supporters_money: Fraction | None
    remaining_budget: int | None

    def __init__(
        self,
        project_id: str,
        reason: str,
        support: int,
        cost: int,
        position: int | None = None,
        price: Fraction | None = None,
        supporters_money: Fraction | None = None,
        remaining_budget: int | None = None,
    ) -> None:
        self._set(
            project_id=project_id,
            reason=reason,
            support=support,
            cost=cost,
            position=position,
            price=price,
            supporters_money=supporters_money,
            remaining_budget=remaining_budget,
        )

    @property
    def funded(self) -> bool:
        return self.reason in (FUNDED, FUNDED_IN_COMPLETION)


class Outcome(_Value):
    """What a rule decided: the funded project ids in the order funded, and why for every project.

    For Equal Shares, ``voter_share`` is each voter's share of the budget in the run whose outcome
    was kept (budget / number of ballots, plus ``increments`` whole units).
    """

    __slots__ = (
        "rule",
        "funded",
        "total_cost",
        "budget",
        "projects",
        "voter_share",
        "increments",
    )
    rule: str
    funded: tuple[str, ...]
    total_cost: int
    budget: int
    projects: Mapping[str, ProjectResult]
    voter_share: Fraction | None
    increments: int | None

    def __init__(
        self,
        rule: str,
        funded: tuple[str, ...],
        total_cost: int,
        budget: int,
        projects: Mapping[str, ProjectResult],
        voter_share: Fraction | None = None,
        increments: int | None = None,
    ) -> None:
        self._set(
            rule=rule,
            funded=funded,
            total_cost=total_cost,
            budget=budget,
            projects=projects,
            voter_share=voter_share,
            increments=increments,
        )

    @property
    def left_over(self) -> int:
        return self.budget - self.total_cost
