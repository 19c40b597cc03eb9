"""``python -m pb.counting``: the count command without Flask, as bench/count.py times it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.counting.shared import data_file

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pb.counting", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_counts_assen_as_the_city_did() -> None:
    path = data_file("Netherlands_Assen_2024.pb")
    result = run(str(path), "--rule", "equal-shares")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    header = path.read_text("utf-8").split("PROJECTS")[1].splitlines()[1].split(";")
    rows = [
        dict(zip(header, line.split(";"), strict=False))
        for line in path.read_text("utf-8").split("PROJECTS")[1].split("VOTES")[0].splitlines()[2:]
        if line.strip()
    ]
    assert printed["rule"] == "equal-shares"
    assert sorted(printed["funded"]) == sorted(
        r["project_id"] for r in rows if r["selected"] == "1"
    )
    assert printed["cost"] == sum(
        int(r["cost"]) for r in rows if r["project_id"] in printed["funded"]
    )


def test_greedy_and_completion(tmp_path: Path) -> None:
    path = tmp_path / "small.pb"
    path.write_text(
        "META\nkey;value\ndescription;test\nnum_projects;3\nnum_votes;3\nbudget;100\n"
        "vote_type;approval\n"
        "PROJECTS\nproject_id;cost\nA;60\nB;50\nC;40\n"
        "VOTES\nvoter_id;vote\n1;A,B\n2;A\n3;B,C\n",
        "utf-8",
    )
    greedy = json.loads(run(str(path), "--rule", "greedy").stdout)
    # A and B tie on 2 votes: the cheaper B goes first, then A no longer fits.
    assert greedy == {"rule": "greedy", "funded": ["B", "C"], "cost": 90}
    completed = run(str(path), "--rule", "equal-shares", "--complete-greedy")
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["cost"] <= 100


def test_refuses_bad_files_and_options_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text("nonsense", "utf-8")
    for args, words in (
        ((str(bad), "--rule", "greedy"), "bad.pb"),
        ((str(tmp_path / "missing.pb"), "--rule", "greedy"), "cannot read"),
        ((str(bad), "--rule", "greedy", "--complete-greedy"), "--complete-greedy"),
    ):
        result = run(*args)
        assert result.returncode == 1 and result.stdout == ""
        assert words in result.stderr and "Traceback" not in result.stderr
    assert run(str(bad), "--rule", "nonsense").returncode == 2  # argparse: usage error


def test_ordinal_file_is_refused_as_a_vote_type_not_counted() -> None:
    result = run(str(data_file("Poland_Krakow_2020_Bienczyce.pb")), "--rule", "greedy")
    assert result.returncode == 1
    assert "ordinal" in result.stderr and "Traceback" not in result.stderr


def test_counting_starts_without_flask_or_the_database() -> None:
    code = "import sys, pb.counting.command; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "flask" not in loaded and "sqlalchemy" not in loaded
