"""The ballot sheet: what a submitted ballot is checked against.

While a consultation's voting runs, nothing on its ballot may change: the settings are locked
(``services.save_settings``), review is over so no proposal is added, dropped or re-costed,
the villages it covers are fixed (``consultations.services.update_consultation``) and cannot be
removed (``municipalities.services.save_municipality``). So each worker keeps the sheets it
read, and checks a vote without reading the consultation, its proposals and villages again.

Whatever the rules above say, a ballot is recorded only if the sheet it was checked against is
still the database's: every change to what a sheet holds (the consultation's row, its
proposals, the villages it covers) raises the consultation's ``ballot_revision`` in the same
transaction (``_raise_ballot_revisions``, on every ORM flush), and the statements that record a
ballot (``pb.voting.casting``) check, under a lock on the consultation's row, that voting runs
at the revision the sheet was read at. The revision lives in the database, so a change made on
any host is seen by every worker on every host before it records another ballot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, event, inspect, select, update
from sqlalchemy.orm import Session, UOWTransaction

from pb.collation import in_kyrgyz_order
from pb.demographics import band_keys
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    BallotKind,
    Consultation,
    Gender,
    Municipality,
    Phase,
    Proposal,
    ProposalStatus,
    Village,
    consultation_villages,
)
from pb.voting.kinds import KINDS, BallotKindRules, BallotRules, Selection

# How many sheets a worker keeps: bounds the memory of a worker that served many consultations.
KEEP_AT_MOST = 64


@dataclass(frozen=True)
class BallotSheet:
    consultation_id: int
    municipality_id: int
    phase: Phase  # when the sheet was read
    revision: int  # the consultation's ballot_revision it was read at
    ballot_kind: BallotKind
    allow_accounts: bool
    allow_codes: bool
    rules: BallotRules
    village_ids: frozenset[int]  # the villages covered
    roll_required: bool  # only residents on the roll vote, one voice each (pb.roll.marks)
    latest_birth_year: int | None  # the youngest who may vote were born that year

    @property
    def kind(self) -> BallotKindRules:
        return KINDS[self.ballot_kind]

    @property
    def costs(self) -> Mapping[int, int]:
        """Proposal id → cost, for the proposals on the ballot."""
        return self.rules.costs


@dataclass
class VoterDetails:
    """Self-declared, optional: feeds the participation figures, never tied to the person."""

    gender: Gender | None = None
    age_group: str | None = None
    village_id: int | None = None


def check_ballot(sheet: BallotSheet, selection: Selection, details: VoterDetails) -> None:
    """Refuse, with the first reason in the reader's language, a ballot the sheet does not allow."""
    problems = sheet.kind.errors(selection, sheet.rules)
    if problems:
        raise RuleViolation(problems[0])
    if details.age_group and details.age_group not in band_keys(current_app.config["AGE_BANDS"]):
        raise RuleViolation(_l("Not a valid choice."))
    if details.village_id and details.village_id not in sheet.village_ids:
        raise RuleViolation(_l("Choose a village this consultation covers."))


def sheet_of(consultation: Consultation) -> BallotSheet:
    """The sheet of a consultation already loaded, whatever its phase (read afresh)."""
    return _sheet(consultation, consultation.phase, consultation.ballot_revision)


def voting_sheet(consultation_id: int) -> BallotSheet | None:
    """The sheet of a consultation whose voting ran when this worker last read it: the one it
    kept, or read now. None if there is no such consultation or its voting does not run.

    A kept sheet may be out of date: whatever records a ballot checked against it must make sure,
    under lock, that voting still runs at the sheet's revision (``pb.voting.casting`` does),
    and call ``forget`` if not."""
    kept = _kept()
    sheet = kept.get(consultation_id)
    if sheet is not None:
        return sheet
    # Read from the database even if this request's session holds the consultation already:
    # after a sheet that no longer held, its copy is as old as the sheet.
    consultation = db.session.get(Consultation, consultation_id, populate_existing=True)
    if consultation is None or consultation.phase != Phase.VOTING:
        return None
    sheet = sheet_of(consultation)
    if len(kept) >= KEEP_AT_MOST:
        kept.pop(next(iter(kept)))  # the one read longest ago
    kept[consultation_id] = sheet
    return sheet


