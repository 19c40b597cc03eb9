"""Record pabutools' outcomes on the shared Pabulib files, for the tests and the bench.

pabutools needs minutes to an hour for Equal Shares with Add1 on the larger files, so the tests
compare with this record instead of running it each time (and the bench takes its times from it).
Run from the repository root, on a machine with nothing else to do (the times are recorded):

    .venv/bin/python tests/counting/record_pabutools.py            # every file, every rule
    .venv/bin/python tests/counting/record_pabutools.py Lodz Mokotow  # files whose name has these
    .venv/bin/python tests/counting/record_pabutools.py --generated    # the bench's generated ones
    .venv/bin/python tests/counting/record_pabutools.py --city         # the city-shaped ones

Each result is written to ``pabutools_outcomes.json`` as soon as it is known, merged with what the
file already holds. For the greedy completion, pabutools' ``completion_by_rule_combination`` is
given the Equal Shares outcome computed just before (the same call would compute it again; see
``pabutools_bridge.count_all``), and its recorded time is that of Equal Shares plus that of the
completion. Times are CPU seconds (``time.process_time``), less disturbed by other work on the
machine than wall time.

pabutools 1.2.3 caches, in every voter, budget / satisfaction for every (project, budget) it has
seen, and never empties that cache during Add1: on Budapest (51,514 increments) it outgrew 24 GB
and the process was killed. ``bound_pabutools_cache`` empties a voter's cache when it holds more
than 10,000 entries; the cached values are recomputed when needed, so outcomes do not change.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pb.counting.pabulib import PabulibError, read_pb, write_pb  # noqa: E402
from tests.counting import pabutools_bridge as bridge  # noqa: E402
from tests.counting.generate import (  # noqa: E402
    BENCH_ELECTIONS,
    CITY_ELECTIONS,
    city_election,
    large_election,
)

DATA = ROOT / ".." / "shared" / "data" / "pabulib"  # as in tests/counting/shared.py
RECORD = Path(__file__).resolve().parent / "pabutools_outcomes.json"
#: The record's sections: the shared files, the bench's generated elections, the city-shaped ones.
SECTIONS = ("files", "generated", "city")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load() -> dict:
    if RECORD.exists():
        return json.loads(RECORD.read_text(encoding="utf-8"))
    return {}


def save(record: dict, name: str, section: str = "files") -> None:
    """Write this entry, keeping what another run may have written meanwhile."""
    current = load()
    current.update({k: v for k, v in record.items() if k not in SECTIONS})
    current.setdefault(section, {})[name] = record[section][name]
    current[section] = dict(sorted(current[section].items()))
    write(current)


def write(record: dict) -> None:
    """The record as indented JSON, each list of project ids on one line."""
    text = json.dumps(record, indent=1, ensure_ascii=False)
    text = re.sub(
        r"\[\s+([^\[\]{}]*?)\s+\]",
        lambda match: "[" + " ".join(part.strip() for part in match[1].splitlines()) + "]",
        text,
    )
    temporary = RECORD.with_suffix(".tmp")
    temporary.write_text(text + "\n", "utf-8")
    temporary.replace(RECORD)


def bound_pabutools_cache() -> None:
    from pabutools.rules.mes.mes_rule import MESVoter

    cached = MESVoter.budget_over_sat_project

    def budget_over_sat_project(self, proj):
        if len(self.budget_over_sat_map) > 10_000:
            self.budget_over_sat_map.clear()
        return cached(self, proj)

    MESVoter.budget_over_sat_project = budget_over_sat_project


def record_election(election, name: str, fingerprint: str, record: dict, section: str) -> None:
    print(f"{name}...", end=" ", flush=True)
    results = bridge.count_all(election)
    record[section][name] = {
        "sha256": fingerprint,
        "vote_type": election.vote_type,
        "ballots": len(election.ballots),
        "recorded": f"{datetime.now(UTC):%Y-%m-%d}, load average {os.getloadavg()[0]:.1f}",
        "rules": {
            rule: {"funded": funded, "seconds": round(seconds, 3)}
            for rule, (funded, seconds) in results.items()
        },
    }
    print(", ".join(f"{rule} {seconds:.1f} s" for rule, (_, seconds) in results.items()))
    save(record, name, section)


def record_file(path: Path, record: dict) -> None:
    try:
        election = read_pb(path)
    except PabulibError:
        return
    record_election(election, path.name, sha256(path), record, "files")


def generated_fingerprint(election) -> str:
    """Identifies a generated election, so a change to the generator is noticed."""
    return hashlib.sha256(write_pb(election).encode()).hexdigest()


def main(patterns: list[str]) -> None:
    bound_pabutools_cache()
    record = load()
    # The date of the first recording stays; entries recorded later say when they were.
    record.setdefault("machine", f"{platform.machine()}, recorded {datetime.now(UTC):%Y-%m-%d}")
    record.update(
        {
            "pabutools_version": bridge.version(),
            "python": platform.python_version(),
            "tie_breaking": bridge.TIE_BREAKING,
            "rule_parameters": bridge.RULE_PARAMETERS,
            "projects_without_votes": "left out of the instance given to pabutools",
            "pabutools_cache": "bounded to 10,000 entries per voter (outcomes unaffected); see "
            "record_pabutools.py",
            "seconds": "pabutools' CPU time (time.process_time), from instance to outcome",
        }
    )
    for section in SECTIONS:
        record.setdefault(section, {})
    generators = {
        "--generated": ("generated", BENCH_ELECTIONS, large_election),
        "--city": ("city", CITY_ELECTIONS, city_election),
    }
    if len(patterns) == 1 and patterns[0] in generators:
        section, elections, generate = generators[patterns[0]]
        for name, arguments in elections:
            election = generate(**arguments)
            fingerprint = generated_fingerprint(election)
            record_election(election, name, fingerprint, record, section)
        return
    paths = sorted(DATA.glob("*.pb")) + sorted(DATA.glob("*.pb.gz"))
    chosen = [p for pattern in patterns for p in paths if pattern in p.name] if patterns else paths
    for path in dict.fromkeys(chosen):
        record_file(path, record)


if __name__ == "__main__":
    main(sys.argv[1:])
