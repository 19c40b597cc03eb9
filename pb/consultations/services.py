"""Consultations: creating them, editing them, and moving them through their phases."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import CursorResult, func, select

from pb.audit import trail as audit
from pb.auth.access import ensure_officer
from pb.consultations import phases
from pb.errors import RuleViolation
from pb.extensions import db
from pb.i18n import format_day
from pb.labels import PHASES, STANDARD_CATEGORIES
from pb.models import (
    Category,
    Consultation,
    Municipality,
    Phase,
    PhaseChange,
    Proposal,
    ProposalStatus,
    User,
    Village,
)

MAX_BUDGET = 10**12
# A step back is allowed only before voting, and never silently: it needs a reason.
STEP_BACK_FROM = {Phase.COLLECTING: Phase.DRAFT, Phase.REVIEW: Phase.COLLECTING}
# Moves that cannot be undone: the officer sees what they will do, in numbers, and confirms.
CONFIRMED_MOVES = frozenset({Phase.CLOSED, Phase.PUBLISHED})


@dataclass
class ConsultationData:
    titles: dict[str, str | None]
    descriptions: dict[str, str | None]
    budget: int
    category_keys: list[str]
    custom_categories: list[str]
    village_ids: list[int]
    proposals_from: date
    proposals_until: date
    review_until: date
    voting_from: date
    voting_until: date
    results_on: date
    errors: dict[str, str] = field(default_factory=dict)


DATE_FIELDS = (
    "proposals_from",
    "proposals_until",
    "review_until",
    "voting_from",
    "voting_until",
    "results_on",
)


def date_order_errors(dates: dict[str, date | None]) -> dict[str, object]:
    """Which date comes before the one it must follow, keyed by the later date's field."""
    messages = {
        "proposals_until": _l("Collection cannot end before it starts."),
        "review_until": _l("Review cannot end before collection ends."),
        "voting_from": _l("Voting cannot start before review ends."),
        "voting_until": _l("Voting cannot end before it starts."),
        "results_on": _l("Results cannot come before voting ends."),
    }
    errors: dict[str, object] = {}
    for earlier, later in itertools.pairwise(DATE_FIELDS):
        first, second = dates.get(earlier), dates.get(later)
        if first and second and second < first:
            errors[later] = messages[later]
    return errors


def consultations_for(municipality: Municipality, include_drafts: bool) -> list[Consultation]:
    stmt = (
        select(Consultation)
        .where(Consultation.municipality_id == municipality.id)
        .order_by(Consultation.proposals_from.desc(), Consultation.id.desc())
    )
    if not include_drafts:
        stmt = stmt.where(Consultation.phase != Phase.DRAFT)
    return list(db.session.scalars(stmt))


def get_consultation(consultation_id: int) -> Consultation | None:
    # Categories, villages and the municipality load when a page first uses them (one query
    # each, as eager loading would take), so the ballot's hot path pays only for what it reads.
    return db.session.get(Consultation, consultation_id)


def proposal_counts(consultation: Consultation) -> dict[ProposalStatus, int]:
    rows = db.session.execute(
        select(Proposal.status, func.count())
        .where(Proposal.consultation_id == consultation.id)
        .group_by(Proposal.status)
    )
    counts = dict.fromkeys(ProposalStatus, 0)
    counts.update((status, n) for status, n in rows)
    return counts


def _check(data: ConsultationData, municipality: Municipality) -> list[Village]:
    if not any(data.titles.values()):
        raise RuleViolation(_l("Give the title in at least one language."))
    if not 0 < data.budget <= MAX_BUDGET:
        raise RuleViolation(_l("The budget must be a positive whole number of som."))
    if date_order_errors({name: getattr(data, name) for name in DATE_FIELDS}):
        raise RuleViolation(_l("The dates are not in order."))
    if not data.category_keys and not data.custom_categories:
        raise RuleViolation(_l("Choose at least one category."))
    unknown = set(data.category_keys) - set(STANDARD_CATEGORIES)
    if unknown:
        raise RuleViolation(_l("Not a valid choice."))
    villages = [v for v in municipality.villages if v.id in set(data.village_ids)]
    if not villages or len(villages) != len(set(data.village_ids)):
        raise RuleViolation(_l("Choose at least one village of the municipality."))
    return villages


