"""The counting rules on small elections worked out by hand, on the official Equal Shares
elections, and the check that skipping Add1 increments never changes the outcome."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from pb.counting import (
    CUMULATIVE,
    DID_NOT_FIT,
    FUNDED,
    FUNDED_IN_COMPLETION,
    NO_VOTES,
    NOT_ENOUGH_MONEY,
    RULES,
    Election,
    Project,
    equal_shares,
    greedy,
    read_pb,
)
from pb.counting.mes import EqualShares
from tests.counting.generate import random_election
from tests.counting.shared import data_file


def election(budget, costs, ballots, vote_type="approval"):
    return Election(
        budget=budget,
        projects=tuple(Project(pid, cost) for pid, cost in costs.items()),
        ballots=tuple(ballots),
        vote_type=vote_type,
    )


def approvals(*sets: str) -> list[dict[str, int]]:
    return [dict.fromkeys(s.split(), 1) if s else {} for s in sets]


def test_registry_names_the_rules() -> None:
    assert {"greedy": greedy, "equal-shares": equal_shares} == RULES


def test_greedy_funds_by_votes_and_skips_what_does_not_fit() -> None:
    e = election(
        100,
        {"a": 60, "b": 50, "c": 40, "d": 10, "e": 200},
        approvals("e a b", "e a b c", "e a b c", "e", "e"),
    )
    outcome = greedy(e)
    # e (5 votes) is dearer than the budget; a and b tie on 3 votes and the cheaper b goes first,
    # then a no longer fits; c does; d has no votes.
    assert outcome.funded == ("b", "c")
    assert outcome.total_cost == 90 and outcome.left_over == 10
    assert outcome.projects["e"].reason == DID_NOT_FIT
    assert outcome.projects["e"].remaining_budget == 100
    assert outcome.projects["a"].reason == DID_NOT_FIT
    assert outcome.projects["a"].remaining_budget == 50
    assert outcome.projects["b"].position == 1 and outcome.projects["b"].support == 3
    assert outcome.projects["d"].reason == NO_VOTES


def test_greedy_breaks_full_ties_by_id_as_text() -> None:
    e = election(10, {"9": 10, "10": 10}, approvals("9 10"))
    assert greedy(e).funded == ("10",)


def test_greedy_counts_points_on_points_ballots() -> None:
    e = election(10, {"a": 10, "b": 10}, [{"a": 1, "b": 3}, {"a": 1}], vote_type=CUMULATIVE)
    assert greedy(e).funded == ("b",)


def test_equal_shares_one_run_by_hand() -> None:
    # Each voter holds 100. A costs 200 and is shared by v1 and v2 (100 each, 1/2 per unit of
    # cost); B and C would cost their single supporter 100 (1 per unit). A is funded first, which
    # leaves v1 nothing for B; C is then funded by v3. The budget is spent: no increment.
    e = election(300, {"A": 200, "B": 100, "C": 100}, approvals("A B", "A", "C"))
    outcome = equal_shares(e)
    assert outcome.funded == ("A", "C")
    assert outcome.increments == 0 and outcome.voter_share == 100
    assert outcome.projects["A"].price == 100 and outcome.projects["A"].position == 1
    assert outcome.projects["B"].reason == NOT_ENOUGH_MONEY
    assert outcome.projects["B"].supporters_money == 0


def test_equal_shares_raises_the_share_until_the_budget_is_spent() -> None:
    # 4 voters, budget 100: 25 each. A (80) needs its 3 supporters to hold 27 each, so the
    # share is raised by 2; then B (30) no longer fits in what is left, and Add1 stops.
    e = election(100, {"A": 80, "B": 30}, approvals("A", "A", "A", "B"))
    outcome = equal_shares(e)
    assert outcome.funded == ("A",)
    assert outcome.increments == 2 and outcome.voter_share == 27
    assert outcome.projects["A"].price == Fraction(80, 3)
    assert outcome.projects["B"].reason == NOT_ENOUGH_MONEY
    assert outcome.projects["B"].supporters_money == 27
    completed = equal_shares(e, complete_greedy=True)
    assert completed.funded == ("A",)
    assert completed.projects["B"].reason == DID_NOT_FIT
    assert completed.projects["B"].remaining_budget == 20


def test_equal_shares_keeps_the_last_outcome_that_fits() -> None:
    # At a share of 30, A and B (60 each) both become affordable and together overspend the
    # budget of 100, so Add1 keeps the outcome at 29: nothing. Greedy completion then funds A
    # (tied with B on cost and votes, first by id).
    e = election(100, {"A": 60, "B": 60}, approvals("A", "A", "B", "B"))
    outcome = equal_shares(e)
    assert outcome.funded == () and outcome.increments == 4
    completed = equal_shares(e, complete_greedy=True)
    assert completed.funded == ("A",)
    assert completed.projects["A"].reason == FUNDED_IN_COMPLETION
    assert completed.projects["B"].reason == DID_NOT_FIT


def test_equal_shares_ignores_projects_without_votes() -> None:
    e = election(100, {"A": 50, "Z": 1}, approvals("A", "A", "", ""))
    outcome = equal_shares(e, complete_greedy=True)
    assert outcome.funded == ("A",)
    assert outcome.projects["Z"].reason == NO_VOTES


def test_rules_on_an_election_without_ballots() -> None:
    e = election(100, {"A": 50}, [])
    for rule in (greedy, equal_shares):
        outcome = rule(e)
        assert outcome.funded == () and outcome.projects["A"].reason == NO_VOTES


@pytest.mark.parametrize("name", ["Netherlands_Assen_2024.pb", "Poland_Swiecie_2023.pb"])
def test_equal_shares_reproduces_the_official_winners(name: str) -> None:
    e = read_pb(data_file(name))
    assert e.meta["rule"] == "equalshares/add1"
    official = {pid for pid, values in e.project_meta.items() if values.get("selected") == "1"}
    outcome = equal_shares(e)
    assert set(outcome.funded) == official
    assert all(outcome.projects[pid].reason == FUNDED for pid in official)


def add1_one_increment_at_a_time(mes: EqualShares):
    """Add1 exactly as pabutools runs it: every increment, no skipping."""
    base = Fraction(mes.budget, mes.voters)
    k, current = 0, mes.run(base)
    while not mes.exhausts(current):
        following = mes.run(base + k + 1)
        if mes.total(following) > mes.budget:
            break
        k, current = k + 1, following
    return current.funded, k


def test_skipping_increments_gives_the_outcome_of_every_increment() -> None:
    rng = random.Random(2026)
    for seed in range(400):
        e = random_election(seed, voters=rng.choice((None, 30, 60)))
        if not e.ballots:
            continue
        mes = EqualShares(e, e.support(), e.supporters())
        run, k = mes.add1()
        assert (run.funded, k) == add1_one_increment_at_a_time(mes), f"seed {seed}"


@pytest.mark.parametrize(
    "name",
    [
        "Netherlands_Assen_2024.pb",
        "Switzerland_Zurich_D10.pb",
        "Poland_Katowice_2022_Zawodzie.pb",
        "US_Stanford_Dataset_PB_Cambridge_2016_vote_approvals.pb",
    ],
)
def test_skipping_increments_on_real_elections(name: str) -> None:
    e = read_pb(data_file(name))
    mes = EqualShares(e, e.support(), e.supporters())
    run, k = mes.add1()
    assert (run.funded, k) == add1_one_increment_at_a_time(mes)


def test_counting_imports_only_the_standard_library_numpy_and_itself() -> None:
    """Counting runs without Flask or a database; numpy (the bounds' arrays) is its only
    other dependency."""
    import ast
    import sys
    from pathlib import Path

    import pb.counting

    for path in Path(pb.counting.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                allowed = top in sys.stdlib_module_names or top == "numpy"
                assert allowed or name.startswith("pb.counting"), f"{path.name} imports {name}"


def test_equal_shares_says_how_many_supporters_paid_all_they_had() -> None:
    """Replayed from the voters' shares, round by round: each supporter pays the price per point
    or, with less left, all she has; ``paid_all`` counts the latter, so that the payments a
    results page names add up to the cost."""
    checked = 0
    for seed in range(150):
        e = random_election(seed)
        outcome = equal_shares(e)
        if outcome.voter_share is None:
            continue
        money = [Fraction(outcome.voter_share)] * len(e.ballots)
        for pid in outcome.funded:
            result = outcome.projects[pid]
            assert result.reason == FUNDED and result.price is not None
            paid, short = Fraction(0), 0
            for v, ballot in enumerate(e.ballots):
                asked = result.price * ballot.get(pid, 0)
                if not asked:
                    continue
                if money[v] < asked:
                    short += 1
                pay = min(money[v], asked)
                money[v] -= pay
                paid += pay
            assert paid == result.cost, f"seed {seed}"
            assert result.paid_all == short, f"seed {seed}"
            checked += 1
        for pid, result in outcome.projects.items():
            if pid not in outcome.funded:
                assert result.paid_all is None
    assert checked > 100


def test_equal_shares_by_hand_names_who_paid_all_they_had() -> None:
    # 4 voters, budget 100: 25 each. A (60) by v1, v2, v3 at 20 each; B (30) by v3 and v4: v3
    # has 5 left and pays it all, v4 pays 25: B's price is 25, one supporter paid all she had.
    e = election(100, {"A": 60, "B": 30}, approvals("A", "A", "A B", "B"))
    outcome = equal_shares(e)
    assert outcome.funded == ("A", "B") and outcome.voter_share == 25
    assert outcome.projects["A"].paid_all == 0 and outcome.projects["A"].price == 20
    assert outcome.projects["B"].paid_all == 1 and outcome.projects["B"].price == 25
