"""Results: the council's decision (and, with the counting module, results and figures)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from pb.audit import trail as audit
from pb.auth.access import ensure_role, is_member
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import Consultation, CouncilDecision, Decision, Role, User
from pb.models.base import utcnow


def may_see_figures(user: User | None, consultation: Consultation) -> bool:
    """Council members and officers see results and figures once voting has closed; everyone
    sees them once they are published."""
    return consultation.results_public or (
        consultation.voting_over
        and is_member(user, consultation.municipality_id, Role.COUNCIL, Role.OFFICER)
    )


def decisions(consultation: Consultation) -> list[CouncilDecision]:
    """The council's decisions on this consultation, the latest first."""
    return list(consultation.council_decisions)


def record_decision(
    actor: User,
    consultation: Consultation,
    decision: Decision,
    decided_on: date,
    reason: str | None,
) -> CouncilDecision:
    """A council member records the aiyl kenesh's decision: approved, or returned with a reason."""
    ensure_role(actor, consultation.municipality_id, Role.COUNCIL)
    # The council reviews once voting has closed: before and after the results are published.
    if not consultation.voting_over:
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
    audit.record(
        actor,
        "decision.record",
        municipality_id=consultation.municipality_id,
        target=("consultation", consultation.id),
        after={"decision": decision, "decided_on": decided_on, "reason": reason},
    )
    db.session.commit()
    return row
