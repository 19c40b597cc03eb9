"""Importing a pabulib .pb file as a closed consultation: a past paper process, or a test case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert

from pb.audit import trail as audit
from pb.auth.access import ensure_officer
from pb.counting.model import CUMULATIVE, Election
from pb.counting.pabulib import Message, PabulibError, parse_pb
from pb.counting_rules import rule_in_pabulib
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    Ballot,
    BallotChoice,
    BallotKind,
    Beneficiary,
    Category,
    Channel,
    Consultation,
    Municipality,
    Phase,
    Proposal,
    ProposalBeneficiary,
    ProposalStatus,
    User,
)
from pb.models.base import utcnow
from pb.models.voting import new_ballot_id
from pb.results.counting import count_and_store
from pb.voting.details import Counted, record_figures
from pb.voting.sheets import VoterDetails


def _date(text: str | None, fallback: date) -> date:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text or "", pattern).date()
        except ValueError:
            continue
    return fallback


def import_pb(actor: User, municipality: Municipality, text: str, village_id: int) -> Consultation:
    """Create a closed consultation from a .pb file: its projects become accepted proposals of
    ``village_id``, its votes become paper ballots. Everything or nothing is saved."""
    ensure_officer(actor, municipality.id)
    if village_id not in {v.id for v in municipality.villages}:
        raise RuleViolation(_l("Choose a village of the municipality."))
    try:
        election = parse_pb(text)
    except PabulibError as error:
        raise RuleViolation(
            _l("This file cannot be read: %(error)s", error=problem(error))
        ) from None
    if election.budget < 1:
        raise RuleViolation(_l("This file gives no budget: it must be at least 1 som."))
    return _create(actor, municipality, election, village_id)


def problem(error: PabulibError) -> str:
    """What is wrong with a .pb file, and where, in the reader's language (the reader of
    ``pb.counting`` writes it in English, its parts apart)."""
    text = _translated(error.message)
    if error.line:
        return gettext("line %(line)s: %(problem)s", line=error.line, problem=text)
    return text


def _translated(message: Message) -> str:
    values = {
        key: _translated(value) if isinstance(value, Message) else value
        for key, value in message.values.items()
    }
    return gettext(message.template, **values)


def _create(
    actor: User, municipality: Municipality, election: Election, village_id: int
) -> Consultation:
    meta = election.meta
    today = utcnow().date()
    start = _date(meta.get("date_begin"), today)
    end = max(_date(meta.get("date_end"), start), start)
    points = election.vote_type == CUMULATIVE
    rule = str(meta.get("rule") or "")
    consultation = Consultation(
        municipality_id=municipality.id,
        **_titles(
            meta.get("description"), f"{meta.get('unit') or ''} {meta.get('instance') or ''}"
        ),
        budget=election.budget,
        phase=Phase.CLOSED,
        proposals_from=start,
        proposals_until=start,
        review_until=start,
        voting_from=start,
        voting_until=end,
        results_on=end,
        ballot_kind=BallotKind.POINTS
        if points
        else (BallotKind.APPROVAL if election.max_length else BallotKind.BUDGET),
        approval_limit=None if points else election.max_length,
        points_total=(
            election.max_sum_points or max((sum(b.values()) for b in election.ballots), default=1)
        )
        if points
        else None,
        allow_accounts=False,
        allow_codes=False,
        allow_paper=True,
        counting_rule=rule_in_pabulib(rule).name,
        complete_with_greedy=False,
        created_by_id=actor.id,
    )
    # By key, so that each reader sees it named in her language (pb.labels.category_name).
    category = Category(key="imported", position=0)
    consultation.categories = [category]
    consultation.villages = [v for v in municipality.villages if v.id == village_id]
    db.session.add(consultation)
    db.session.flush()
    proposal_ids: dict[str, int] = {}
    for project in election.projects:
        details = election.project_meta.get(project.id, {})
        proposal = Proposal(
            consultation_id=consultation.id,
            title=(details.get("name") or f"{project.id}")[:150],
            description=(details.get("description") or details.get("name") or project.id)[:5000],
            estimated_cost=project.cost,
            category_id=category.id,
            village_id=village_id,
            status=ProposalStatus.ACCEPTED,
            entered_by_id=actor.id,
        )
        proposal.beneficiary_rows = [
            ProposalBeneficiary(group=group) for group in _beneficiaries(details)
        ]
        db.session.add(proposal)
        db.session.flush()
        proposal_ids[project.id] = proposal.id
    ballots: list[dict[str, object]] = []
    choices: list[dict[str, object]] = []
    for ballot in election.ballots:
        ballot_id = new_ballot_id()
        ballots.append(
            {"id": ballot_id, "consultation_id": consultation.id, "channel": Channel.PAPER}
        )
        choices.extend(
            {"ballot_id": ballot_id, "proposal_id": proposal_ids[pid], "points": pts}
            for pid, pts in ballot.items()
            if pts > 0
        )
    if ballots:
        db.session.execute(insert(Ballot), ballots)
    if choices:
        db.session.execute(insert(BallotChoice), choices)
    # A .pb file's voters' own columns (age, sex...) are not read: every imported ballot
    # counts as paper, its details not given, as the participation figures of a close would.
    record_figures(
        consultation.id,
        (
            Counted(
                Channel.PAPER.value,
                VoterDetails(),
                [(proposal_ids[pid], pts) for pid, pts in ballot.items() if pts > 0],
            )
            for ballot in election.ballots
        ),
    )
    # An imported consultation is closed: its result is counted with it, as at a close.
    count_and_store(consultation)
    audit.record(
        actor,
        "results.import",
        municipality_id=municipality.id,
        target=("consultation", consultation.id),
        after={
            "title": consultation.title_en,
            "proposals": len(proposal_ids),
            "ballots": len(ballots),
        },
    )
    db.session.commit()
    return consultation


def _titles(description: str | None, name: str) -> dict[str, str]:
    """The file's own description as the title (in whatever language it is written), or else
    "Imported: <unit> <instance>" in each language."""
    if description and description.strip():
        return {"title_en": description.strip()[:200]}
    titles = {}
    for language in ("ky", "ru", "en"):
        with force_locale(language):
            titles[f"title_{language}"] = gettext("Imported: %(name)s", name=name.strip())[:200]
    return titles


def _beneficiaries(details: Mapping[str, str | None]) -> list[Beneficiary]:
    """The groups named in the file's ``beneficiaries`` column (``target`` before 2026) that pb
    knows, as pb's own exports write them; "everyone" when there are none."""
    named = (details.get("beneficiaries") or details.get("target") or "").split(",")
    known = {group.value: group for group in Beneficiary}
    groups = list(dict.fromkeys(known[n.strip()] for n in named if n.strip() in known))
    return groups or [Beneficiary.EVERYONE]
