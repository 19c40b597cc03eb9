"""Reading the audit trail: who may, which entries, and how they read."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import chain
from typing import Any

from flask_babel import LazyString, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select

from pb import labels, spreadsheets
from pb.audit.actions import action_label, target_label
from pb.auth.access import is_member
from pb.extensions import db
from pb.models import AuditEntry, Role, User

# What a changed field is called on the page; a field not listed shows its key.
FIELDS: dict[str, LazyString] = {
    "phase": _l("Phase"),
    "reason": _l("Reason"),
    "title": _l("Title"),
    "budget": _l("Budget"),
    "villages": _l("Villages"),
    "categories": _l("Categories"),
    "dates": _l("Dates"),
    "ballot_kind": _l("Kind of ballot"),
    "approval_limit": _l("Most proposals a voter may choose"),
    "points_total": _l("Points to share"),
    "allow_accounts": _l("Voting with accounts"),
    "allow_codes": _l("Voting with codes"),
    "allow_paper": _l("Paper ballots"),
    "electorate": _l("Who may vote"),
    "min_age": _l("Minimum age"),
    "counting_rule": _l("Counting rule"),
    "complete_with_greedy": _l("Equal Shares: spend what is left by the standard rule"),
    "status": _l("Status"),
    "approved_cost": _l("Approved cost"),
    "rejection_reason": _l("Reason for rejection"),
    "merged_into": _l("Merged into"),
    "size": _l("Number of codes"),
    "label": _l("Label"),
    "voided": _l("Voided"),
    "meeting": _l("Meeting"),
    "village": _l("Village"),
    "held_on": _l("Date of the meeting"),
    "full_name": _l("Full name"),
    "birth_year": _l("Year of birth"),
    "gender": _l("Gender"),
    "household": _l("Household number"),
    "phone": _l("Phone number"),
    "account": _l("Account"),
    "channel": _l("Handed out"),
    "added": _l("People added"),
    "filename": _l("File"),
    "role": _l("Role"),
    "decision": _l("Decision"),
    "decided_on": _l("Date of the decision"),
    "protocol_number": _l("Number of the protocol"),
    "session": _l("Session of the council"),
    "votes_for": _l("Votes for"),
    "votes_against": _l("Votes against"),
    "votes_abstained": _l("Abstained"),
    "deputies_present": _l("Deputies present"),
    "commission": _l("Counting commission"),
    "adults": _l("Residents aged 14 and over"),
    "women": _l("Women"),
    "youth": _l("Youth"),
    "year": _l("Year"),
    "source": _l("Source"),
    "office": _l("Office"),
    "hours": _l("Hours"),
    "slug": _l("Web address"),
    "name_ky": _l("Name (Kyrgyz)"),
    "name_ru": _l("Name (Russian)"),
    "name_en": _l("Name (English)"),
    "region": _l("Region (Kyrgyz)"),
    "region_ru": _l("Region (Russian)"),
    "region_en": _l("Region (English)"),
    "consultation": _l("Consultation"),
    "proposals": _l("Proposals"),
    "ballots": _l("Ballots"),
    "expires_at": _l("Valid until"),
    "name": _l("Name"),
    "changed": _l("Details changed"),
    "village_id": _l("Village"),
    "implementation_status": _l("Status of the project"),
    "status_reason": _l("Reason (public)"),
    "planned_cost": _l("Planned cost, som"),
    "actual_cost": _l("Actual cost, som"),
    "community_money": _l("Money the community put in, som"),
    "community_labour": _l("Ashar: work the community did"),
    "contractor": _l("Contractor"),
    "started_on": _l("Start date"),
    "finished_on": _l("End date"),
    "changes": _l("What changed from the proposal"),
    "posted_on": _l("Date"),
    "text": _l("Text"),
    "language": _l("Language"),
    "photos": _l("Photos"),
    "photo": _l("Photo"),
    "alt_text": _l("What the photo shows"),
    "hidden": _l("Hidden by moderators"),
}

# Stored keys whose values have a label of their own.
VALUE_LABELS: dict[str, dict[str, LazyString]] = {
    "phase": {p.value: label for p, label in labels.PHASES.items()},
    "status": {s.value: label for s, label in labels.PROPOSAL_STATUSES.items()},
    "role": {r.value: label for r, label in labels.ROLES.items()},
    "gender": {g.value: label for g, label in labels.GENDERS.items()},
    # The same words as the desk and the council's decision page use.
    "channel": {
        "online": _l("Voted online"),
        "code": _l("Received a code slip"),
        "paper": _l("Given a paper ballot"),
    },
    "decision": {"approved": _l("Approved"), "returned": _l("Returned for revision")},
    "changed": FIELDS,
    "implementation_status": {
        s.value: label for s, label in labels.IMPLEMENTATION_STATUSES.items()
    },
}

PER_PAGE = 50


def may_read(user: User | None, municipality_id: int) -> bool:
    """Council members of the municipality and site administrators read its trail."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_admin) or is_member(user, municipality_id, Role.COUNCIL)