def _apply_texts_and_dates(consultation: Consultation, data: ConsultationData) -> None:
    for lang in ("ky", "ru", "en"):
        setattr(consultation, f"title_{lang}", data.titles.get(lang) or None)
        setattr(consultation, f"description_{lang}", data.descriptions.get(lang) or None)
    for name in DATE_FIELDS:
        setattr(consultation, name, getattr(data, name))


def _used_category_ids(consultation: Consultation) -> set[int]:
    return set(
        db.session.scalars(
            select(Proposal.category_id).where(Proposal.consultation_id == consultation.id)
        )
    )


def _used_village_ids(consultation: Consultation) -> set[int]:
    return set(
        db.session.scalars(
            select(Proposal.village_id).where(Proposal.consultation_id == consultation.id)
        )
    )


def _apply_categories(consultation: Consultation, data: ConsultationData) -> None:
    used = _used_category_ids(consultation) if consultation.id else set()
    wanted_keys = list(dict.fromkeys(data.category_keys))
    wanted_names = list(dict.fromkeys(n for n in data.custom_categories if n))
    for category in list(consultation.categories):
        keep = (category.key in wanted_keys) if category.key else (category.name in wanted_names)
        if keep:
            if category.key:
                wanted_keys.remove(category.key)
            else:
                wanted_names.remove(category.name or "")
        elif category.id in used:
            raise RuleViolation(_l("A category that proposals already use cannot be removed."))
        else:
            consultation.categories.remove(category)
    for key in wanted_keys:
        consultation.categories.append(Category(key=key))
    for name in wanted_names:
        consultation.categories.append(Category(name=name))
    # Standard categories in their catalogue order, then the officer's own in the order given.
    order = list(STANDARD_CATEGORIES)
    custom_order = [n for n in data.custom_categories if n]
    for category in consultation.categories:
        category.position = (
            order.index(category.key)
            if category.key
            else len(order) + custom_order.index(category.name or "")
        )


def create_consultation(
    actor: User, municipality: Municipality, data: ConsultationData
) -> Consultation:
    """A new consultation of ``municipality``, in draft (officers of that municipality only)."""
    ensure_officer(actor, municipality.id)
    villages = _check(data, municipality)
    consultation = Consultation(
        municipality_id=municipality.id,
        budget=data.budget,
        phase=Phase.DRAFT,
        created_by_id=actor.id,
    )
    _apply_texts_and_dates(consultation, data)
    consultation.villages = villages
    _apply_categories(consultation, data)
    db.session.add(consultation)
    audit.record(
        actor,
        "consultation.create",
        municipality_id=municipality.id,
        target=("consultation", consultation),
        after=_audited(consultation),
    )
    db.session.commit()
    return consultation


def _audited(consultation: Consultation) -> dict[str, object]:
    """What the audit trail keeps of a consultation's settings, to compare before and after."""
    return {
        "title": " / ".join(
            t for t in (consultation.title_ky, consultation.title_ru, consultation.title_en) if t
        ),
        "budget": consultation.budget,
        "villages": sorted(v.name for v in consultation.villages),
        "categories": sorted(c.key or c.name or "" for c in consultation.categories),
        "dates": [getattr(consultation, name) for name in DATE_FIELDS],
    }


