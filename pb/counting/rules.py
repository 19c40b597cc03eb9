"""Counting rules: greedy by votes, and the Method of Equal Shares with the "Add1" completion.

Votes
    A project's votes are its number of approvers on approval ballots, and the sum of its points on
    points (cumulative) ballots. A project nobody voted for is never funded and plays no part in
    the count (in particular, not in deciding whether Equal Shares has spent the budget).

Ties
    Wherever two projects are equally good for a rule — the same votes for greedy, the same price
    per unit of satisfaction for Equal Shares — the cheaper one comes first, then the one with more
    votes (approvers, or points), then the one whose id comes first compared as text ("10" before
    "9"). This is the order of equalshares.net's reference code and of pabulib's checker; the
    comparison tests give pabutools the same order as a ``TieBreakingRule`` keyed on
    ``(cost, -votes, id)``.

Greedy (``greedy``)
    Projects in decreasing order of votes; each is funded if it fits in what is left of the budget,
    otherwise skipped, and the count goes on down the list.

Equal Shares (``equal_shares``)
    The Method of Equal Shares as used by cities: each voter holds an equal share of the budget and
    a project is funded only if its supporters can pay for it from their shares. A voter's
    satisfaction from a project is its cost on approval ballots ("cost utilities") and the points
    they gave it on points ballots. Each round funds the project with the lowest price ``rho`` per
    unit of satisfaction, where ``rho`` is the smallest value with
    ``sum over supporters of min(money left, rho * satisfaction) = cost``; each supporter pays
    ``min(money left, rho * satisfaction)``. The rounds end when no project's supporters hold
    enough money. This is pabutools 1.2's ``method_of_equal_shares`` (``Cost_Sat`` for approval,
    ``Additive_Cardinal_Sat`` for points), computed with exact fractions.

    Completion "Add1", as pabutools' ``voter_budget_increment=1``: the rule is re-run with each
    voter's share raised from ``budget / ballots`` by 1, 2, 3... whole currency units, and stops at
    the first run whose outcome costs more than the real budget (keeping the outcome of the run
    before it) or leaves no project with votes that would still fit (keeping that outcome). With
    ``complete_greedy=True`` the projects with votes that are still unfunded are then considered in
    greedy order and funded while they fit, as pabutools'
    ``completion_by_rule_combination([method_of_equal_shares, greedy_utilitarian_welfare], ...)``.
    The two are separate steps, ``equal_shares_add1`` and ``complete_with_greedy``, that
    ``equal_shares`` composes.

    On points ballots the completion ranks projects by points, like ``greedy`` (pabutools'
    ``greedy_utilitarian_welfare`` with ``Cost_Sat`` would rank them by number of supporters).

    How the runs are made fast, and the proof that skipping increments keeps Add1's outcome, are
    in pb.counting.mes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from fractions import Fraction

from pb.counting.model import (
    DID_NOT_FIT,
    FUNDED,
    FUNDED_IN_COMPLETION,
    NO_VOTES,
    NOT_ENOUGH_MONEY,
    Election,
    Outcome,
    Project,
    ProjectResult,
    tie_break_key,
)

__all__ = [
    "complete_with_greedy",
    "equal_shares",
    "equal_shares_add1",
    "equal_shares_as_pabulib_checker",
    "greedy",
    "tie_break_key",
]


def greedy(election: Election) -> Outcome:
    """Fund projects in decreasing order of votes, skipping those that no longer fit."""
    votes = election.support()
    results: dict[str, ProjectResult] = {}
    funded: list[str] = []
    in_order = _greedy_order(election, votes, election.supporters(), already=())
    _fund_while_they_fit(in_order, election.budget, votes, funded, results, FUNDED)
    return _outcome("greedy", election, funded, results, votes)


def _greedy_order(
    election: Election,
    votes: Mapping[str, int],
    supporters: Mapping[str, int],
    already: Collection[str],
) -> list[Project]:
    candidates = [p for p in election.projects if supporters[p.id] > 0 and p.id not in already]
    return sorted(
        candidates, key=lambda p: (-votes[p.id], tie_break_key(p.id, p.cost, votes[p.id]))
    )


def _outcome(
    rule: str,
    election: Election,
    funded: list[str],
    results: dict[str, ProjectResult],
    votes: Mapping[str, int],
    voter_share: Fraction | None = None,
    increments: int | None = None,
) -> Outcome:
    for project in election.projects:
        if project.id not in results:
            results[project.id] = ProjectResult(
                project.id, NO_VOTES, votes[project.id], project.cost
            )
    cost = election.project_by_id
    return Outcome(
        rule=rule,
        funded=tuple(funded),
        total_cost=sum(cost[project_id].cost for project_id in funded),
        budget=election.budget,
        projects={p.id: results[p.id] for p in election.projects},
        voter_share=voter_share,
        increments=increments,
    )


def equal_shares(election: Election, complete_greedy: bool = False) -> Outcome:
    """The Method of Equal Shares with the Add1 completion, then greedy if ``complete_greedy``:
    ``equal_shares_add1`` followed by ``complete_with_greedy``."""
    outcome = equal_shares_add1(election)
    return complete_with_greedy(election, outcome) if complete_greedy else outcome


def equal_shares_add1(election: Election) -> Outcome:
    """The Method of Equal Shares with the Add1 completion, as pabutools counts it."""
    votes = election.support()
    if not election.ballots:
        return _outcome("equal-shares", election, [], {}, votes)
    from pb.counting.mes import EqualShares  # numpy, imported when Equal Shares counts

    mes = EqualShares(election, votes, election.supporters())
    run, increments = mes.add1()
    results: dict[str, ProjectResult] = {}
    funded: list[str] = []
    for j, price, poor in zip(run.funded, run.prices, run.poor):
        project_id = mes.ids[j]
        funded.append(project_id)
        results[project_id] = ProjectResult(
            project_id,
            FUNDED,
            votes[project_id],
            mes.cost[j],
            position=len(funded),
            price=price,
            paid_all=poor,
        )
    money = run.supporters_money()
    for j, project_id in enumerate(mes.ids):
        if project_id not in results:
            results[project_id] = ProjectResult(
                project_id,
                NOT_ENOUGH_MONEY,
                votes[project_id],
                mes.cost[j],
                supporters_money=money[j],
            )
    return _outcome(
        "equal-shares",
        election,
        funded,
        results,
        votes,
        voter_share=run.share,
        increments=increments,
    )


def complete_with_greedy(election: Election, outcome: Outcome) -> Outcome:
    """``outcome`` completed by greedy: the projects with votes it left unfunded, in greedy's
    order, each funded if it fits in what is left of the budget. Each keeps what its supporters
    held when Equal Shares stopped (``supporters_money``), so the reader sees why Equal Shares
    did not fund it."""
    votes = election.support()
    results = dict(outcome.projects)
    funded = list(outcome.funded)
    in_order = _greedy_order(election, votes, election.supporters(), already=set(funded))
    _fund_while_they_fit(
        in_order,
        election.budget - outcome.total_cost,
        votes,
        funded,
        results,
        FUNDED_IN_COMPLETION,
        money_left={pid: r.supporters_money for pid, r in outcome.projects.items()},
    )
    return _outcome(
        outcome.rule + "+greedy",
        election,
        funded,
        results,
        votes,
        voter_share=outcome.voter_share,
        increments=outcome.increments,
    )


def _fund_while_they_fit(
    projects: Iterable[Project],
    budget_left: int,
    votes: Mapping[str, int],
    funded: list[str],
    results: dict[str, ProjectResult],
    reason: str,
    money_left: Mapping[str, Fraction | None] | None = None,
) -> None:
    """Greedy's loop, alone and as the completion: each project in turn funded (``reason``) if
    it fits in what is left of the budget, else marked as not fitting, with what was left.
    ``money_left``: what each project's supporters held when Equal Shares stopped, kept."""
    for project in projects:
        held = money_left.get(project.id) if money_left else None
        if project.cost <= budget_left:
            budget_left -= project.cost
            funded.append(project.id)
            results[project.id] = ProjectResult(
                project.id,
                reason,
                votes[project.id],
                project.cost,
                position=len(funded),
                supporters_money=held,
            )
        else:
            results[project.id] = ProjectResult(
                project.id,
                DID_NOT_FIT,
                votes[project.id],
                project.cost,
                supporters_money=held,
                remaining_budget=budget_left,
            )


def equal_shares_as_pabulib_checker(election: Election) -> tuple[str, ...]:
    """The projects Equal Shares funds by the Add1 loop of pabulib's checker (1.0.8), which
    differs from pabutools' (``equal_shares``) in two ways: after the run at ``budget / voters``
    it tries whole shares ``floor(budget / voters) + 1, + 2...``, and it goes on until an outcome
    overspends, also past one that leaves nothing fitting. The .pb export uses it to tell whether
    the checker's recount of a file agrees with pb's count. Approval ballots (the checker counts
    only those); ties as in ``equal_shares``, where the checker gives up instead.
    """
    if not election.ballots:
        return ()
    from pb.counting.mes import EqualShares  # numpy, imported when Equal Shares counts

    mes = EqualShares(election, election.support(), election.supporters())
    if sum(mes.cost) <= election.budget:
        return tuple(mes.ids)  # its loop would never end; every project is funded anyway
    run, _ = mes.add1(whole_shares=True, stop_when_spent=False)
    return tuple(mes.ids[j] for j in run.funded)
