"""Runs of Equal Shares on bounds of the money (pb.counting.intervals) against exact runs: they
fund the same projects in the same order whenever they decide, give up where the bounds cannot
tell, and Add1 built on them keeps the outcome of counting every increment exactly."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from pb.counting import Election, Project, equal_shares, read_pb
from pb.counting.intervals import MIN_SCALE_BITS, _Run
from pb.counting.mes import EqualShares
from tests.counting.generate import random_election
from tests.counting.shared import data_file
from tests.counting.test_rules import add1_one_increment_at_a_time


def prepared(e: Election) -> EqualShares:
    return EqualShares(e, e.support(), e.supporters())


def test_runs_on_bounds_fund_what_exact_runs_fund() -> None:
    """On random elections built for ties (approval and points ballots), at 20 shares each,
    counted from the largest down as Add1 counts a block: a run on bounds, alone or starting
    from the runs above it, funds exactly what the exact run funds, or gives up."""
    rng = random.Random(19)
    decided = undecided = 0
    for seed in range(300):
        e = random_election(seed, voters=rng.choice((None, 30, 60, 200)))
        if not e.ballots:
            continue
        mes = prepared(e)
        base = Fraction(mes.budget, mes.voters)
        above = []
        for k in range(19, -1, -1):
            exact = mes.run(base + k).funded
            alone = mes.intervals.run(base + k)
            seeded = mes.intervals.run(base + k, above=above)
            for found in (alone, seeded):
                if found is None:
                    undecided += 1
                else:
                    decided += 1
                    assert found.funded == exact, f"seed {seed}, share + {k}"
            if seeded is not None:
                above.insert(0, seeded)
    # The bounds decide nearly always, and the way back to exact counting is taken too.
    assert undecided > 0
    assert decided > 100 * undecided


def test_the_bounds_hold_the_exact_money_after_every_run() -> None:
    """After a run on bounds, every ballot type's exact money (replayed exactly) lies between
    its two bounds, in units of 1/2**S."""
    rng = random.Random(7)
    checked = 0
    for seed in range(200):
        e = random_election(seed, voters=rng.choice((None, 30, 60)))
        if not e.ballots:
            continue
        mes = prepared(e)
        for k in (0, 3, 11):
            share = Fraction(mes.budget, mes.voters) + k
            S = mes.intervals.scale_bits(share)
            on_bounds = _Run(mes.intervals, share, S, (), None, True)
            try:
                decided = on_bounds.count()
            except Exception:  # undecided: nothing to compare
                continue
            state = mes.replay(decided).state
            for v, c in enumerate(state.type_class):
                money = (
                    Fraction(state.units[c] * state.factor[state.epoch[c]], state.D)
                    if c >= 0
                    else Fraction(0)
                )
                scaled = money * (1 << S)
                low, high = int(on_bounds.low[v]), int(on_bounds.high[v])
                assert low <= scaled <= high, f"seed {seed}, + {k}"
                checked += 1
    assert checked > 10_000


def tie_that_depends_on_money() -> Election:
    """B and C have the same cost and the same supporters, one of whom paid for A before: their
    prices are exactly equal, and depend on what that supporter has left, 61/6 - 2."""
    ballots = [
        {"A": 1, "B": 1, "C": 1},
        {"B": 1, "C": 1},
        {"B": 1, "C": 1},
        {"A": 1},
        {"A": 1},
        {"A": 1},
    ]
    projects = (Project("A", 8), Project("B", 27), Project("C", 27))
    return Election(budget=61, projects=projects, ballots=ballots, vote_type="approval")


def test_an_exact_tie_of_prices_that_depend_on_money_is_counted_exactly() -> None:
    e = tie_that_depends_on_money()
    mes = prepared(e)
    share = Fraction(61, 6)
    assert mes.intervals.run(share) is None  # the bounds of B's and C's prices overlap
    exact = mes.run(share)
    assert [mes.ids[j] for j in exact.funded] == ["A", "B"]  # B wins the tie by its id
    assert exact.poor[1] == 1  # the supporter who paid for A paid all she had left for B
    run, k = prepared(e).add1()
    assert (run.funded, k) == add1_one_increment_at_a_time(prepared(e))
    assert equal_shares(e).funded == ("A", "B")


def test_money_too_large_for_the_arrays_is_counted_exactly() -> None:
    """Shares so large that the arrays could not hold them to a 256th of a unit: no run on
    bounds is tried, and the exact runs count."""
    e = Election(
        budget=10**18,
        projects=(Project("A", 4 * 10**17), Project("B", 5 * 10**17), Project("C", 3 * 10**17)),
        ballots=[{"A": 1, "B": 1}, {"B": 1}, {"C": 1, "A": 1}, {"C": 1}],
        vote_type="approval",
    )
    mes = prepared(e)
    share = Fraction(e.budget, 4)
    assert mes.intervals.scale_bits(share) < MIN_SCALE_BITS
    assert mes.intervals.run(share) is None
    run, k = mes.add1()
    assert (run.funded, k) == add1_one_increment_at_a_time(prepared(e))


@pytest.mark.parametrize(
    "name", ["Worldwide_Mechanical_Turk_Knapsack_7.pb", "Poland_Warszawa_2023_Rembertow.pb"]
)
def test_certified_jumps_skip_increments_and_keep_the_outcome(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the outcome holds still for long, Add1 jumps over increments it proves to change
    nothing, and still ends where counting every increment exactly ends."""
    jumps = []
    certify = EqualShares.certify_jump

    def counted(self, before, share):  # type: ignore[no-untyped-def]
        found = certify(self, before, share)
        jumps.append(found is not None)
        return found

    monkeypatch.setattr(EqualShares, "certify_jump", counted)
    e = read_pb(data_file(name))
    run, k = prepared(e).add1()
    assert any(jumps)
    assert (run.funded, k) == add1_one_increment_at_a_time(prepared(e))
