"""What became of each funded project, as the municipality's officers keep it.

A consultation's funded proposals are read from its stored result once the results are
published; each gets an ``Implementation`` the first time an officer saves it (until then it is
shown as planned, at the proposal's cost). Every change is one service call, checked for role
and municipality, audited, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pb.audit import trail as audit
from pb.auth.access import ensure_officer
from pb.consultations.services import local_today
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import Consultation, Municipality, Phase, Proposal, User
from pb.models.implementation import (
    Implementation,
    ImplementationStatus,
    ImplementationUpdate,
    Photo,
)
from pb.results.counting import result_for

# Statuses whose reason the public must be told.
NEEDS_REASON = frozenset({ImplementationStatus.POSTPONED, ImplementationStatus.CANCELLED})
LANGUAGES = ("ky", "ru", "en")
TEXT_MAX = 5000
CONTRACTOR_MAX = 200
# No rural project costs more; a larger figure is a typing slip (and would overflow INTEGER).
COST_MAX = 2_000_000_000
PHOTOS_PER_UPDATE = 4

AUDITED = (
    "status",
    "status_reason",
    "planned_cost",
    "actual_cost",
    "community_money",
    "community_labour",
    "contractor",
    "started_on",
    "finished_on",
    "changes",
)


@dataclass(frozen=True)
class ImplementationData:
    """What an officer sets of a project's implementation."""

    status: ImplementationStatus
    planned_cost: int
    status_reason: str | None = None
    actual_cost: int | None = None
    community_money: int | None = None
    community_labour: str | None = None
    contractor: str | None = None
    started_on: date | None = None
    finished_on: date | None = None
    changes: str | None = None


@dataclass
class Project:
    """A funded proposal and its implementation (a fresh, unsaved one until first edited)."""

    proposal: Proposal
    implementation: Implementation
    updates: list[ImplementationUpdate] = field(default_factory=list)


def funded_ids(consultation: Consultation) -> list[int]:
    """The funded proposals of a consultation whose results are published, in the order funded."""
    if not consultation.results_public:
        return []
    return [int(pid) for pid in result_for(consultation).details.get("funded", [])]


def is_funded(proposal: Proposal) -> bool:
    return proposal.id in funded_ids(proposal.consultation)


def _fresh(proposal: Proposal) -> Implementation:
    # Not added to the session: a page that shows it must not write.
    return Implementation(
        proposal_id=proposal.id,
        status=ImplementationStatus.PLANNED,
        planned_cost=proposal.cost,
        updates=[],
    )


def projects(consultation: Consultation) -> list[Project]:
    """The funded projects of a published consultation with what became of them, in the order
    funded; updates (newest first) and their photos loaded at once."""
    return _projects_of([(consultation, funded_ids(consultation))]).get(consultation.id, [])


def _projects_of(
    funded: Sequence[tuple[Consultation, list[int]]],
) -> dict[int, list[Project]]:
    ids = [pid for _, pids in funded for pid in pids]
    if not ids:
        return {}
    proposals = {
        p.id: p
        for p in db.session.scalars(
            select(Proposal)
            .where(Proposal.id.in_(ids))
            .options(
                joinedload(Proposal.village),
                joinedload(Proposal.category),
                selectinload(Proposal.beneficiary_rows),
            )
        )
    }
    kept = {
        i.proposal_id: i
        for i in db.session.scalars(
            select(Implementation)
            .where(Implementation.proposal_id.in_(ids))
            .options(selectinload(Implementation.updates).selectinload(ImplementationUpdate.photos))
        )
    }
    result: dict[int, list[Project]] = {}
    for consultation, pids in funded:
        rows = []
        for pid in pids:
            proposal = proposals.get(pid)
            if proposal is None:
                continue
            implementation = kept.get(pid) or _fresh(proposal)
            rows.append(Project(proposal, implementation, list(implementation.updates)))
        result[consultation.id] = rows
    return result


def published_consultations(
    municipality: Municipality, year: int | None = None
) -> list[Consultation]:
    """The municipality's consultations with published results, the latest first; of one year
    (the year their results were due) if given."""
    query = select(Consultation).where(
        Consultation.municipality_id == municipality.id, Consultation.phase == Phase.PUBLISHED
    )
    consultations = list(
        db.session.scalars(query.order_by(Consultation.results_on.desc(), Consultation.id.desc()))
    )
    if year is not None:
        consultations = [c for c in consultations if c.results_on.year == year]
    return consultations


def projects_by_consultation(
    consultations: Sequence[Consultation],
) -> list[tuple[Consultation, list[Project]]]:
    by_id = _projects_of([(c, funded_ids(c)) for c in consultations])
    return [(c, by_id.get(c.id, [])) for c in consultations]


#: How long residents may go without a word on a project not finished before its officers are
#: reminded (their task list, ``pb.todo``): about once a month, as the monitoring of
#: community projects expects.
UPDATE_EVERY_DAYS = 30
FINISHED = frozenset({ImplementationStatus.COMPLETED, ImplementationStatus.CANCELLED})


def updates_due(consultation: Consultation, today: date) -> list[Project]:
    """The funded projects of a published consultation, not finished, whose latest update (or,
    with none, the planned publication of the results) is ``UPDATE_EVERY_DAYS`` old or more."""
    if consultation.phase != Phase.PUBLISHED:
        return []
    due = []
    for project in projects(consultation):
        if project.implementation.status in FINISHED:
            continue
        last = project.updates[0].posted_on if project.updates else consultation.results_on
        if (today - last).days >= UPDATE_EVERY_DAYS:
            due.append(project)
    return due


