"""pb's rules give the same outcome as pabutools, the research library, with the same tie-breaking.

On the shared files, pabutools' outcomes are recorded by ``record_pabutools.py`` in
``pabutools_outcomes.json``: Equal Shares with Add1 re-runs the whole rule for every increment,
which takes pabutools from seconds to an hour. Where it recorded at most ``LIVE_SECONDS`` for
every rule, pabutools is run again here; elsewhere the test compares with the record.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from pathlib import Path

import pytest

from pb.counting import APPROVAL, CUMULATIVE, FUNDED, equal_shares, greedy, write_pb
from tests.counting import pabutools_bridge as bridge
from tests.counting.generate import CITY_ELECTIONS, city_election, random_election
from tests.counting.shared import file_params, read_once

pytestmark = pytest.mark.skipif(not bridge.available(), reason="pabutools is not installed")

RECORD_FILE = Path(__file__).resolve().parent / "pabutools_outcomes.json"
RECORD = json.loads(RECORD_FILE.read_text("utf-8")) if RECORD_FILE.exists() else {"files": {}}
# pabutools runs again here where its recorded time for every rule is at most this many seconds.
LIVE_SECONDS = 2.0


def ours(election) -> dict[str, list[str]]:
    """pb's funded projects, in the order funded, for each rule of the comparison."""
    start = time.process_time()
    completed = equal_shares(election, complete_greedy=True)
    quick = time.process_time() - start < 1
    result = {
        "greedy": list(greedy(election).funded),
        "equal-shares+greedy": list(completed.funded),
    }
    # The Equal Shares part of the completed count, checked against equal_shares() itself where
    # that takes under a second (the rest of the count is the same code).
    result["equal-shares"] = [p for p in completed.funded if completed.projects[p].reason == FUNDED]
    if quick:
        assert list(equal_shares(election).funded) == result["equal-shares"]
    return result


@pytest.mark.parametrize("path", file_params(APPROVAL, CUMULATIVE))
def test_shared_file_same_outcomes_as_pabutools(path: Path) -> None:
    election = read_once(path)
    mine = ours(election)
    recorded = RECORD["files"].get(path.name)
    if recorded is not None:
        assert recorded["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), (
            f"{path.name} changed since pabutools' outcome was recorded: run "
            "tests/counting/record_pabutools.py"
        )
    rules = (recorded or {}).get("rules", {})
    if set(rules) != set(bridge.RULE_KEYS):
        pytest.fail(f"no pabutools record for {path.name}: run tests/counting/record_pabutools.py")
    if all(entry["seconds"] <= LIVE_SECONDS for entry in rules.values()):
        theirs = {rule: funded for rule, (funded, _) in bridge.count_all(election).items()}
    else:
        theirs = {rule: entry["funded"] for rule, entry in rules.items()}
    for rule in bridge.RULE_KEYS:
        assert mine[rule] == theirs[rule], f"{rule} on {path.name}"


@pytest.mark.parametrize("batch", range(4))
def test_random_elections_same_outcomes_as_pabutools(batch: int) -> None:
    rng = random.Random(batch)
    for seed in range(batch * 100, batch * 100 + 100):
        election = random_election(
            seed,
            voters=rng.choice((None, None, 25, 60)),
            vote_type=APPROVAL if seed % 2 else CUMULATIVE,
        )
        mine = ours(election)
        mine["equal-shares"] = list(equal_shares(election).funded)
        for rule, (theirs, _) in bridge.count_all(election).items():
            assert mine[rule] == theirs, f"{rule}, seed {seed}: {election}"
        # The completion as pabutools composes it, computing Equal Shares again.
        theirs, _ = bridge.count(election, "equal-shares+greedy")
        assert mine["equal-shares+greedy"] == theirs, f"seed {seed}: {election}"


@pytest.mark.parametrize("name, arguments", CITY_ELECTIONS, ids=[n for n, _ in CITY_ELECTIONS])
def test_city_shaped_elections_same_outcomes_as_pabutools(name: str, arguments: dict) -> None:
    """Tens of thousands of voters with long ballots and tens of Add1 increments, where pabutools
    needs minutes: compared with its outcomes as recorded by ``record_pabutools.py --city``."""
    election = city_election(**arguments)
    recorded = RECORD.get("city", {}).get(name)
    if recorded is None:
        pytest.fail(f"no pabutools record for {name}: run record_pabutools.py --city")
    assert recorded["sha256"] == hashlib.sha256(write_pb(election).encode()).hexdigest(), (
        f"the generator of {name} changed since pabutools' outcome was recorded: run "
        "tests/counting/record_pabutools.py --city"
    )
    mine = ours(election)
    for rule in bridge.RULE_KEYS:
        assert mine[rule] == recorded["rules"][rule]["funded"], f"{rule} on {name}"


def test_exact_arithmetic_decides_where_rounded_amounts_tie(monkeypatch) -> None:
    """Amounts are first compared rounded to 2**-40 and exactly only when those tie; with no
    rounding precision at all, every comparison goes the exact way, and must agree."""
    from pb.counting import mes

    monkeypatch.setattr(mes, "SCALE", 1)
    monkeypatch.setattr(mes, "RHO_SCALE", 1)
    for seed in range(100):
        election = random_election(seed, voters=(None, 30, 60)[seed % 3])
        mine = ours(election)
        for rule, (theirs, _) in bridge.count_all(election).items():
            assert mine[rule] == theirs, f"{rule}, seed {seed}: {election}"


def test_checker_flavour_of_add1_matches_pabulib_checker() -> None:
    """``equal_shares_as_pabulib_checker`` (which the .pb export uses to choose the declared
    rule) computes what pabulib-checker computes; instances where the checker meets a full tie
    (same cost and approvals), which it does not break, are left out."""
    checker = pytest.importorskip("pabulib.checker", reason="pabulib-checker is not installed")
    from pabulib_helpers.load_pb_file import parse_pb_lines

    from pb.counting import equal_shares_as_pabulib_checker, write_pb

    compared = differs_from_pabutools = 0
    for seed in range(300):
        election = random_election(seed, vote_type=APPROVAL)
        supporters = election.supporters()
        election = election.__class__(
            budget=election.budget,
            projects=tuple(p for p in election.projects if supporters[p.id] > 0),
            ballots=election.ballots,
            vote_type=APPROVAL,
        )
        if not election.ballots or sum(p.cost for p in election.projects) <= election.budget:
            continue  # the checker's own loop would never end
        reader = checker.Checker()
        text = write_pb(election)
        # The checker's parser, then its own Equal Shares with its Add1 loop.
        reader.meta, reader.projects, reader.votes, *_ = parse_pb_lines(text.split("\n"))
        try:
            theirs = reader._compute_equalshares_winners(add1=True)
        except ValueError:  # "Equal Shares tie-breaking failed"
            continue
        ours = equal_shares_as_pabulib_checker(election)
        assert set(ours) == set(theirs), f"seed {seed}"
        compared += 1
        differs_from_pabutools += set(ours) != set(equal_shares(election).funded)
    assert compared > 100 and differs_from_pabutools > 0
