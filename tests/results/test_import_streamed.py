"""Importing a city's .pb file: read as it comes, its ballots inserted a batch at a time, memory
bounded whatever the file's size; still everything or nothing saved, a bad line anywhere named."""

from __future__ import annotations

import tracemalloc
from collections import Counter

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from pb.counting.pabulib import parse_pb, read_pb
from pb.counting_rules import COUNTING_RULES
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    AuditEntry,
    Ballot,
    BallotKind,
    ChoiceFigure,
    Consultation,
    Proposal,
    VoterFigure,
)
from pb.results import imports
from pb.results.counting import result_for
from pb.results.imports import import_pb
from tests.counting.shared import data_file


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


def generated(voters: int, projects: int = 20, last_vote: str | None = None) -> bytes:
    """An approval file of ``voters`` ballots of three projects each; ``last_vote`` replaces
    the last ballot's vote cell."""
    lines = [
        "META",
        "key;value",
        "description;Генерацияланган",
        f"num_projects;{projects}",
        f"num_votes;{voters}",
        "budget;1000000",
        "vote_type;approval",
        "max_length;3",
        "PROJECTS",
        "project_id;cost;name",
        *(f"p{n};{10_000 + n * 1_000};Долбоор {n}" for n in range(projects)),
        "VOTES",
        "voter_id;vote",
    ]
    for voter in range(voters):
        chosen = {voter % projects, (voter * 7 + 3) % projects, (voter * 13 + 5) % projects}
        lines.append(f"{voter};{','.join(f'p{n}' for n in sorted(chosen))}")
    if last_vote is not None:
        lines[-1] = f"{voters - 1};{last_vote}"
    return ("\n".join(lines) + "\n").encode()


def imported_ballots(consultation: Consultation, project_ids: list[str]) -> Counter[frozenset]:
    """The stored ballots, named by the file's project ids (proposals are made in its order)."""
    proposals = db.session.scalars(
        select(Proposal.id).where(Proposal.consultation_id == consultation.id).order_by(Proposal.id)
    ).all()
    named = dict(zip(proposals, project_ids, strict=True))
    return Counter(
        frozenset((named[proposal_id], points) for proposal_id, points in choices.items())
        for choices in db.session.scalars(
            select(Ballot.choices).where(Ballot.consultation_id == consultation.id)
        )
    )


def saved_rows() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Consultation, Proposal, Ballot, VoterFigure, ChoiceFigure)
    }


@pytest.mark.parametrize(
    "name", ["Hungary_Budapest_2024_VIII_Jozsefvaros.pb", "Poland_Katowice_2022_Zawodzie.pb"]
)
def test_a_streamed_import_keeps_the_files_ballots_and_result(app, world, name):
    path = data_file(name)
    election = read_pb(path)
    with app.test_request_context():
        # Small, odd pieces: lines, and letters of two bytes, are cut between them.
        consultation = import_pb(
            world.officer, world.municipality, pieces(path.read_bytes(), 997), world.village.id
        )
    project_ids = [p.id for p in election.projects]
    expected = Counter(
        frozenset((pid, pts) for pid, pts in ballot.items() if pts > 0)
        for ballot in election.ballots
    )
    assert imported_ballots(consultation, project_ids) == expected
    assert consultation.budget == election.budget
    if election.vote_type == "cumulative":
        assert consultation.ballot_kind == BallotKind.POINTS
        assert consultation.points_total == (
            election.max_sum_points or max(sum(b.values()) for b in election.ballots)
        )
    # The result is the one the rule gives on the file as parse_pb reads it.
    outcome = COUNTING_RULES[consultation.counting_rule].count(election, False)
    proposal_ids = db.session.scalars(
        select(Proposal.id).where(Proposal.consultation_id == consultation.id).order_by(Proposal.id)
    ).all()
    proposals = dict(zip(map(str, proposal_ids), project_ids, strict=True))
    result = result_for(consultation)
    assert result.ballots == len(election.ballots)
    assert [proposals[pid] for pid in result.details["funded"]] == list(outcome.funded)
    assert result.total_cost == outcome.total_cost