def project_for(proposal: Proposal) -> Project | None:
    """The proposal's implementation for its page, if it is a funded project of published results."""
    if not is_funded(proposal):
        return None
    rows = projects(proposal.consultation)
    return next((row for row in rows if row.proposal.id == proposal.id), None)


def _kept(proposal: Proposal) -> Implementation | None:
    return db.session.scalar(
        select(Implementation).where(Implementation.proposal_id == proposal.id)
    )


def _text(value: str | None, limit: int = TEXT_MAX) -> str | None:
    value = (value or "").strip() or None
    if value is not None and len(value) > limit:
        raise RuleViolation(_l("Write at most %(max)d characters.", max=limit))
    return value


def _cost(value: int | None, required: bool = False) -> int | None:
    if value is None:
        if required:
            raise RuleViolation(_l("Write the planned cost in som."))
        return None
    if not 0 <= value <= COST_MAX:
        raise RuleViolation(
            _l("Write an amount in som from %(min)d to %(max)d.", min=0, max=COST_MAX)
        )
    return value


def _checked(data: ImplementationData) -> ImplementationData:
    reason = _text(data.status_reason)
    if data.status in NEEDS_REASON and not reason:
        raise RuleViolation(
            _l("Write the public reason why the project is postponed or cancelled.")
        )
    if data.started_on and data.finished_on and data.finished_on < data.started_on:
        raise RuleViolation(_l("The end date cannot be before the start date."))
    return ImplementationData(
        status=ImplementationStatus(data.status),
        status_reason=reason,
        planned_cost=_cost(data.planned_cost, required=True) or 0,
        actual_cost=_cost(data.actual_cost),
        community_money=_cost(data.community_money),
        community_labour=_text(data.community_labour),
        contractor=_text(data.contractor, CONTRACTOR_MAX),
        started_on=data.started_on,
        finished_on=data.finished_on,
        changes=_text(data.changes),
    )


def _ensure_keepable(actor: User, proposal: Proposal) -> None:
    ensure_officer(actor, proposal.consultation.municipality_id)
    if not is_funded(proposal):
        raise RuleViolation(
            _l("Only the funded projects of a consultation with published results are followed.")
        )


def save_implementation(
    actor: User, proposal: Proposal, data: ImplementationData
) -> Implementation:
    """An officer of the municipality sets what became of a funded project: its status (a
    public reason when postponed or cancelled), costs, the community's contribution,
    contractor, dates and what changed from the proposal."""
    _ensure_keepable(actor, proposal)
    data = _checked(data)
    implementation = _kept(proposal)
    before: dict[str, object] = {}
    if implementation is None:
        implementation = Implementation(proposal_id=proposal.id, planned_cost=proposal.cost)
        db.session.add(implementation)
    else:
        before = audit.snapshot(implementation, *AUDITED)
    for name in AUDITED:
        setattr(implementation, name, getattr(data, name))
    old, new = audit.changes(before, audit.snapshot(implementation, *AUDITED))
    audit.record(
        actor,
        "implementation.save",
        municipality_id=proposal.consultation.municipality_id,
        target=("proposal", proposal.id),
        before=_renamed(old),
        after=_renamed(new),
    )
    db.session.commit()
    return implementation


def _renamed(values: dict[str, object]) -> dict[str, object]:
    # "status" is a proposal's status in the audit trail's labels; this one is the project's.
    return {("implementation_status" if k == "status" else k): v for k, v in values.items()}


def post_update(
    actor: User,
    proposal: Proposal,
    posted_on: date,
    text: str,
    language: str,
    photos: Sequence[Photo] = (),
) -> ImplementationUpdate:
    """An officer posts a dated update on a funded project, in the language she wrote it in,
    with photos already stored (``pb.photos.services.store_upload``)."""
    _ensure_keepable(actor, proposal)
    body = _text(text)
    if not body:
        raise RuleViolation(_l("Write what happened."))
    if language not in LANGUAGES:
        raise RuleViolation(_l("Choose the language the update is written in."))
    if posted_on > local_today():
        raise RuleViolation(_l("The date of an update cannot be in the future."))
    if len(photos) > PHOTOS_PER_UPDATE:
        raise RuleViolation(_l("Add at most %(max)d photos to an update.", max=PHOTOS_PER_UPDATE))
    implementation = _kept(proposal)
    if implementation is None:
        implementation = Implementation(
            proposal_id=proposal.id,
            status=ImplementationStatus.PLANNED,
            planned_cost=proposal.cost,
        )
        db.session.add(implementation)
        db.session.flush()
    update = ImplementationUpdate(
        implementation_id=implementation.id,
        posted_on=posted_on,
        text=body,
        language=language,
        author_id=actor.id,
        photos=list(photos),
    )
    db.session.add(update)
    audit.record(
        actor,
        "implementation.post",
        municipality_id=proposal.consultation.municipality_id,
        target=("proposal", proposal.id),
        after={
            "posted_on": posted_on,
            "text": body,
            "language": language,
            "photos": len(photos),
        },
    )
    db.session.commit()
    return update