@dataclass(frozen=True)
class Filters:
    action: str | None = None
    since: date | None = None
    until: date | None = None


def _utc(day: date) -> datetime:
    """Midnight at the start of ``day`` where the readers are, in naive UTC as stored."""
    local = datetime.combine(day, time.min).replace(tzinfo=get_timezone())
    return local.astimezone(UTC).replace(tzinfo=None)


def matching(municipality_id: int | None, filters: Filters) -> Select[AuditEntry]:
    """The entries of one municipality (or of all, for ``None``), newest first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if municipality_id is not None:
        query = query.where(AuditEntry.municipality_id == municipality_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.since:
        query = query.where(AuditEntry.at >= _utc(filters.since))
    if filters.until:
        query = query.where(AuditEntry.at < _utc(filters.until + timedelta(days=1)))
    return query


def page_of(municipality_id: int | None, filters: Filters, page: int) -> Pagination:
    return db.paginate(
        matching(municipality_id, filters), page=page, per_page=PER_PAGE, error_out=False
    )


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _shown(key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(_shown(key, v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    named = VALUE_LABELS.get(key, {}).get(str(value))
    return str(named) if named is not None else str(value)


def changes_of(entry: AuditEntry) -> list[Change]:
    """The entry's fields, each as it was and as it became, in the reader's language."""
    before, after = entry.before or {}, entry.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [
        Change(
            str(FIELDS.get(key, key)),
            _shown(key, before.get(key)) if key in before else "",
            _shown(key, after.get(key)) if key in after else "",
        )
        for key in keys
    ]


def target_text(entry: AuditEntry) -> str:
    kind = target_label(entry.target_type)
    return f"{kind} {entry.target_id}" if entry.target_id else kind


CSV_HEADER = (
    "id",
    "at_utc",
    "actor_id",
    "actor",
    "municipality_id",
    "action",
    "action_label",
    "target_type",
    "target_id",
    "before",
    "after",
    "digest",
)


def to_csv(entries: Iterable[AuditEntry], language: str = "en") -> str:
    """The entries as CSV for a reader of ``language`` (``pb.spreadsheets.to_csv``: UTF-8 with
    a BOM, her Excel's separator); every text cell neutralised, since names and reasons in it
    were typed by people."""
    return spreadsheets.to_csv(chain([CSV_HEADER], map(_csv_row, entries)), language)


def _csv_row(entry: AuditEntry) -> Sequence[object]:
    return (
        entry.id,
        entry.at.isoformat(timespec="seconds"),
        "" if entry.actor_id is None else entry.actor_id,
        entry.actor_name,
        "" if entry.municipality_id is None else entry.municipality_id,
        entry.action,
        action_label(entry.action),
        entry.target_type,
        entry.target_id or "",
        json.dumps(entry.before, ensure_ascii=False, sort_keys=True) if entry.before else "",
        json.dumps(entry.after, ensure_ascii=False, sort_keys=True) if entry.after else "",
        entry.digest,
    )


def exported(municipality_id: int | None, filters: Filters, language: str = "en") -> str:
    return to_csv(db.session.scalars(matching(municipality_id, filters)), language)
