"""Public control: residents report problems with funded projects; officers of the
municipality answer in public; officers and council members hide, with a public reason, what
must not stay (insults, names, what has nothing to do with the project)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from pb.audit import trail as audit
from pb.auth.access import ensure_officer, ensure_role, is_member, is_officer
from pb.config import LANGUAGES
from pb.errors import RuleViolation
from pb.extensions import db
from pb.implementation.services import is_funded
from pb.models import ProblemReport, Proposal, ReportAnswer, Role, User
from pb.models.base import utcnow
from pb.photos.services import Upload, store_upload
from pb.throttle import TooManyTries

TEXT_MAX = 2000
REASON_MAX = 500


@dataclass
class Control:
    """What the project's page shows of public control, and what the reader may do there."""

    reports: list[ProblemReport] = field(default_factory=list)
    may_report: bool = False
    may_answer: bool = False
    may_moderate: bool = False


def control_for(user: User | None, proposal: Proposal) -> Control | None:
    """Reports and answers on a funded project, newest report first; None for other proposals."""
    if not is_funded(proposal):
        return None
    municipality_id = proposal.consultation.municipality_id
    reports = db.session.scalars(
        select(ProblemReport)
        .where(ProblemReport.proposal_id == proposal.id)
        .options(joinedload(ProblemReport.photo), selectinload(ProblemReport.answers))
        .order_by(ProblemReport.created_at.desc(), ProblemReport.id.desc())
    ).all()
    return Control(
        reports=list(reports),
        may_report=is_member(user, municipality_id, Role.RESIDENT),
        may_answer=is_officer(user, municipality_id),
        may_moderate=is_member(user, municipality_id, Role.OFFICER, Role.COUNCIL),
    )


def get_report(report_id: int) -> ProblemReport | None:
    return db.session.get(ProblemReport, report_id)


def _checked_text(text: str, language: str) -> str:
    text = text.strip()
    if not text:
        raise RuleViolation(_l("This field is required."))
    if len(text) > TEXT_MAX:
        raise RuleViolation(_l("Write at most %(max)d characters.", max=TEXT_MAX))
    if language not in LANGUAGES:
        raise RuleViolation(_l("Not a valid choice."))
    return text


def _ensure_not_too_many(actor: User) -> None:
    since = utcnow() - timedelta(hours=1)
    sent = db.session.scalar(
        select(func.count())
        .select_from(ProblemReport)
        .where(ProblemReport.author_id == actor.id, ProblemReport.created_at >= since)
    )
    if (sent or 0) >= current_app.config["REPORTS_PER_HOUR"]:
        raise TooManyTries()


def report_problem(
    actor: User,
    proposal: Proposal,
    text: str,
    language: str,
    photo: Upload | None = None,
    alt_text: str | None = None,
) -> ProblemReport:
    """A resident of the municipality reports a problem with a funded project, with a photo if
    she has one. At most REPORTS_PER_HOUR an hour per account (TooManyTries past that)."""
    ensure_role(actor, proposal.consultation.municipality_id, Role.RESIDENT)
    if not is_funded(proposal):
        raise RuleViolation(_l("Problems can be reported only on funded projects."))
    text = _checked_text(text, language)
    _ensure_not_too_many(actor)
    report = ProblemReport(
        proposal_id=proposal.id,
        author_id=actor.id,
        text=text,
        language=language,
        photo=store_upload(photo, alt_text or "", actor) if photo is not None else None,
    )
    db.session.add(report)
    db.session.commit()
    return report


def answer(actor: User, report: ProblemReport, text: str, language: str) -> ReportAnswer:
    """An officer of the municipality answers a report in public."""
    municipality_id = municipality_of(report)
    ensure_officer(actor, municipality_id)
    text = _checked_text(text, language)
    reply = ReportAnswer(report_id=report.id, author_id=actor.id, text=text, language=language)
    db.session.add(reply)
    audit.record(
        actor,
        "report.answer",
        municipality_id=municipality_id,
        target=("report", report.id),
        after={"text": text, "language": language},
    )
    db.session.commit()
    return reply


def hide(actor: User, report: ProblemReport, reason: str) -> None:
    """An officer or council member hides a report; the reason is shown in its place."""
    municipality_id = municipality_of(report)
    ensure_role(actor, municipality_id, Role.OFFICER, Role.COUNCIL)
    reason = reason.strip()
    if not reason:
        raise RuleViolation(_l("Write the reason: everyone will read it."))
    if len(reason) > REASON_MAX:
        raise RuleViolation(_l("Write at most %(max)d characters.", max=REASON_MAX))
    if report.hidden:
        raise RuleViolation(_l("This report is hidden already."))
    report.hidden_at = utcnow()
    report.hidden_by_id = actor.id
    report.hidden_reason = reason
    audit.record(
        actor,
        "report.hide",
        municipality_id=municipality_id,
        target=("report", report.id),
        before={"hidden": False},
        after={"hidden": True, "reason": reason},
    )
    db.session.commit()


def municipality_of(report: ProblemReport) -> int:
    """The municipality whose project the report is about."""
    proposal = db.session.get(Proposal, report.proposal_id)
    assert proposal is not None  # the foreign key cascades
    return proposal.consultation.municipality_id
