"""Results: the council's decision (and, with the counting module, results and figures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from pb.audit import trail as audit
from pb.auth.access import ensure_role, is_member
from pb.consultations.services import local_today
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import Consultation, CouncilDecision, Decision, Proposal, Role, User
from pb.results.counting import result_for
from pb.results.explain import ResultRow, row_for


def may_see_figures(user: User | None, consultation: Consultation) -> bool:
    """Council members and officers see results and figures once voting has closed; everyone
    sees them once they are published."""
    return consultation.results_public or (
        consultation.voting_over
        and is_member(user, consultation.municipality_id, Role.COUNCIL, Role.OFFICER)
    )


def proposal_outcome(user: User | None, proposal: Proposal) -> ResultRow | None:
    """Whether a proposal was funded and why, for its own page, in the words of the results
    page: to whoever may see the results (``may_see_figures``), for a proposal on the ballot."""
    if not may_see_figures(user, proposal.consultation):
        return None
    return row_for(proposal, result_for(proposal.consultation))


def decisions(consultation: Consultation) -> list[CouncilDecision]:
    """The council's decisions on this consultation, the latest first."""
    return list(consultation.council_decisions)


# What the protocol holds of a session: long enough for "XII (кезексиз) сессия" or
# "12/2026", short enough for the protocol's running head.
PROTOCOL_NUMBER_MAX = 30
SESSION_MAX = 100
# An aiyl kenesh has at most a few dozen deputies; a larger count is a typing slip.
VOTES_MAX = 999
COMMISSION_MAX_MEMBERS = 15
COMMISSION_LINE_MAX = 200


@dataclass(frozen=True)
class SessionRecord:
    """What the protocol records of the council's session that took the decision.

    ``deputies_present`` is optional: when given, the votes cannot add up to more."""

    protocol_number: str
    session: str
    votes_for: int
    votes_against: int
    votes_abstained: int
    deputies_present: int | None = None
    commission: list[str] = field(default_factory=list)


def _checked(record: SessionRecord) -> SessionRecord:
    """The record with its texts trimmed, or RuleViolation saying what is wrong with it."""
    number = record.protocol_number.strip()
    session = record.session.strip()
    members = [line.strip() for line in record.commission if line.strip()]
    if not number:
        raise RuleViolation(_l("Write the number of the protocol."))
    if len(number) > PROTOCOL_NUMBER_MAX:
        raise RuleViolation(
            _l("The number of the protocol is at most %(max)d characters.", max=PROTOCOL_NUMBER_MAX)
        )
    if not session:
        raise RuleViolation(_l("Write the council's session: its number or name."))
    if len(session) > SESSION_MAX:
        raise RuleViolation(_l("The session is at most %(max)d characters.", max=SESSION_MAX))
    votes = (record.votes_for, record.votes_against, record.votes_abstained)
    present = record.deputies_present
    # bool is an int to Python, but not a count of votes.
    if any(isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= VOTES_MAX for n in votes):
        raise RuleViolation(
            _l("Write each count of votes as a whole number from 0 to %(max)d.", max=VOTES_MAX)
        )
    if present is not None and (
        isinstance(present, bool) or not isinstance(present, int) or not 1 <= present <= VOTES_MAX
    ):
        raise RuleViolation(
            _l("Write the deputies present as a whole number from 1 to %(max)d.", max=VOTES_MAX)
        )
    if present is not None and sum(votes) > present:
        raise RuleViolation(
            _l(
                "The votes add up to %(votes)d, more than the %(present)d deputies present.",
                votes=sum(votes),
                present=present,
            )
        )
    if len(members) > COMMISSION_MAX_MEMBERS:
        raise RuleViolation(
            _l(
                "The counting commission has at most %(max)d members, one a line.",
                max=COMMISSION_MAX_MEMBERS,
            )
        )
    if any(len(line) > COMMISSION_LINE_MAX for line in members):
        raise RuleViolation(
            _l(
                "Each member of the counting commission is at most %(max)d characters.",
                max=COMMISSION_LINE_MAX,
            )
        )
    return SessionRecord(number, session, *votes, present, members)


def record_decision(
    actor: User,
    consultation: Consultation,
    decision: Decision,
    decided_on: date,
    reason: str | None,
    session: SessionRecord,
) -> CouncilDecision:
    """A council member records the aiyl kenesh's decision: approved, or returned with a reason,
    with the session that took it (``decided_on`` is its date), the council's vote, and the
    protocol's number and counting commission."""
    ensure_role(actor, consultation.municipality_id, Role.COUNCIL)
    # The council reviews once voting has closed: before and after the results are published.
    if not consultation.voting_over:
        raise RuleViolation(_l("The council decides once voting has closed."))
    if decided_on > local_today():
        raise RuleViolation(_l("The date of the decision cannot be in the future."))
    reason = (reason or "").strip() or None
    if decision == Decision.RETURNED and not reason:
        raise RuleViolation(_l("Write why the council returns the results."))
    session = _checked(session)
    row = CouncilDecision(
        consultation_id=consultation.id,
        decision=decision,
        decided_on=decided_on,
        reason=reason,
        protocol_number=session.protocol_number,
        session=session.session,
        votes_for=session.votes_for,
        votes_against=session.votes_against,
        votes_abstained=session.votes_abstained,
        deputies_present=session.deputies_present,
        commission="\n".join(session.commission) or None,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    audit.record(
        actor,
        "decision.record",
        municipality_id=consultation.municipality_id,
        target=("consultation", consultation.id),
        after={
            "decision": decision,
            "decided_on": decided_on,
            "reason": reason,
            "protocol_number": session.protocol_number,
            "session": session.session,
            "votes_for": session.votes_for,
            "votes_against": session.votes_against,
            "votes_abstained": session.votes_abstained,
            "deputies_present": session.deputies_present,
            "commission": "\n".join(session.commission) or None,
        },
    )
    db.session.commit()
    return row
