"""Counting speed: pb's rules against pabutools on Pabulib's elections and on generated ones.

Run: .venv/bin/python bench/count.py [--quick | --live] [--module] [--only TEXT ...]
(from the repository root)

Measured, as the issue asks ("whole process against its in-process time"):
- pb: the wall-clock time of the whole process ``flask --app pb count FILE --rule ...`` (the
  ``flask`` beside this Python), or with ``--module`` of ``python -m pb.counting FILE --rule ...``
  — Python starting (and Flask with it), reading and parsing the .pb file, counting, printing the
  JSON (generated elections are written to a temporary .pb file first);
- pabutools: CPU time (time.process_time) of the count alone, in this process, from its Instance
  and Profile (built from the same election: projects without votes left out, pb's tie-breaking;
  see tests/counting/pabutools_bridge.py). Reading the file is not counted for pabutools.

pabutools needs up to an hour for Equal Shares with Add1 on some of these elections, so its outcome
and time are taken from tests/counting/pabutools_outcomes.json (written by record_pabutools.py on
this machine) where it recorded more than 60 s; ``--live`` runs it on everything instead, and
``--quick`` runs it only where it recorded at most 2 s and leaves out the three elections pb
itself takes longest on (the 2023 Warsaw districts Mokotów and Śródmieście and Warsaw 2026) and
the largest generated one.

Prints one line per election and rule, then a summary line
    same=yes|no slowest_ratio_greedy=X slowest_ratio_equal_shares=Y
``same`` says whether every outcome (the funded projects, in order) is pabutools' one; a ratio is
pabutools' time / pb's time, and the slowest is the smallest among the elections where pabutools
needed over 1 s (equal_shares: with and without the greedy completion).

Besides the shared files and the generated elections of growing size, the bench counts the
city-shaped elections of the tests (many voters, long ballots, tens of Add1 increments; pabutools'
outcomes recorded by ``record_pabutools.py --city``). ``--only`` keeps the elections whose name
contains one of the texts given, e.g. ``--only Mokotow Srodmiescie Warszawa_2026 Lodz``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pb.counting import PabulibError, read_pb, write_pb  # noqa: E402
from tests.counting import pabutools_bridge as bridge  # noqa: E402
from tests.counting.generate import (  # noqa: E402
    BENCH_ELECTIONS,
    CITY_ELECTIONS,
    city_election,
    large_election,
)
from tests.counting.shared import pb_files  # noqa: E402

RECORD = ROOT / "tests" / "counting" / "pabutools_outcomes.json"
# What is timed: as shown, and as run.
COMMANDS = {
    "flask": (
        "flask --app pb count",
        [str(Path(sys.executable).with_name("flask")), "--app", "pb", "count"],
    ),
    "module": ("python -m pb.counting", [sys.executable, "-m", "pb.counting"]),
}
RULES = {
    "greedy": ["--rule", "greedy"],
    "equal-shares": ["--rule", "equal-shares"],
    "equal-shares+greedy": ["--rule", "equal-shares", "--complete-greedy"],
}
QUICK_LEAVES_OUT = (
    "Poland_Warszawa_2023_Mokotow.pb",
    "Poland_Warszawa_2023_Srodmiescie.pb",
    "Poland_Warszawa_2026.pb.gz",
    "generated approval 30000 voters 80 projects",
)


def elections(quick: bool, folder: Path, only: list[str] | None = None):
    """(name, record section, fingerprint, election, .pb file) for each election of the bench
    (those whose name contains one of ``only``, if given)."""

    def left_out(name: str) -> bool:
        return (quick and name in QUICK_LEAVES_OUT) or (
            only is not None and not any(text in name for text in only)
        )

    for path in pb_files():
        if left_out(path.name):
            continue
        try:
            election = read_pb(path)
        except PabulibError:
            continue
        yield path.name, "files", hashlib.sha256(path.read_bytes()).hexdigest(), election, path
    generated = [
        ("generated", BENCH_ELECTIONS, large_election),
        ("city", CITY_ELECTIONS, city_election),
    ]
    for section, chosen, generate in generated:
        for index, (name, arguments) in enumerate(chosen):
            if left_out(name):
                continue
            election = generate(**arguments)
            text = write_pb(election)
            path = folder / f"{section}-{index}.pb"
            path.write_text(text, "utf-8")
            yield name, section, hashlib.sha256(text.encode()).hexdigest(), election, path


# Python as installed normally: compiled modules are cached (some sandboxes set
# PYTHONDONTWRITEBYTECODE, which would make every process compile pb.counting again).
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def count_in_a_process(
    command: list[str], path: Path, arguments: list[str]
) -> tuple[list[str], float]:
    """pb's funded projects, and the wall-clock seconds of the whole counting process (the
    median of three runs where one takes under 2 s: a 2-core machine's noise is large against a
    process of a tenth of a second)."""
    timings, funded = [], None
    while len(timings) < 3 and (not timings or timings[0] < 2):
        start = time.perf_counter()
        done = subprocess.run(
            [*command, str(path), *arguments],
            cwd=ROOT,
            env=CHILD_ENV,
            capture_output=True,
            text=True,
            check=True,
        )
        timings.append(time.perf_counter() - start)
        printed = json.loads(done.stdout)["funded"]
        assert funded is None or printed == funded, "pb counted differently on a second run"
        funded = printed
    return funded, sorted(timings)[len(timings) // 2]


def theirs(name, section, fingerprint, election, record: dict, live_limit: float | None):
    """pabutools' outcome and seconds per rule (None if not run), and whether recorded."""
    entry = record.get(section, {}).get(name, {})
    recorded = entry.get("rules", {})
    if set(recorded) != set(bridge.RULE_KEYS) or entry.get("sha256") != fingerprint:
        recorded = {}
    if live_limit is None:
        return bridge.count_all(election), False
    if recorded and max(entry["seconds"] for entry in recorded.values()) > live_limit:
        return {rule: (e["funded"], e["seconds"]) for rule, e in recorded.items()}, True
    if recorded or live_limit >= 60:
        return bridge.count_all(election), False
    return None, False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="a shorter run (see above)")
    mode.add_argument("--live", action="store_true", help="run pabutools on every election")
    parser.add_argument(
        "--module",
        action="store_true",
        help="time python -m pb.counting instead of flask --app pb count",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="TEXT", help="only the elections whose name contains TEXT"
    )
    options = parser.parse_args()
    shown, command = COMMANDS["module" if options.module else "flask"]
    live_limit = None if options.live else (2.0 if options.quick else 60.0)
    record = json.loads(RECORD.read_text("utf-8")) if RECORD.exists() else {}
    print(f"pabutools {bridge.version()}; recorded times from {record.get('machine', '-')}")
    print(f"pb s: the whole process {shown} FILE --rule ...")
    print(f"{'election':<58} {'rule':<20} {'pb s':>8} {'pabutools s':>13} {'ratio':>8}")
    same = True
    slowest = {"greedy": None, "equal-shares": None}
    # Once, so that the compiled modules are cached before anything is timed.
    subprocess.run(
        [*command, "--help"],
        cwd=ROOT,
        env=CHILD_ENV,
        capture_output=True,
        check=True,
    )
    folder = tempfile.TemporaryDirectory()
    for name, section, fingerprint, election, path in elections(
        options.quick, Path(folder.name), options.only
    ):
        pabutools, recorded = theirs(name, section, fingerprint, election, record, live_limit)
        for rule, arguments in RULES.items():
            ours, seconds = count_in_a_process(command, path, arguments)
            if pabutools is None:
                print(f"{name[:58]:<58} {rule:<20} {seconds:8.3f} {'not run':>13}")
                continue
            funded, their_seconds = pabutools[rule]
            agree = ours == funded
            same = same and agree
            ratio = their_seconds / max(seconds, 1e-6)
            kind = "greedy" if rule == "greedy" else "equal-shares"
            if their_seconds > 1 and (slowest[kind] is None or ratio < slowest[kind]):
                slowest[kind] = ratio
            mark = "*" if recorded else " "
            verdict = "" if agree else "  DIFFERENT OUTCOME"
            print(
                f"{name[:58]:<58} {rule:<20} {seconds:8.3f} {their_seconds:12.3f}{mark} "
                f"{ratio:8.1f}{verdict}",
                flush=True,
            )
    folder.cleanup()
    print("* pabutools' time and outcome as recorded in tests/counting/pabutools_outcomes.json")
    greedy_ratio = "n/a" if slowest["greedy"] is None else f"{slowest['greedy']:.1f}"
    shares_ratio = "n/a" if slowest["equal-shares"] is None else f"{slowest['equal-shares']:.1f}"
    print(
        f"same={'yes' if same else 'no'} slowest_ratio_greedy={greedy_ratio} "
        f"slowest_ratio_equal_shares={shares_ratio}"
    )


if __name__ == "__main__":
    main()
