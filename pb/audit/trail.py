"""Appending to the audit trail, and checking its chain of digests.

``record`` is called by each service inside its own transaction, as the last step before its
commit: the entry and the change it describes are saved together or not at all. The entries
form one chain for the whole site: each digest covers the entry and the digest before it. On
PostgreSQL a transaction-scoped advisory lock makes appenders take turns while they read the
last entry and add theirs; SQLite lets one writer at a time anyway. Either way the entry's
number is the last one plus one, so two appenders that raced would collide on the primary key
rather than fork the chain.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from pb.audit.actions import ACTIONS, FORBIDDEN_KEYS
from pb.extensions import db
from pb.models import AuditEntry, User
from pb.models.base import utcnow

logger = logging.getLogger("pb.audit")

# The advisory lock every appender takes on PostgreSQL: "pb-audit" as a 64-bit number.
CHAIN_LOCK = int.from_bytes(b"pb-audit", "big")

_PENDING_LOG = "pb.audit.pending_log"

# (kind, id): the id may be a model object added in this transaction, numbered on flush.
Target = tuple[str, Any]


def _plain(value: Any) -> Any:
    """A value as JSON holds it: what is stored is exactly what the digest covered."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(_plain(v) for v in value)
    raise TypeError(f"not recordable in the audit trail: {type(value).__name__}")


def _normalised(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not values:
        return None
    forbidden = FORBIDDEN_KEYS.intersection(values)
    if forbidden:
        raise ValueError(f"never recorded in the audit trail: {sorted(forbidden)}")
    normalised: dict[str, Any] = json.loads(json.dumps(dict(values), default=_plain))
    return normalised


def changes(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what differs between two snapshots of the same fields."""
    keys = [k for k in after if _plain_or_self(before.get(k)) != _plain_or_self(after[k])]
    keys += [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _plain_or_self(value: Any) -> Any:
    try:
        return _plain(value)
    except TypeError:
        return value


def snapshot(obj: object, *fields: str) -> dict[str, Any]:
    """The named attributes of a model object, to compare before and after a change."""
    return {name: getattr(obj, name) for name in fields}


def canonical(entry: AuditEntry) -> bytes:
    """The bytes the digest covers: every field but the digest, in a fixed JSON form."""
    return json.dumps(
        {
            "id": entry.id,
            "at": entry.at.replace(tzinfo=None).isoformat(timespec="microseconds"),
            "actor_id": entry.actor_id,
            "actor_name": entry.actor_name,
            "municipality_id": entry.municipality_id,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "before": entry.before,
            "after": entry.after,
            "prev_digest": entry.prev_digest,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def digest_of(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def record(
    actor: User | None,
    action: str,
    *,
    municipality_id: int | None,
    target: Target,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry for what ``actor`` just did, in the caller's transaction (not committed).

    Call it last, just before the commit: it flushes the caller's changes first, so the chain's
    lock is taken after the rows the change locks, and held only until the commit."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    target_type, target_id = target
    before_values, after_values = _normalised(before), _normalised(after)
    session = db.session
    session.flush()
    if hasattr(target_id, "id"):
        # A model object just added: its number is known once flushed.
        target_id = target_id.id
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    last = session.execute(
        select(AuditEntry.id, AuditEntry.digest).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        id=(last.id + 1) if last else 1,
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=(actor.display_name if actor is not None else "") or "—",
        municipality_id=municipality_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=before_values,
        after=after_values,
        prev_digest=last.digest if last else None,
    )
    entry.digest = digest_of(entry)
    session.add(entry)
    session.flush()
    # Logged once the transaction commits: a change rolled back was not done.
    session.info.setdefault(_PENDING_LOG, []).append(
        (entry.id, action, entry.actor_id, municipality_id, target_type, entry.target_id)
    )
    return entry


@event.listens_for(Session, "after_commit")
def _log_committed(session: Session) -> None:
    for entry_id, action, actor_id, municipality_id, target_type, target_id in session.info.pop(
        _PENDING_LOG, []
    ):
        # Keys and numbers only: the entry holds the details, and a log line must never carry
        # a name, a code or a password.
        logger.info(
            "audit #%s %s by user %s in municipality %s on %s %s",
            entry_id,
            action,
            actor_id,
            municipality_id,
            target_type,
            target_id,
        )


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING_LOG, None)


@dataclass(frozen=True)
class Verification:
    """What ``verify`` found: how many entries hold, and the first that does not, if any."""

    intact: int
    broken_id: int | None = None
    problem: str | None = None
    head: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify() -> Verification:
    """Recompute the chain from the first entry. An entry changed breaks its own digest; one
    deleted or inserted breaks the link of the entry after it (or the numbering)."""
    # Read in batches (a server-side cursor on PostgreSQL), closed however the check ends.
    entries = db.session.scalars(
        select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
    )
    try:
        return _check(entries)
    finally:
        entries.close()


def _check(entries: Iterable[AuditEntry]) -> Verification:
    intact = 0
    previous: AuditEntry | None = None
    for entry in entries:
        expected_id = previous.id + 1 if previous is not None else 1
        expected_prev = previous.digest if previous is not None else None
        if entry.id != expected_id:
            return Verification(intact, entry.id, "numbering")
        if entry.prev_digest != expected_prev:
            return Verification(intact, entry.id, "link")
        if entry.digest != digest_of(entry):
            return Verification(intact, entry.id, "digest")
        intact += 1
        previous = entry
    return Verification(intact, head=previous.digest if previous is not None else None)
