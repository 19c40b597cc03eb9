"""The same counts done by pabutools, the research library pb's rules are checked against.

Test-only: pabutools is installed by the ``test`` extras and never imported by ``pb``.

The election is handed to pabutools as it is counted by pb: projects nobody voted for are left
out (pb never funds them, and they do not count when deciding whether the budget is spent), and
ties are broken the same way — the cheaper project first, then the one with more votes (points on
points ballots), then the project id compared as text. pabutools' own default breaks ties by id
alone.

Rule parameters (pabutools 1.2.x):
  greedy         greedy_utilitarian_welfare, sat_class=Cost_Sat for approval ballots — its ratio
                 satisfaction / cost is then the number of approvers. For points ballots
                 ``PointsTimesCostSat`` (points × cost), whose ratio is the sum of points.
  equal-shares   method_of_equal_shares, sat_class=Cost_Sat (approval) or Additive_Cardinal_Sat
                 (points), voter_budget_increment=1 (the "Add1" completion).
  equal-shares with complete_greedy
                 completion_by_rule_combination(instance, profile,
                 [method_of_equal_shares, greedy_utilitarian_welfare], [those MES parameters,
                 those greedy parameters]).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pb.counting.model import APPROVAL, Election

RULE_PARAMETERS = {
    "greedy": "greedy_utilitarian_welfare(sat_class=Cost_Sat for approval, PointsTimesCostSat "
    "(points x cost) for points ballots, tie_breaking=pb's)",
    "equal-shares": "method_of_equal_shares(sat_class=Cost_Sat for approval, "
    "Additive_Cardinal_Sat for points ballots, voter_budget_increment=1, tie_breaking=pb's)",
    "equal-shares+greedy": "completion_by_rule_combination([method_of_equal_shares, "
    "greedy_utilitarian_welfare], [equal-shares parameters, greedy parameters])",
}
TIE_BREAKING = "cheaper first, then more votes (sum of points), then project id as text"
RULE_KEYS = tuple(RULE_PARAMETERS)


def available() -> bool:
    try:
        import pabutools  # noqa: F401
    except ImportError:
        return False
    return True


def version() -> str:
    from importlib.metadata import version as package_version

    return package_version("pabutools")


@dataclass
class Converted:
    instance: object
    profile: object
    tie_breaking: object
    greedy_sat: type
    mes_sat: type


def convert(election: Election) -> Converted:
    from pabutools.election import (
        Additive_Cardinal_Sat,
        AdditiveSatisfaction,
        ApprovalBallot,
        ApprovalProfile,
        Cost_Sat,
        CumulativeBallot,
        CumulativeProfile,
        Instance,
        Project,
    )
    from pabutools.tiebreaking import TieBreakingRule

    class PointsTimesCostSat(AdditiveSatisfaction):
        """Points × cost: greedy's ratio satisfaction / cost is then the project's points."""

        def __init__(self, instance, profile, ballot):
            super().__init__(
                instance, profile, ballot, lambda inst, prof, b, p, pre: b.get(p, 0) * p.cost
            )

    supporters = election.supporters()
    support = election.support()
    projects = {p.id: Project(p.id, p.cost) for p in election.projects if supporters[p.id] > 0}
    instance = Instance(projects.values(), budget_limit=election.budget)
    if election.vote_type == APPROVAL:
        profile = ApprovalProfile(
            [
                ApprovalBallot(projects[pid] for pid, pts in b.items() if pts > 0)
                for b in election.ballots
            ]
        )
        greedy_sat, mes_sat = Cost_Sat, Cost_Sat
    else:
        profile = CumulativeProfile(
            [
                CumulativeBallot({projects[pid]: pts for pid, pts in b.items() if pts > 0})
                for b in election.ballots
            ]
        )
        greedy_sat, mes_sat = PointsTimesCostSat, Additive_Cardinal_Sat
    tie_breaking = TieBreakingRule(
        lambda inst, prof, project: (project.cost, -support[project.name], project.name)
    )
    return Converted(instance, profile, tie_breaking, greedy_sat, mes_sat)


def count(election: Election, rule: str) -> tuple[list[str], float]:
    """pabutools' funded project ids (in its order) for ``rule`` in RULE_KEYS, and its CPU
    seconds."""
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    c = convert(election)
    start = time.process_time()
    if rule == "greedy":
        allocation = greedy_utilitarian_welfare(c.instance, c.profile, **greedy_params(c))
    elif rule == "equal-shares":
        allocation = method_of_equal_shares(c.instance, c.profile, **mes_params(c))
    elif rule == "equal-shares+greedy":
        allocation = completion_by_rule_combination(
            c.instance,
            c.profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [mes_params(c), greedy_params(c)],
        )
    else:
        raise ValueError(rule)
    seconds = time.process_time() - start
    return [p.name for p in allocation], seconds


def count_all(election: Election) -> dict[str, tuple[list[str], float]]:
    """``count`` for every rule, computing Equal Shares once: the completion is pabutools'
    ``completion_by_rule_combination`` given a first rule that returns the Equal Shares outcome
    just computed, and its time is that of Equal Shares plus that of the completion."""
    from pabutools.rules import completion_by_rule_combination, greedy_utilitarian_welfare
    from pabutools.rules.budgetallocation import BudgetAllocation

    results = {rule: count(election, rule) for rule in ("greedy", "equal-shares")}
    c = convert(election)
    by_name = {p.name: p for p in c.instance}
    mes_funded, mes_seconds = results["equal-shares"]

    def computed_mes(instance, profile, initial_budget_allocation=None, resoluteness=True):
        return BudgetAllocation(by_name[name] for name in mes_funded)

    start = time.process_time()
    allocation = completion_by_rule_combination(
        c.instance, c.profile, [computed_mes, greedy_utilitarian_welfare], [{}, greedy_params(c)]
    )
    seconds = time.process_time() - start + mes_seconds
    results["equal-shares+greedy"] = ([p.name for p in allocation], seconds)
    return results


def greedy_params(c: Converted) -> dict:
    return {"sat_class": c.greedy_sat, "tie_breaking": c.tie_breaking}


def mes_params(c: Converted) -> dict:
    return {"sat_class": c.mes_sat, "voter_budget_increment": 1, "tie_breaking": c.tie_breaking}
