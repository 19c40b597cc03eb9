"""Results: the council's decision (and, with the counting module, results and figures)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from pb.auth.access import ensure_role
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import Consultation, CouncilDecision, Decision, Phase, Role, User
from pb.models.base import utcnow

# The council reviews once voting has closed: before and after the results are published.
REVIEW_PHASES = (Phase.CLOSED, Phase.PUBLISHED)


def decisions(consultation: Consultation) -> list[CouncilDecision]:
    """The council's decisions on this consultation, the latest first."""
    return list(
        db.session.scalars(
            select(CouncilDecision)
            .where(CouncilDecision.consultation_id == consultation.id)
            .order_by(CouncilDecision.decided_on.desc(), CouncilDecision.id.desc())
        )
    )


def record_decision(
    actor: User,
    consultation: Consultation,
    decision: Decision,
    decided_on: date,
    reason: str | None,
) -> CouncilDecision:
    """A council member records the aiyl kenesh's decision: approved, or returned with a reason."""
    ensure_role(actor, consultation.municipality_id, Role.COUNCIL)
    if consultation.phase not in REVIEW_PHASES:
        raise RuleViolation(_l("The council decides once voting has closed."))
    if decided_on > utcnow().date():
        raise RuleViolation(_l("The date of the decision cannot be in the future."))
    reason = (reason or "").strip() or None
    if decision == Decision.RETURNED and not reason:
        raise RuleViolation(_l("Write why the council returns the results."))
    row = CouncilDecision(
        consultation_id=consultation.id,
        decision=decision,
        decided_on=decided_on,
        reason=reason,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.commit()
    return row
