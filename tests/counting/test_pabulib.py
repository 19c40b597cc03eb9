"""Reading and writing .pb files: real elections, tolerant reading, clear errors, round trips."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pb.counting import (
    APPROVAL,
    CUMULATIVE,
    Election,
    PabulibError,
    Project,
    UnsupportedVoteType,
    parse_pb,
    read_pb,
    write_pb,
)
from tests.counting.shared import data_file, file_params, read_once

SMALL = """META
key;value
description;Test
num_projects;3
num_votes;3
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
1;40;First
2;60;Second
3;30;Third
VOTES
voter_id;vote
a;1,2
b;2
c;1,3
"""


@pytest.mark.parametrize("path", file_params(APPROVAL, CUMULATIVE))
def test_every_approval_and_cumulative_file_is_read(path: Path) -> None:
    election = read_once(path)
    assert election.vote_type in (APPROVAL, CUMULATIVE)
    assert election.budget > 0
    assert election.projects and election.ballots
    known = {p.id for p in election.projects}
    for ballot in election.ballots:
        assert set(ballot) <= known
        assert all(isinstance(points, int) and points >= 0 for points in ballot.values())
    if election.vote_type == APPROVAL:
        assert all(points == 1 for ballot in election.ballots for points in ballot.values())
    if election.max_sum_points is not None:
        assert all(sum(b.values()) <= election.max_sum_points for b in election.ballots)


@pytest.mark.parametrize("path", file_params("ordinal", "choose-1"))
def test_ordinal_and_choose_one_files_are_refused_as_unsupported(path: Path) -> None:
    with pytest.raises(UnsupportedVoteType, match="pb counts approval and cumulative"):
        read_pb(path)


def test_decimal_costs_and_budget_are_whole_numbers() -> None:
    election = read_pb(data_file("France_Toulouse_2022_6_-_Saint-Cyprien.pb"))
    assert election.budget == 400000
    assert election.project_by_id["31"].cost == 100000
    assert all(type(p.cost) is int for p in election.projects)
    assert election.max_length == 3


def test_points_ballots_keep_their_points() -> None:
    election = read_pb(data_file("Switzerland_Zurich_D10.pb"))
    assert election.vote_type == CUMULATIVE
    assert election.max_sum_points == 10
    assert any(len(set(b.values())) > 1 for b in election.ballots)


def test_ids_that_are_not_numbers_and_quoted_cells() -> None:
    election = read_pb(data_file("Poland_Katowice_2022_Zawodzie.pb"))
    assert "L3/06/IX" in election.project_by_id
    election = read_pb(data_file("Hungary_Budapest_2024_VIII_Jozsefvaros.pb"))
    assert election.meta["comment"].startswith('#1: "neighborhood"')


def test_gzipped_file_reads_like_the_plain_one(tmp_path: Path) -> None:
    plain = data_file("Netherlands_Assen_2024.pb")
    packed = tmp_path / "Assen.pb.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert read_pb(packed) == read_pb(plain)


def test_reader_agrees_with_pabutools_parser() -> None:
    """For the small files, the budget, costs and ballots are those pabutools reads."""
    pabulib = pytest.importorskip("pabutools.election.pabulib", reason="pabutools is not installed")
    for name in (
        "Netherlands_Assen_2024.pb",
        "France_Toulouse_2022_6_-_Saint-Cyprien.pb",
        "Switzerland_Zurich_D10.pb",
        "Poland_Katowice_2022_Zawodzie.pb",
    ):
        path = data_file(name)
        ours = read_pb(path)
        instance, profile = pabulib.parse_pabulib(str(path))
        assert ours.budget == instance.budget_limit
        assert {p.id: p.cost for p in ours.projects} == {p.name: p.cost for p in instance}
        if ours.vote_type == APPROVAL:
            theirs = [{p.name: 1 for p in ballot} for ballot in profile]
        else:
            theirs = [{p.name: v for p, v in ballot.items()} for ballot in profile]
        assert [dict(b) for b in ours.ballots] == theirs


def test_tolerant_reading_of_harmless_differences() -> None:
    text = (
        "\ufeffmeta\r\nkey;value\r\nbudget;1000.0\r\nvote_type;Approval\r\n"
        'comment;"#1: with; semicolon and ""quotes"""\r\n\r\n'
        "Projects\r\nproject_id;cost;name;category\r\n"
        'x1;400.00;"Park; north";None\r\nx2;600;Plain;sport\r\n'
        "VOTES\r\nvoter_id;vote;age\r\nv1; x1 , x2 ;None\r\nv2;;30\r\n"
    )
    election = parse_pb(text)
    assert election.budget == 1000
    assert election.projects == (Project("x1", 400), Project("x2", 600))
    assert election.meta["comment"] == '#1: with; semicolon and "quotes"'
    assert election.project_meta["x1"] == {"name": "Park; north", "category": None}
    assert election.ballots == ({"x1": 1, "x2": 1}, {})