def forget(consultation_id: int) -> None:
    """Drop this worker's sheet of a consultation: it no longer holds."""
    _kept().pop(consultation_id, None)


def _kept() -> dict[int, BallotSheet]:
    # Per application: each test's app, with its own database, starts with none.
    sheets: dict[int, BallotSheet] = current_app.extensions.setdefault("pb.ballot_sheets", {})
    return sheets


def _sheet(consultation: Consultation, phase: Phase, revision: int) -> BallotSheet:
    return BallotSheet(
        consultation_id=consultation.id,
        municipality_id=consultation.municipality_id,
        phase=phase,
        revision=revision,
        ballot_kind=consultation.ballot_kind,
        allow_accounts=consultation.allow_accounts,
        allow_codes=consultation.allow_codes,
        rules=BallotRules(
            costs=ballot_costs(consultation.id),
            budget=consultation.budget,
            approval_limit=consultation.approval_limit,
            points_total=consultation.points_total,
        ),
        village_ids=frozenset(village for village, _name in village_choices(consultation.id)),
        roll_required=consultation.roll_required,
        latest_birth_year=consultation.latest_birth_year,
    )


def ballot_costs(consultation_id: int) -> dict[int, int]:
    """The proposals on the ballot (the accepted ones) and what each costs."""
    rows = db.session.connection().execute(_COSTS, {"consultation_id": consultation_id})
    return {row.id: row.cost for row in rows}


def village_choices(consultation_id: int) -> list[tuple[int, str]]:
    """The villages the consultation covers, by name, as (id, name)."""
    rows = db.session.connection().execute(_VILLAGES, {"consultation_id": consultation_id})
    return [(row.id, row.name) for row in rows]


#: The consultation's phase and revision, with a shared lock on its row until the transaction
#: ends: closing, and any change to the ballot, waits for it.
CURRENT = (
    select(Consultation.phase, Consultation.ballot_revision)
    .where(Consultation.id == bindparam("consultation_id"))
    .with_for_update(read=True)
)
_COSTS = select(Proposal.id, Proposal.cost.label("cost")).where(
    Proposal.consultation_id == bindparam("consultation_id"),
    Proposal.status == ProposalStatus.ACCEPTED,
)
_VILLAGES = (
    select(Village.id, Village.name)
    .join(consultation_villages, consultation_villages.c.village_id == Village.id)
    .where(consultation_villages.c.consultation_id == bindparam("consultation_id"))
    .order_by(in_kyrgyz_order(Village.name), Village.id)
)


@event.listens_for(Session, "before_flush")
def _raise_ballot_revisions(session: Session, context: UOWTransaction, instances: Any) -> None:
    """Any change to what a sheet holds raises the revision of the consultations concerned,
    in the flush that writes it: their kept sheets are then read again before the next vote."""
    concerned: set[int] = set()
    villages: set[int] = set()
    for changed in session.dirty:
        if isinstance(changed, Consultation) and session.is_modified(changed):
            concerned.add(changed.id)
        elif isinstance(changed, Proposal) and session.is_modified(changed):
            concerned.add(changed.consultation_id)
        elif isinstance(changed, Village) and session.is_modified(changed):
            villages.add(changed.id)
        elif isinstance(changed, Municipality):
            # A village taken off the list goes as an orphan, later in the flush.
            removed = inspect(changed).attrs.villages.history.deleted
            villages.update(village.id for village in removed if village.id is not None)
    for gone in session.deleted:
        if isinstance(gone, Proposal):
            concerned.add(gone.consultation_id)
        elif isinstance(gone, Village):
            villages.add(gone.id)
    for added in session.new:
        if isinstance(added, Proposal) and added.consultation_id is not None:
            concerned.add(added.consultation_id)
    if villages:
        covering = select(consultation_villages.c.consultation_id).where(
            consultation_villages.c.village_id.in_(villages)
        )
        concerned.update(session.connection().scalars(covering))
    if concerned:
        session.connection().execute(
            update(Consultation.__table__)
            .where(Consultation.__table__.c.id.in_(concerned))
            .values(ballot_revision=Consultation.__table__.c.ballot_revision + 1)
        )
