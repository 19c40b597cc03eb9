"""The count command, both ways: ``flask --app pb count`` (a Flask plugin command that does not
load the app) and ``python -m pb.counting`` (no Flask at all), each run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest

from tests.counting.shared import data_file

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
COMMANDS = {
    "flask": [FLASK, "--app", "pb", "count"],
    "module": [sys.executable, "-m", "pb.counting"],
}
# Neither way needs the app's configuration: without a SECRET_KEY, create_app refuses to start.
ENV = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}

Run = Callable[..., subprocess.CompletedProcess[str]]


def run_with(command: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(params=list(COMMANDS))
def count(request: pytest.FixtureRequest) -> Run:
    command = COMMANDS[request.param]
    return lambda *args: run_with(command, *args)


def small_election(tmp_path: Path) -> Path:
    path = tmp_path / "small.pb"
    path.write_text(
        "META\nkey;value\ndescription;test\nnum_projects;3\nnum_votes;3\nbudget;100\n"
        "vote_type;approval\n"
        "PROJECTS\nproject_id;cost\nA;60\nB;50\nC;40\n"
        "VOTES\nvoter_id;vote\n1;A,B\n2;A\n3;B,C\n",
        "utf-8",
    )
    return path


def test_flask_finds_count_as_a_plugin_command() -> None:
    commands = {ep.name: ep.value for ep in metadata.entry_points(group="flask.commands")}
    assert commands.get("count") == "pb.counting_cli:count", (
        "the flask.commands entry point is not installed: run `make install` "
        "(pip install --no-deps -e .) after changing setup.cfg"
    )


def test_counts_assen_as_the_city_did(count: Run) -> None:
    path = data_file("Netherlands_Assen_2024.pb")
    result = count(str(path), "--rule", "equal-shares")
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


def test_greedy_and_completion(count: Run, tmp_path: Path) -> None:
    path = small_election(tmp_path)
    greedy = count(str(path), "--rule", "greedy")
    assert greedy.returncode == 0, greedy.stderr
    # A and B tie on 2 votes: the cheaper B goes first, then A no longer fits.
    assert json.loads(greedy.stdout) == {"rule": "greedy", "funded": ["B", "C"], "cost": 90}
    completed = count(str(path), "--rule", "equal-shares", "--complete-greedy")
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["cost"] <= 100


def test_refuses_bad_files_and_options_with_a_message(count: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text("nonsense", "utf-8")
    good = small_election(tmp_path)
    for args, code, words in (
        ((str(bad), "--rule", "greedy"), 1, "bad.pb, line 1: the file must begin with"),
        ((str(tmp_path / "missing.pb"), "--rule", "greedy"), 1, "cannot read"),
        ((str(good), "--rule", "greedy", "--complete-greedy"), 1, "--complete-greedy goes with"),
        ((str(good), "--rule", "nonsense"), 2, "invalid choice: 'nonsense'"),
        ((str(good),), 2, "required: --rule"),
        ((str(good), "--rule", "greedy", "--unknown"), 2, "unrecognized arguments: --unknown"),
    ):
        result = count(*args)
        assert result.returncode == code and result.stdout == "", (args, result)
        assert words in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)


def test_help_names_the_rules(count: Run) -> None:
    result = count("--help")
    assert result.returncode == 0
    assert "--rule {greedy,equal-shares}" in result.stdout and "--complete-greedy" in result.stdout


def test_ordinal_file_is_refused_as_a_vote_type_not_counted(count: Run) -> None:
    result = count(str(data_file("Poland_Krakow_2020_Bienczyce.pb")), "--rule", "greedy")
    assert result.returncode == 1
    assert "ordinal" in result.stderr and "Traceback" not in result.stderr


def loaded_after(code: str) -> set[str]:
    """The top-level and pb modules a fresh Python process holds after running ``code``."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{code}\nimport json, sys\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} | set(sys.modules))))",
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_flask_count_does_not_load_the_app(tmp_path: Path) -> None:
    path = small_election(tmp_path)
    loaded = loaded_after(
        "import sys\n"
        "from flask.cli import main\n"
        f"sys.argv = ['flask', '--app', 'pb', 'count', {str(path)!r}, '--rule', 'greedy']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
    )
    assert "pb.counting.rules" in loaded  # it did count
    app_modules = {"pb.models", "pb.extensions", "flask_sqlalchemy", "sqlalchemy", "flask_babel"}
    assert not loaded & app_modules, sorted(loaded & app_modules)


def test_the_plugin_costs_other_flask_commands_nothing() -> None:
    # Flask imports every plugin's module whenever ``flask`` starts, whatever the command.
    loaded = loaded_after("import pb.counting_cli")
    assert "pb.counting" not in loaded


def test_counting_starts_without_flask_or_the_database() -> None:
    loaded = loaded_after("import pb.counting.command")
    assert "flask" not in loaded and "sqlalchemy" not in loaded