def _replace(old: str, new: str) -> str:
    assert old in SMALL
    return SMALL.replace(old, new)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "META section is missing"),
        ("key;value\nbudget;1\n", "line 1: the file must begin with a line reading META"),
        (SMALL.split("PROJECTS")[0], "PROJECTS section is missing"),
        (SMALL.split("VOTES")[0], "VOTES section is missing"),
        (_replace("VOTES\nvoter_id;vote\n", "VOTES\n"), "line 14: the VOTES header has no"),
        (_replace("budget;100\n", ""), "META has no 'budget' line"),
        (_replace("budget;100", "budget;lots"), "line 6: the budget must be a number"),
        (_replace("budget;100", "budget;100.5"), "the budget must be a whole number"),
        (_replace("vote_type;approval", "vote_type;pairwise"), "unknown vote_type 'pairwise'"),
        (_replace("1;40;First", "1;forty;First"), "line 10: the cost of project 1 must be a"),
        (_replace("1;40;First", "1;40.5;First"), "the cost of project 1 must be a whole number"),
        (_replace("1;40;First", "1;0;First"), "the cost of project 1 must be at least 1"),
        (_replace("1;40;First", "1;-40;First"), "must not be negative"),
        (_replace("1;40;First", "1;40,5;First"), "found '40,5' (decimals take a point, not"),
        (_replace("3;30;Third", "2;30;Third"), "line 12: project '2' is listed twice"),
        (_replace("project_id;cost;name", "project_id;price;name"), "header has no 'cost' column"),
        (_replace("b;2\n", "b;2;3\n"), "line 16: this VOTES line has 3 cells"),
        (_replace("2;60;Second", "2;60"), "line 11: this PROJECTS line has 2 cells"),
        (_replace("b;2\n", "b;4\n"), "line 16: voter b votes for project '4', which is not in"),
        (_replace("b;2\n", "b;2,2\n"), "voter b lists the same project twice"),
        (_replace("b;2\n", "b;2,\n"), "the vote of voter b has an empty project id"),
        (_replace("c;1,3\n", "a;1,3\n"), "line 17: voter 'a' appears twice"),
        (_replace("num_votes;3", "num_votes;4"), "META says num_votes is 4, but the file lists 3"),
        (_replace("num_projects;3", "num_projects;2"), "META says num_projects is 2"),
        (_replace("PROJECTS\n", "VOTES\n"), "found the VOTES section where PROJECTS should begin"),
        (_replace("name\n1;40;First", 'name\n1;40;"First'), "badly quoted cell"),
        (_replace("budget;100\n", "budget;100\nbudget;200\n"), "META key 'budget' appears twice"),
    ],
)
def test_malformed_files_are_refused_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(PabulibError, match=message.replace("(", r"\(")):
        parse_pb(text, source="test.pb")


def test_error_message_names_the_file() -> None:
    with pytest.raises(PabulibError, match=r"^test\.pb, line 16: "):
        parse_pb(_replace("b;2\n", "b;9\n"), source="test.pb")


