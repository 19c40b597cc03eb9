"""The ballot sheet: what a submitted ballot is checked against.

From the moment voting opens the ballot cannot change: the settings are locked
(``services.save_settings``), review is over so no proposal is added, dropped or re-costed, and
the villages are fixed (``consultations.services.update_consultation``); voting never steps back.
So while a consultation's voting runs, each worker keeps its sheet for a short while, and a
ballot is checked without reading the consultation, its proposals and villages again: on the
vote, pb's hot path, that was a fifth of the work. Only the phase changes under a kept sheet;
``pb.voting.casting`` checks it again, under lock, in the statements that record the ballot.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from pb.demographics import band_keys
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    BallotKind,
    Consultation,
    Gender,
    Phase,
    Proposal,
    ProposalStatus,
    Village,
    consultation_villages,
)
from pb.voting.kinds import KINDS, BallotKindRules, BallotRules, Selection

# How long a worker keeps a sheet, and how many. Keeping one longer would be as correct (it
# does not change); the limit bounds the memory of a worker that served many consultations.
KEEP_SECONDS = 60.0
KEEP_AT_MOST = 64


@dataclass(frozen=True)
class BallotSheet:
    consultation_id: int
    municipality_id: int
    phase: Phase  # when the sheet was read
    ballot_kind: BallotKind
    allow_accounts: bool
    allow_codes: bool
    rules: BallotRules
    villages: tuple[tuple[int, str], ...]  # (id, name) of the villages covered, by name

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
    if details.village_id and details.village_id not in dict(sheet.villages):
        raise RuleViolation(_l("Choose a village this consultation covers."))


def sheet_of(consultation: Consultation) -> BallotSheet:
    """The sheet of a consultation already loaded, whatever its phase (read afresh)."""
    return _sheet(consultation, ballot_costs(consultation.id), village_choices(consultation.id))


def voting_sheet(consultation_id: int) -> BallotSheet | None:
    """The sheet of a consultation whose voting runs, kept by this worker; None if there is no
    such consultation or its voting does not run (as far as this worker last read)."""
    kept = _kept()
    entry = kept.get(consultation_id)
    now = time.monotonic()
    if entry is not None and now - entry[0] < KEEP_SECONDS:
        return entry[1]
    row = db.session.connection().execute(_SETTINGS, {"consultation_id": consultation_id}).first()
    if row is None or row.phase != Phase.VOTING:
        kept.pop(consultation_id, None)
        return None
    sheet = _sheet(row, ballot_costs(consultation_id), village_choices(consultation_id))
    if consultation_id not in kept and len(kept) >= KEEP_AT_MOST:
        kept.pop(next(iter(kept)))  # the oldest
    kept[consultation_id] = (now, sheet)
    return sheet


def _kept() -> dict[int, tuple[float, BallotSheet]]:
    # Per application: each test's app, with its own database, starts with none.
    return current_app.extensions.setdefault("pb.ballot_sheets", {})


def _sheet(settings: Any, costs: dict[int, int], villages: list[tuple[int, str]]) -> BallotSheet:
    """``settings``: an ORM Consultation or a row of _SETTINGS, which share these names."""
    return BallotSheet(
        consultation_id=settings.id,
        municipality_id=settings.municipality_id,
        phase=settings.phase,
        ballot_kind=settings.ballot_kind,
        allow_accounts=settings.allow_accounts,
        allow_codes=settings.allow_codes,
        rules=BallotRules(
            costs=costs,
            budget=settings.budget,
            approval_limit=settings.approval_limit,
            points_total=settings.points_total,
        ),
        villages=tuple(villages),
    )


def ballot_costs(consultation_id: int) -> dict[int, int]:
    """The proposals on the ballot (the accepted ones) and what each costs."""
    return dict(db.session.connection().execute(_COSTS, {"consultation_id": consultation_id}).all())


def village_choices(consultation_id: int) -> list[tuple[int, str]]:
    """The villages the consultation covers, by name, as (id, name)."""
    rows = db.session.connection().execute(_VILLAGES, {"consultation_id": consultation_id})
    return [(row.id, row.name) for row in rows]


_SETTINGS = select(
    Consultation.id,
    Consultation.municipality_id,
    Consultation.phase,
    Consultation.ballot_kind,
    Consultation.allow_accounts,
    Consultation.allow_codes,
    Consultation.budget,
    Consultation.approval_limit,
    Consultation.points_total,
).where(Consultation.id == bindparam("consultation_id"))

_COSTS = select(Proposal.id, Proposal.cost).where(
    Proposal.consultation_id == bindparam("consultation_id"),
    Proposal.status == ProposalStatus.ACCEPTED,
)
_VILLAGES = (
    select(Village.id, Village.name)
    .join(consultation_villages, consultation_villages.c.village_id == Village.id)
    .where(consultation_villages.c.consultation_id == bindparam("consultation_id"))
    .order_by(Village.name, Village.id)
)