def update_consultation(actor: User, consultation: Consultation, data: ConsultationData) -> None:
    ensure_officer(actor, consultation.municipality_id)
    if consultation.voting_over:
        raise RuleViolation(_l("A closed consultation cannot be changed."))
    villages = _check(data, consultation.municipality)
    before = _audited(consultation)
    try:
        if not consultation.ballot_locked:
            consultation.budget = data.budget
            used_villages = _used_village_ids(consultation)
            if used_villages - {v.id for v in villages}:
                raise RuleViolation(_l("A village that proposals already name cannot be removed."))
            consultation.villages = villages
            _apply_categories(consultation, data)
        _apply_texts_and_dates(consultation, data)
        old, new = audit.changes(before, _audited(consultation))
        if new:
            audit.record(
                actor,
                "consultation.update",
                municipality_id=consultation.municipality_id,
                target=("consultation", consultation.id),
                before=old,
                after=new,
            )
        db.session.commit()
    except RuleViolation:
        db.session.rollback()
        raise


def can_step_back(consultation: Consultation) -> bool:
    return consultation.phase in STEP_BACK_FROM


def next_phase(consultation: Consultation) -> Phase | None:
    phases = list(Phase)
    i = phases.index(consultation.phase)
    return phases[i + 1] if i + 1 < len(phases) else None


def local_today() -> date:
    """Today in the municipalities' time zone, the one the announced dates are meant in."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def closes_early(consultation: Consultation, today: date | None = None) -> bool:
    """Whether closing voting now would end it before the day it was announced to end on."""
    return consultation.voting_open and (today or local_today()) < consultation.voting_until


def needs_confirmation(consultation: Consultation, direction: str) -> bool:
    """Moves that cannot be undone, or that everyone sees undone, are confirmed first."""
    if direction == "back":
        return can_step_back(consultation)
    return next_phase(consultation) in CONFIRMED_MOVES


def what_moving_does(consultation: Consultation, target: Phase) -> list[object]:
    """What moving ``consultation`` into ``target`` will do, in numbers, for the officer to
    confirm: as the domains registered it (pb.consultations.phases), and a step back's part."""
    if target.order < consultation.phase.order:
        counts = proposal_counts(consultation)
        return [
            _l(
                "The consultation goes back to the phase “%(phase)s”.",
                phase=PHASES[target],
            ),
            ngettext(
                "Its %(num)d proposal stays as it is.",
                "Its %(num)d proposals stay as they are.",
                sum(counts.values()),
            ),
            _l("Everyone will see on the timeline that it went back, and why."),
        ]
    said = phases.consequences_of_entering(consultation, target)
    if target == Phase.CLOSED and closes_early(consultation):
        days = (consultation.voting_until - local_today()).days
        said.insert(
            0,
            ngettext(
                "Voting was announced to run until %(date)s: closing now ends it %(num)d day "
                "early. Say why: everyone will see the reason on the timeline.",
                "Voting was announced to run until %(date)s: closing now ends it %(num)d days "
                "early. Say why: everyone will see the reason on the timeline.",
                days,
                date=format_day(consultation.voting_until),
            ),
        )
    return said