def test_cumulative_ballots_need_matching_points() -> None:
    text = SMALL.replace("vote_type;approval", "vote_type;cumulative").replace(
        "voter_id;vote\na;1,2\nb;2\nc;1,3\n", "voter_id;vote;points\na;1,2;3\nb;2;1\nc;1,3;2,1\n"
    )
    with pytest.raises(PabulibError, match="line 15: voter a lists 2 projects but 1 points"):
        parse_pb(text)
    assert parse_pb(text.replace("a;1,2;3", "a;1,2;2,1")).ballots[0] == {"1": 2, "2": 1}


@pytest.mark.parametrize("vote_type", ["ordinal", "choose-1", "scoring"])
def test_other_ballot_kinds_are_unsupported(vote_type: str) -> None:
    with pytest.raises(UnsupportedVoteType, match=r"line 7: this file holds"):
        parse_pb(_replace("vote_type;approval", f"vote_type;{vote_type}"))


def _awkward(vote_type: str) -> Election:
    points = (lambda n: n) if vote_type == CUMULATIVE else (lambda n: 1)
    return Election(
        budget=5000,
        projects=(Project("1", 1200), Project("A/2", 800), Project("c3", 5000)),
        ballots=({"1": points(3), "A/2": points(1)}, {}, {"c3": points(2)}, {"A/2": points(1)}),
        vote_type=vote_type,
        max_length=2,
        max_sum_points=4 if vote_type == CUMULATIVE else None,
        meta={
            "description": "Round trip",
            "country": "Kyrgyzstan",
            "unit": "Ak-Suu",
            "instance": "2026",
            "rule": "equalshares/add1",
            "currency": "KGS",
            "comment": '#1: a "quoted"; line\nand a second line',
        },
        project_meta={
            "1": {"name": 'Park; with "quotes"', "category": "green,sport", "selected": "1"},
            "A/2": {"name": "Школа", "category": None, "selected": "0"},
            "c3": {"name": "Multi\nline", "category": "roads", "selected": "0"},
        },
    )


@pytest.mark.parametrize("vote_type", [APPROVAL, CUMULATIVE])
def test_written_file_reads_back_identically(vote_type: str) -> None:
    election = _awkward(vote_type)
    text = write_pb(election)
    assert text.startswith("META\nkey;value\ndescription;Round trip\n")
    assert "\r" not in text and "\ufeff" not in text
    assert parse_pb(text) == election


def test_writer_adds_meta_and_counts_votes() -> None:
    text = write_pb(_awkward(CUMULATIVE), meta={"language": "ky", "rule": "greedy"})
    election = parse_pb(text)
    assert election.meta["language"] == "ky" and election.meta["rule"] == "greedy"
    assert "project_id;cost;votes;score;name;category;selected\n1;1200;1;3;" in text
    assert "num_votes;4\n" in text and "vote_type;cumulative\n" in text


@pytest.mark.parametrize(
    "name",
    ["Netherlands_Assen_2024.pb", "Switzerland_Zurich_D10.pb", "Poland_Katowice_2022_Zawodzie.pb"],
)
def test_real_file_round_trip(name: str) -> None:
    election = read_pb(data_file(name))
    assert parse_pb(write_pb(election)) == election


def _text(path: Path) -> str:
    with (gzip.open if path.name.endswith(".gz") else open)(path, "rt", encoding="utf-8") as f:
        return f.read()


def _unquoted(params: list) -> list:
    """The parameters whose file has no quote at all (the others go through the csv module)."""
    return [p for p in params if p.values[0] is None or '"' not in _text(p.values[0])]


@pytest.mark.parametrize("path", _unquoted(file_params(APPROVAL, CUMULATIVE)))
def test_unquoted_files_read_the_same_without_the_csv_module(path: Path) -> None:
    """Files without a quote are split by hand (faster); the csv module must read them alike."""
    text = _text(path)
    # With a quoted cell added (in a META value), the same file goes through the csv module.
    quoted = text.replace("\nvote_type;", '\nunused_key;"x"\nvote_type;', 1)
    assert '"' in quoted and '"' not in text
    by_hand, by_csv = parse_pb(text), parse_pb(quoted)
    assert by_csv.meta.pop("unused_key") == "x"
    assert by_hand == by_csv
