"""What waits for each role, read from the domains; nothing here writes.

A resident's view of her own voting asks only whether her account has a voter link in a
consultation (``pb.voting.services.has_voted``, by the keyed digest of her account): never
which ballot the link leads to, nor what it says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from pb.consultations.services import local_today
from pb.extensions import db
from pb.implementation import services as implementation
from pb.implementation.services import Project
from pb.models import (
    Ballot,
    Channel,
    CodeBatch,
    Consultation,
    CouncilDecision,
    Meeting,
    Municipality,
    Phase,
    Proposal,
    ProposalStatus,
    Role,
    RollMark,
    User,
    VotingCode,
)
from pb.models.results import CountedResult
from pb.roll import marks
from pb.voting.services import has_voted


@dataclass(frozen=True)
class OwnProposal:
    proposal: Proposal
    # Whether it was funded, once the results are public; None before.
    funded: bool | None


def own_proposals(user: User) -> list[OwnProposal]:
    """The proposals the user sent herself, newest first, with whether they were funded once
    the results are out."""
    proposals = list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.author_id == user.id)
            .options(
                joinedload(Proposal.consultation).joinedload(Consultation.municipality),
                joinedload(Proposal.merged_into),
            )
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        ).unique()
    )
    published = {p.consultation_id for p in proposals if p.consultation.results_public}
    funded: set[str] = set()
    if published:
        for details in db.session.scalars(
            select(CountedResult.details).where(CountedResult.consultation_id.in_(published))
        ):
            funded.update(str(pid) for pid in details.get("funded", []))
    return [
        OwnProposal(
            p,
            (str(p.id) in funded) if p.consultation_id in published else None,
        )
        for p in proposals
    ]


@dataclass(frozen=True)
class OpenVote:
    consultation: Consultation
    voted: bool
    # Where the roll votes: she was given a code slip or a paper ballot at a meeting, and
    # votes with it, not with her account (the desk's mark says so, never what she chose).
    given_slip_or_paper: bool = False


def _open_vote(consultation: Consultation, user: User) -> OpenVote:
    if has_voted(consultation, user):
        return OpenVote(consultation, voted=True)
    otherwise = (
        consultation.roll_required
        and marks.standing(consultation, user) is marks.Standing.VOTED_OTHERWISE
    )
    return OpenVote(consultation, voted=False, given_slip_or_paper=otherwise)


def open_votes(user: User) -> list[OpenVote]:
    """The consultations voting now in which the user may vote with her account, and whether
    her account has voted in each (so she knows; what she chose is never read)."""
    municipality_ids = [m.municipality_id for m in user.memberships if m.role == Role.RESIDENT]
    if not municipality_ids:
        return []
    consultations = db.session.scalars(
        select(Consultation)
        .where(
            Consultation.municipality_id.in_(municipality_ids),
            Consultation.allow_accounts.is_(True),
        )
        .order_by(Consultation.voting_until, Consultation.id)
    )
    return [_open_vote(c, user) for c in consultations if c.voting_open]


#: The date by which the consultation should have left its phase, as planned.
def _due_date(consultation: Consultation) -> date | None:
    return {
        Phase.DRAFT: consultation.proposals_from,
        Phase.COLLECTING: consultation.proposals_until,
        Phase.REVIEW: consultation.review_until,
        Phase.VOTING: consultation.voting_until,
        Phase.CLOSED: consultation.results_on,
    }.get(consultation.phase)


#: What the officer reads when a phase's planned date has come.
PHASE_DUE = {
    Phase.DRAFT: _l("Collecting proposals was planned to start on %(date)s."),
    Phase.COLLECTING: _l("Collecting proposals was planned to end on %(date)s."),
    Phase.REVIEW: _l("The review of proposals was planned to end on %(date)s."),
    Phase.VOTING: _l("Voting was planned to end on %(date)s."),
    Phase.CLOSED: _l("The results were planned to be published on %(date)s."),
}


def phase_due(consultation: Consultation, today: date) -> date | None:
    """The planned date of the next move, if it has come: the day itself for starting
    collection and publishing, the day after the last day for the others."""
    due = _due_date(consultation)
    if due is None:
        return None
    starts = consultation.phase in (Phase.DRAFT, Phase.CLOSED)
    return due if (today >= due if starts else today > due) else None


@dataclass
class ConsultationTasks:
    consultation: Consultation
    to_review: int = 0
    due: date | None = None
    # Codes printed and not yet used (voided batches left out).
    unused_codes: int = 0
    # Where the roll votes, the desk marks who was given a slip or a paper ballot, so these
    # are known: slips printed but not handed out, paper ballots handed out but not typed in.
    slips_not_handed_out: int | None = None
    paper_not_typed_in: int | None = None
    empty_meetings: list[Meeting] = field(default_factory=list)
    # Funded projects whose residents have had no update for a month (pb.implementation).
    updates_due: list[Project] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(
            self.to_review
            or self.due
            or self.unused_codes
            or self.slips_not_handed_out
            or self.paper_not_typed_in
            or self.empty_meetings
            or self.updates_due
        )


def _count(query: object) -> int:
    return int(db.session.scalar(query) or 0)  # type: ignore[call-overload]


def _voting_tasks(tasks: ConsultationTasks) -> None:
    consultation = tasks.consultation
    printed = _count(
        select(func.count())
        .select_from(VotingCode)
        .join(CodeBatch, CodeBatch.id == VotingCode.batch_id)
        .where(VotingCode.consultation_id == consultation.id, CodeBatch.voided_at.is_(None))
    )
    used = _count(
        select(func.count())
        .select_from(VotingCode)
        .join(CodeBatch, CodeBatch.id == VotingCode.batch_id)
        .where(
            VotingCode.consultation_id == consultation.id,
            CodeBatch.voided_at.is_(None),
            VotingCode.used.is_(True),
        )
    )
    tasks.unused_codes = printed - used
    if consultation.roll_required:
        marks = dict(
            db.session.execute(
                select(RollMark.channel, func.count())
                .where(RollMark.consultation_id == consultation.id)
                .group_by(RollMark.channel)
            ).all()
        )
        paper = _count(
            select(func.count()).where(
                Ballot.consultation_id == consultation.id, Ballot.channel == Channel.PAPER
            )
        )
        if consultation.allow_codes:
            tasks.slips_not_handed_out = max(printed - marks.get(Channel.CODE, 0), 0)
        if consultation.allow_paper:
            tasks.paper_not_typed_in = max(marks.get(Channel.PAPER, 0) - paper, 0)
    if consultation.allow_paper:
        tasks.empty_meetings = list(
            db.session.scalars(
                select(Meeting)
                .where(
                    Meeting.consultation_id == consultation.id,
                    Meeting.held_on >= consultation.voting_from,
                    ~exists().where(Ballot.meeting_id == Meeting.id),
                )
                .options(joinedload(Meeting.village))
                .order_by(Meeting.held_on, Meeting.id)
            )
        )


def officer_tasks(municipality: Municipality, today: date | None = None) -> list[ConsultationTasks]:
    """What waits for the municipality's officers, per consultation that has anything:
    proposals to review, a phase whose planned date has come, slips and paper ballots,
    funded projects due an update."""
    today = today or local_today()
    consultations = list(
        db.session.scalars(
            select(Consultation)
            .where(Consultation.municipality_id == municipality.id)
            .order_by(Consultation.id)
        )
    )
    waiting = dict(
        db.session.execute(
            select(Proposal.consultation_id, func.count())
            .where(
                Proposal.consultation_id.in_([c.id for c in consultations]),
                Proposal.status == ProposalStatus.SUBMITTED,
            )
            .group_by(Proposal.consultation_id)
        ).all()
    )
    found = []
    for consultation in consultations:
        tasks = ConsultationTasks(consultation, due=phase_due(consultation, today))
        if consultation.reviews_proposals:
            tasks.to_review = waiting.get(consultation.id, 0)
        if consultation.voting_open:
            _voting_tasks(tasks)
        tasks.updates_due = implementation.updates_due(consultation, today)
        if tasks.anything:
            found.append(tasks)
    return found


def awaiting_decision(municipality: Municipality) -> list[Consultation]:
    """The consultations whose voting has closed and on which the council has recorded no
    decision yet."""
    undecided = db.session.scalars(
        select(Consultation)
        .where(
            Consultation.municipality_id == municipality.id,
            ~exists().where(CouncilDecision.consultation_id == Consultation.id),
        )
        .order_by(Consultation.voting_until, Consultation.id)
    )
    return [c for c in undecided if c.voting_over]