def advance_phase(
    actor: User,
    consultation: Consultation,
    expected: Phase,
    reason: str | None = None,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Phase:
    """Move to the next phase. ``expected`` is the phase the officer saw, so a double click or
    two officers at once cannot skip a phase. Closing voting before the announced end date
    needs a ``reason``, shown to everyone on the timeline."""
    target, reason = check_advance(actor, consultation, expected, reason, today)
    _record_move(actor, consultation, target, reason, progress)
    return target


def check_advance(
    actor: User,
    consultation: Consultation,
    expected: Phase,
    reason: str | None = None,
    today: date | None = None,
) -> tuple[Phase, str | None]:
    """The phase ``advance_phase`` would move to, and the reason it would show; raises
    ``RuleViolation`` with what stops the move. Nothing is changed: a move that runs as a
    background job (``MOVES_RUN_AS_JOBS``) is checked first, so that the officer corrects her
    form at once, and checked again by the job."""
    ensure_officer(actor, consultation.municipality_id)
    if consultation.phase != expected:
        raise RuleViolation(_l("The consultation has already moved on. Check it and try again."))
    target = next_phase(consultation)
    if target is None:
        raise RuleViolation(_l("This is the last phase."))
    problems = phases.problems_entering(consultation, target)
    if problems:
        raise RuleViolation(problems[0])
    if target == Phase.VOTING:
        counts = proposal_counts(consultation)
        if counts[ProposalStatus.SUBMITTED]:
            raise RuleViolation(
                _l("Some proposals are still under review. Review them all before voting.")
            )
        if not counts[ProposalStatus.ACCEPTED]:
            raise RuleViolation(_l("No proposal is accepted for the ballot yet."))
    reason = (reason or "").strip() or None
    if target == Phase.CLOSED and closes_early(consultation, today):
        if reason is None:
            raise RuleViolation(
                _l("Voting closes before its announced end: say why. Everyone will see it.")
            )
    else:
        # Only an early close, or a step back, has a reason to show.
        reason = None
    return target, reason


def step_back(actor: User, consultation: Consultation, expected: Phase, reason: str) -> Phase:
    """Return to the previous phase, with a reason everyone can read (only before voting)."""
    ensure_officer(actor, consultation.municipality_id)
    if consultation.phase != expected:
        raise RuleViolation(_l("The consultation has already moved on. Check it and try again."))
    target = STEP_BACK_FROM.get(consultation.phase)
    if target is None:
        raise RuleViolation(_l("This phase cannot be undone."))
    if not reason.strip():
        raise RuleViolation(_l("Say why the consultation goes back a phase."))
    _record_move(actor, consultation, target, reason.strip())
    return target


def _record_move(
    actor: User,
    consultation: Consultation,
    target: Phase,
    reason: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    from_phase = consultation.phase
    consultation.phase_changes.append(
        PhaseChange(
            from_phase=consultation.phase, to_phase=target, reason=reason, changed_by_id=actor.id
        )
    )
    # Compare-and-set: the update only happens if nobody moved the phase since we read it.
    # Session.execute is typed to return a Result; for an UPDATE it is a CursorResult.
    result = db.session.execute(
        Consultation.__table__.update()
        .where(Consultation.id == consultation.id, Consultation.phase == consultation.phase)
        .values(phase=target.value)
    )
    updated = cast("CursorResult[Any]", result).rowcount
    if updated != 1:
        db.session.rollback()
        raise RuleViolation(_l("The consultation has already moved on. Check it and try again."))
    try:
        # What the later domains registered (sealing the ballots at close, then counting them)
        # is saved with the move, or not at all.
        phases.react_to_entering(consultation, target, progress)
        audit.record(
            actor,
            "phase.step_back" if target.order < from_phase.order else "phase.advance",
            municipality_id=consultation.municipality_id,
            target=("consultation", consultation.id),
            before={"phase": from_phase},
            after={"phase": target, "reason": reason} if reason else {"phase": target},
        )
    except Exception:
        db.session.rollback()
        raise
    # One commit, and nothing after it: the attributes it expired load again only if read.
    db.session.commit()


@dataclass
class TimelineStep:
    phase: Phase
    starts: date | None
    ends: date | None
    state: str  # "done", "current" or "upcoming"


@dataclass
class TimelineNote:
    """A phase change everyone is told the reason for: a step back, or an early close."""

    changed_at: datetime
    to_phase: Phase
    reason: str
    early_close: bool


def timeline_notes(consultation: Consultation) -> list[TimelineNote]:
    return [
        TimelineNote(
            change.changed_at,
            change.to_phase,
            change.reason,
            early_close=change.to_phase == Phase.CLOSED,
        )
        for change in consultation.phase_changes
        if change.reason
    ]


def timeline(consultation: Consultation) -> list[TimelineStep]:
    dates = consultation.phase_dates()
    current = consultation.phase.order
    steps = []
    for phase in (Phase.COLLECTING, Phase.REVIEW, Phase.VOTING, Phase.PUBLISHED):
        starts, ends = dates[phase]
        if phase.order < current:
            state = "done"
        elif phase == consultation.phase:
            state = "current"
        else:
            state = "upcoming"
        steps.append(TimelineStep(phase, starts, ends, state))
    return steps