def test_a_cumulative_file_without_a_limit_takes_the_most_points_a_ballot_gives(app, world):
    text = """META
key;value
budget;100
vote_type;cumulative
PROJECTS
project_id;cost
a;40
b;60
VOTES
voter_id;vote;points
1;a,b;3,4
2;b;5
"""
    with app.test_request_context():
        consultation = import_pb(
            world.officer, world.municipality, [text.encode()], world.village.id
        )
    assert consultation.points_total == 7


def test_a_bad_line_at_the_end_of_a_big_file_leaves_nothing_saved(app, world):
    voters = 2 * imports.BATCH + 10  # two batches are inserted before the bad line is read
    data = generated(voters, last_vote="p1,p99")
    before = saved_rows()
    audited = db.session.scalar(select(func.count()).select_from(AuditEntry))
    with app.test_request_context(), force_locale("ru"):
        with pytest.raises(RuleViolation) as raised:
            import_pb(world.officer, world.municipality, pieces(data, 4096), world.village.id)
        told = str(raised.value.message)
    last_line = len(data.decode().splitlines())
    assert told.startswith("Не удаётся прочитать файл")
    assert f"строка {last_line}: " in told and "'p99'" in told
    assert saved_rows() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audited


def test_a_vote_count_that_disagrees_at_the_end_leaves_nothing_saved(app, world):
    data = generated(imports.BATCH + 1).replace(
        f"num_votes;{imports.BATCH + 1}".encode(), f"num_votes;{imports.BATCH}".encode()
    )
    before = saved_rows()
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(RuleViolation) as raised:
            import_pb(world.officer, world.municipality, [data], world.village.id)
        assert "line 5: META says num_votes is 5000" in str(raised.value.message)
    assert saved_rows() == before


def test_bytes_that_are_not_utf8_text_are_refused_and_nothing_is_saved(app, world):
    before = saved_rows()
    for data in (generated(10) + b"\xff\xfe", generated(10).replace(b"p1;", b"p\x001;")):
        with app.test_request_context(), force_locale("en"):
            with pytest.raises(RuleViolation) as raised:
                import_pb(world.officer, world.municipality, [data], world.village.id)
            assert str(raised.value.message) == "The file is not UTF-8 text."
    assert saved_rows() == before


def test_progress_is_told_batch_by_batch(app, world):
    voters = 2 * imports.BATCH + 1
    told: list[tuple[int, int]] = []
    with app.test_request_context():
        import_pb(
            world.officer,
            world.municipality,
            [generated(voters)],
            world.village.id,
            progress=lambda done, total: told.append((done, total)),
        )
    assert told == [(0, voters), (5000, voters), (10000, voters), (voters, voters)]


def test_memory_does_not_grow_with_the_file(app, world, monkeypatch):
    """Reading and inserting 10,000 ballots of three choices holds one batch (of 1,000 here),
    not the file: the whole-file import held about 1.3 KB per choice (here 11 MB before its
    inserts even began, 39 MB in all). The count at the end is left out: it holds the ballots,
    as any count does."""
    voters = 10_000
    data = generated(voters)
    peaks: list[int] = []

    def count_and_store(consultation: Consultation) -> None:
        peaks.append(tracemalloc.get_traced_memory()[1])

    monkeypatch.setattr(imports, "count_and_store", count_and_store)
    monkeypatch.setattr(imports, "BATCH", 1_000)
    with app.test_request_context():
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            start = tracemalloc.get_traced_memory()[0]
            import_pb(world.officer, world.municipality, pieces(data, 256 * 1024), world.village.id)
        finally:
            tracemalloc.stop()
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == voters
    # What stays: the file's pieces (0.5 MB, as a list here), one batch of rows, the voter ids
    # seen.
    assert peaks[0] - start < 8 * 1024 * 1024, (peaks[0] - start) / 1024 / 1024


def test_parse_pb_reads_what_the_import_reads(app, world):
    data = generated(50)
    election = parse_pb(data.decode())
    with app.test_request_context():
        consultation = import_pb(world.officer, world.municipality, [data], world.village.id)
    assert consultation.approval_limit == election.max_length == 3
    assert consultation.title_en == "Генерацияланган"
