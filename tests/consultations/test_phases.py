"""What each phase allows, asked of the consultation; and what a phase change sets off, through
the hooks the later domains register (pb.consultations imports none of them)."""

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pb.consultations import phases
from pb.extensions import db
from pb.models import (
    Ballot,
    Channel,
    Consultation,
    CountedResult,
    Job,
    JobState,
    Phase,
    PhaseChange,
    ProposalStatus,
    Receipt,
    VoterLink,
)
from pb.proposals.services import may_propose
from pb.results.counting import count_at_publication
from pb.results.services import may_see_figures
from pb.voting.services import seal_ballots, settings_errors
from tests import factories

ROOT = Path(__file__).resolve().parent.parent.parent


def allowed_in(predicate: str) -> set[Phase]:
    return {phase for phase in Phase if getattr(Consultation(phase=phase), predicate)}


def test_only_officers_see_a_draft():
    assert allowed_in("is_draft") == {Phase.DRAFT}


def test_residents_send_proposals_only_while_they_are_collected():
    assert allowed_in("takes_proposals") == {Phase.COLLECTING}


def test_officers_review_proposals_until_voting_opens():
    assert allowed_in("reviews_proposals") == {Phase.COLLECTING, Phase.REVIEW}


def test_the_ballot_is_locked_from_the_opening_of_voting_on():
    locked = {Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED}
    assert allowed_in("ballot_locked") == locked
    assert allowed_in("voting_started") == locked


def test_ballots_are_cast_only_while_voting_is_open():
    assert allowed_in("voting_open") == {Phase.VOTING}


def test_voting_is_over_once_closed_and_after_publication():
    assert allowed_in("voting_over") == {Phase.CLOSED, Phase.PUBLISHED}


def test_results_are_public_only_once_published():
    assert allowed_in("results_public") == {Phase.PUBLISHED}


@pytest.mark.parametrize("phase", list(Phase))
def test_only_a_resident_may_propose_and_only_while_proposals_are_collected(world, phase):
    consultation = world.consultation
    consultation.phase = phase
    db.session.commit()
    assert may_propose(world.resident, consultation) == (phase == Phase.COLLECTING)
    for user in (world.outsider, world.admin, None):
        assert not may_propose(user, consultation)


@pytest.mark.parametrize("phase", list(Phase))
def test_council_and_officers_see_figures_at_close_everyone_at_publication(world, phase):
    consultation = world.consultation
    consultation.phase = phase
    db.session.commit()
    staff = phase in (Phase.CLOSED, Phase.PUBLISHED)
    assert may_see_figures(world.council, consultation) == staff
    assert may_see_figures(world.officer, consultation) == staff
    for user in (world.resident, world.outside_officer, None):
        assert may_see_figures(user, consultation) == (phase == Phase.PUBLISHED)


def test_voting_and_results_register_their_part_in_phase_changes(app):
    assert settings_errors in phases.checks_before(Phase.VOTING)
    assert seal_ballots in phases.reactions_to(Phase.CLOSED)
    assert count_at_publication in phases.reactions_to(Phase.PUBLISHED)
    # Nothing follows a step back.
    for phase in (Phase.DRAFT, Phase.COLLECTING):
        assert not phases.reactions_to(phase)


def move(client, consultation, expected):
    return client.post(
        f"/c/{consultation.id}/phase",
        data={"direction": "advance", "expected": expected, "confirm": "yes", "reason": "Early."},
    )


def test_voting_cannot_open_while_the_voting_settings_are_incomplete(officer_client, world):
    c = world.consultation
    factories.make_proposal(c, status=ProposalStatus.ACCEPTED)
    c.phase = Phase.REVIEW
    c.allow_accounts = c.allow_codes = c.allow_paper = False
    db.session.commit()
    page = officer_client.get(move(officer_client, c, "review").headers["Location"]).get_data(
        as_text=True
    )
    assert "Open at least one way to vote." in page
    db.session.refresh(c)
    assert c.phase == Phase.REVIEW


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_closing_seals_and_counts_the_ballots_and_publishing_keeps_the_count(officer_client, world):
    c = world.consultation
    p1, *_ = factories.open_voting(c)
    ballot = Ballot(consultation_id=c.id, channel=Channel.ONLINE)
    ballot.choices = {p1.id: 1}
    db.session.add(ballot)
    db.session.flush()
    db.session.add(
        VoterLink(
            consultation_id=c.id,
            voter_digest="1" * 64,
            ballot_id=ballot.id,
            receipt_digest="0" * 64,
        )
    )
    db.session.commit()
    move(officer_client, c, "voting")
    # Counted at close, in the same transaction, after the ballots were sealed.
    assert (count(VoterLink), count(Receipt), count(CountedResult)) == (0, 1, 1)
    counted_at = db.session.scalars(select(CountedResult.counted_at)).one()
    move(officer_client, c, "closed")
    db.session.refresh(c)
    assert c.phase == Phase.PUBLISHED
    assert db.session.scalars(select(CountedResult.ballots)).all() == [1]
    assert db.session.scalars(select(CountedResult.counted_at)).one() == counted_at


def test_a_failing_reaction_leaves_the_phase_unchanged(officer_client, world):
    c = world.consultation
    factories.open_voting(c)

    def break_down(consultation):
        raise RuntimeError("the lights went out")

    phases.on_entering(Phase.CLOSED)(break_down)
    try:
        # Closing runs as a job: its page says it failed, and that nothing was saved.
        job_page = move(officer_client, c, "voting").headers["Location"]
        page = officer_client.get(job_page).get_data(as_text=True)
    finally:
        phases._reactions[Phase.CLOSED].pop(phases._key(break_down))
    assert "Something went wrong on our side. Nothing was saved." in page
    assert "the lights went out" not in page
    db.session.refresh(c)
    assert c.phase == Phase.VOTING
    assert count(PhaseChange) == 0
    job = db.session.scalars(select(Job)).one()
    assert job.state == JobState.FAILED and job.attempts == 1
    # Tried again once what broke is mended, it closes voting, once.
    officer_client.post(f"{job_page}/retry")
    db.session.refresh(c)
    db.session.refresh(job)
    assert c.phase == Phase.CLOSED and count(PhaseChange) == 1
    assert (job.state, job.attempts, job.result) == (JobState.DONE, 2, {"phase": "closed"})


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_consultations_import_neither_voting_nor_results():
    files = sorted((ROOT / "pb" / "consultations").glob("*.py"))
    assert files
    for path in files:
        for module in _imported_modules(path):
            assert not module.startswith(("pb.voting", "pb.results")), f"{path.name}: {module}"


# A phase's value compared in a template: ``phase.value == 'voting'``, ``P in (...)``.
PHASE_COMPARISON = re.compile(
    r"phase(\.value)?\s*(==|!=|\bin\b|\bnot in\b)|\bP\s*(==|!=|\bin\b|\bnot in\b)"
)


def test_templates_ask_the_consultation_instead_of_listing_phases():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not PHASE_COMPARISON.search(line), f"{path.relative_to(ROOT)}:{number}"
