"""Voting: the officer's settings, codes, paper ballots, secrecy at close, receipts. Ballots
cast online are recorded by pb.voting.casting, against the sheets of pb.voting.sheets.

Secrecy, in short: a ballot row holds the choices and the voter's optional self-declared
details, encrypted (pb.voting.details), never who cast it. While voting is open a separate
VoterLink row ties an account or a code to its ballot, so the voter can change it; closing
deletes every link, erases the printed codes, counts the details into figures and drops them, and
rewrites the ballots in random order with new random ids, so not even the order of rows or their
ids says who voted when.
"""

from __future__ import annotations

import hmac
from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, insert, select
from sqlalchemy.orm import joinedload

from pb import keys
from pb.audit import trail as audit
from pb.auth.access import ensure_officer, is_member
from pb.collation import in_kyrgyz_order
from pb.consultations.phases import check_before, on_entering
from pb.consultations.services import local_today
from pb.counting_rules import COUNTING_RULES, DEFAULT_RULE
from pb.demographics import age_group
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    Ballot,
    BallotKind,
    Channel,
    CodeBatch,
    Consultation,
    Electorate,
    Meeting,
    Phase,
    Proposal,
    ProposalStatus,
    Receipt,
    Role,
    RollEntry,
    User,
    VoterLink,
    VotingCode,
)
from pb.models.base import utcnow
from pb.proposals.services import get_or_create_meeting
from pb.voting import codes, sealing, voters
from pb.voting import details as voter_details
from pb.voting.kinds import KINDS, BallotRules, Selection
from pb.voting.sheets import BallotSheet, VoterDetails, check_ballot, sheet_of


@dataclass
class VotingSettings:
    ballot_kind: BallotKind
    approval_limit: int | None
    points_total: int | None
    allow_accounts: bool
    allow_codes: bool
    allow_paper: bool
    counting_rule: str = DEFAULT_RULE
    complete_with_greedy: bool = False
    electorate: Electorate = Electorate.ROLL
    min_age: int | None = None


def ballot_proposals(consultation: Consultation) -> list[Proposal]:
    """The proposals on the ballot: the accepted ones, in a stable order (by title)."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(
                Proposal.consultation_id == consultation.id,
                Proposal.status == ProposalStatus.ACCEPTED,
            )
            .options(joinedload(Proposal.category), joinedload(Proposal.village))
            .order_by(in_kyrgyz_order(Proposal.title), Proposal.id)
        )
    )


@check_before(Phase.VOTING)
def settings_errors(consultation: Consultation) -> list[object]:
    rules = BallotRules(
        costs={},
        budget=consultation.budget,
        approval_limit=consultation.approval_limit,
        points_total=consultation.points_total,
    )
    problems = KINDS[consultation.ballot_kind].settings_errors(rules)
    if not (consultation.allow_accounts or consultation.allow_codes or consultation.allow_paper):
        problems.append(_l("Open at least one way to vote."))
    return problems


@check_before(Phase.VOTING)
def roll_errors(consultation: Consultation) -> list[object]:
    """A vote on an empty roll would take no ballot at all. (Checked only when voting opens:
    officers may settle the ballot before the roll is imported.)"""
    if consultation.roll_required and not _has_roll(consultation):
        return [
            _l(
                "Only residents on the voter roll vote in this consultation, and the roll is "
                "empty: import it first, or let anyone registered vote."
            )
        ]
    return []


def _has_roll(consultation: Consultation) -> bool:
    found = db.session.scalar(
        select(RollEntry.id)
        .where(RollEntry.municipality_id == consultation.municipality_id)
        .limit(1)
    )
    return found is not None


def save_settings(actor: User, consultation: Consultation, settings: VotingSettings) -> None:
    ensure_officer(actor, consultation.municipality_id)
    # Ballots cast under one kind or rule would break the rules of another.
    if consultation.ballot_locked:
        raise RuleViolation(_l("The ballot cannot change once voting has opened."))
    before = audit.snapshot(consultation, *SETTINGS_FIELDS)
    consultation.ballot_kind = settings.ballot_kind
    consultation.approval_limit = (
        settings.approval_limit if settings.ballot_kind == BallotKind.APPROVAL else None
    )
    consultation.points_total = (
        settings.points_total if settings.ballot_kind == BallotKind.POINTS else None
    )
    consultation.allow_accounts = settings.allow_accounts
    consultation.allow_codes = settings.allow_codes
    consultation.allow_paper = settings.allow_paper
    consultation.electorate = settings.electorate
    consultation.min_age = settings.min_age
    rule = COUNTING_RULES.get(settings.counting_rule)
    if rule is None:
        db.session.rollback()
        raise RuleViolation(_l("Not a valid choice."))
    consultation.counting_rule = rule.name
    consultation.complete_with_greedy = settings.complete_with_greedy and rule.completes_with_greedy
    problems = settings_errors(consultation)
    if problems:
        db.session.rollback()
        raise RuleViolation(problems[0])
    old, new = audit.changes(before, audit.snapshot(consultation, *SETTINGS_FIELDS))
    if new:
        audit.record(
            actor,
            "voting.settings",
            municipality_id=consultation.municipality_id,
            target=("consultation", consultation.id),
            before=old,
            after=new,
        )
    db.session.commit()


SETTINGS_FIELDS = (
    "ballot_kind",
    "approval_limit",
    "points_total",
    "allow_accounts",
    "allow_codes",
    "allow_paper",
    "electorate",
    "min_age",
    "counting_rule",
    "complete_with_greedy",
)


def details_from_profile(user: User) -> VoterDetails:
    return VoterDetails(
        gender=user.gender,
        age_group=age_group(user.birth_year, utcnow().year, current_app.config["AGE_BANDS"]),
        village_id=user.village_id,
    )


def _ensure_voting(consultation: Consultation) -> None:
    if not consultation.voting_open:
        raise RuleViolation(_l("Voting is not open."))


# --- codes -------------------------------------------------------------------------------------


def generate_codes(
    actor: User, consultation: Consultation, size: int, label: str | None
) -> CodeBatch:
    ensure_officer(actor, consultation.municipality_id)
    if consultation.voting_over:
        raise RuleViolation(_l("Voting is over: no more codes."))
    if not 1 <= size <= current_app.config["CODE_BATCH_MAX"]:
        raise RuleViolation(
            _l("A batch has from 1 to %(max)d codes.", max=current_app.config["CODE_BATCH_MAX"])
        )
    batch = CodeBatch(
        consultation_id=consultation.id, size=size, label=label, created_by_id=actor.id
    )
    db.session.add(batch)
    db.session.flush()
    plains: set[str] = set()
    while len(plains) < size:
        plains.add(codes.new_code())
    db.session.execute(
        insert(VotingCode),
        [
            {
                "batch_id": batch.id,
                "consultation_id": consultation.id,
                "digest": codes.digest("code", plain),
                "plain": plain,
                "used": False,
            }
            for plain in sorted(plains)
        ],
    )
    # The number of codes, never the codes.
    audit.record(
        actor,
        "codes.generate",
        municipality_id=consultation.municipality_id,
        target=("code_batch", batch.id),
        after={"consultation": consultation.id, "size": size, "label": label},
    )
    db.session.commit()
    return batch


def void_batch(actor: User, batch: CodeBatch) -> None:
    """Void the unused codes of a batch (a lost or stolen pile of slips). Ballots already cast
    with its codes stay: voiding must not let anyone cancel votes."""
    consultation = db.session.get(Consultation, batch.consultation_id)
    assert consultation is not None
    ensure_officer(actor, consultation.municipality_id)
    if batch.voided_at is None:
        batch.voided_at = utcnow()
        audit.record(
            actor,
            "codes.void",
            municipality_id=consultation.municipality_id,
            target=("code_batch", batch.id),
            before={"voided": False},
            after={"voided": True},
        )
        db.session.commit()


def batches(consultation: Consultation) -> list[tuple[CodeBatch, int]]:
    """Each batch with how many of its codes have been used."""
    used = dict(
        db.session.execute(
            select(VotingCode.batch_id, func.count())
            .where(VotingCode.consultation_id == consultation.id, VotingCode.used.is_(True))
            .group_by(VotingCode.batch_id)
        ).all()
    )
    rows = db.session.scalars(
        select(CodeBatch)
        .where(CodeBatch.consultation_id == consultation.id)
        .order_by(CodeBatch.created_at, CodeBatch.id)
    )
    return [(batch, used.get(batch.id, 0)) for batch in rows]


def batch_codes(batch: CodeBatch) -> list[str]:
    return [
        codes.group(plain)
        for plain in db.session.scalars(
            select(VotingCode.plain)
            .where(VotingCode.batch_id == batch.id, VotingCode.plain.is_not(None))
            .order_by(VotingCode.id)
        )
        if plain is not None  # the query already leaves None out; this says so to mypy
    ]


def batch_codes_page(batch: CodeBatch, page: int, per_page: int) -> Pagination:
    """One printed page of a batch's codes, grouped for reading, in the order of
    ``batch_codes``. A page past the end has no items."""
    pagination = db.paginate(
        select(VotingCode.plain)
        .where(VotingCode.batch_id == batch.id, VotingCode.plain.is_not(None))
        .order_by(VotingCode.id),
        page=page,
        per_page=per_page,
        error_out=False,
        count=True,
    )
    pagination.items = [codes.group(plain) for plain in pagination.items]
    return pagination


def _fill(ballot: Ballot, selection: Selection, details: VoterDetails) -> None:
    ballot.choices = dict(selection)
    ballot.sealed_details = voter_details.seal(details, ballot.consultation_id)


def has_voted(consultation: Consultation, user: User) -> bool:
    """Whether the account has a ballot in this consultation (knowable only while voting runs)."""
    return (
        db.session.scalar(
            select(VoterLink.id).where(
                VoterLink.consultation_id == consultation.id,
                VoterLink.voter_digest.in_(voters.account_links(consultation.id, user.id)),
            )
        )
        is not None
    )


def may_vote_with_account(consultation: Consultation | BallotSheet, user: User | None) -> bool:
    return consultation.allow_accounts and is_member(
        user, consultation.municipality_id, Role.RESIDENT
    )


# --- paper ballots -------------------------------------------------------------------------------


def _ensure_paper(actor: User, consultation: Consultation) -> None:
    ensure_officer(actor, consultation.municipality_id)
    _ensure_voting(consultation)
    if not consultation.allow_paper:
        raise RuleViolation(_l("This consultation does not take paper ballots."))


def add_paper_ballot(
    actor: User,
    consultation: Consultation,
    village_id: int,
    held_on: date,
    selection: Selection,
    details: VoterDetails,
) -> Ballot:
    _ensure_paper(actor, consultation)
    sheet = sheet_of(consultation)
    if village_id not in sheet.village_ids:
        raise RuleViolation(_l("Choose a village this consultation covers."))
    if held_on > local_today():
        raise RuleViolation(_l("The meeting date cannot be in the future."))
    check_ballot(sheet, selection, details)
    meeting = get_or_create_meeting(actor, consultation, village_id, held_on)
    ballot = Ballot(consultation_id=consultation.id, channel=Channel.PAPER, meeting_id=meeting.id)
    _fill(ballot, selection, details)
    db.session.add(ballot)
    _audit_paper(actor, consultation, "paper_ballot.add", ballot, after={"meeting": meeting.id})
    db.session.commit()
    return ballot


def _audit_paper(
    actor: User,
    consultation: Consultation,
    action: str,
    ballot: Ballot | str,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> None:
    # Which ballot of which meeting, never what it says (nor the voter details on it).
    audit.record(
        actor,
        action,
        municipality_id=consultation.municipality_id,
        target=("ballot", ballot),
        before=before,
        after=after,
    )


def update_paper_ballot(
    actor: User, ballot: Ballot, selection: Selection, details: VoterDetails
) -> None:
    consultation = db.session.get(Consultation, ballot.consultation_id)
    assert consultation is not None
    _ensure_paper(actor, consultation)
    if ballot.channel != Channel.PAPER:
        raise RuleViolation(_l("Only paper ballots can be corrected here."))
    sheet = sheet_of(consultation)
    check_ballot(sheet, selection, details)
    _fill(ballot, selection, details)
    _audit_paper(
        actor, consultation, "paper_ballot.correct", ballot, after={"meeting": ballot.meeting_id}
    )
    db.session.commit()


def delete_paper_ballot(actor: User, ballot: Ballot) -> None:
    consultation = db.session.get(Consultation, ballot.consultation_id)
    assert consultation is not None
    _ensure_paper(actor, consultation)
    if ballot.channel != Channel.PAPER:
        raise RuleViolation(_l("Only paper ballots can be corrected here."))
    ballot_id, meeting_id = ballot.id, ballot.meeting_id
    db.session.delete(ballot)
    _audit_paper(
        actor, consultation, "paper_ballot.delete", ballot_id, before={"meeting": meeting_id}
    )
    db.session.commit()


def paper_ballot_details(ballot: Ballot) -> VoterDetails:
    """The voter details of a paper ballot, for the officer correcting it while voting is open
    (after close, ballots keep none)."""
    return voter_details.unseal(ballot.sealed_details, ballot.consultation_id)


def paper_ballot(consultation: Consultation, ballot_id: str) -> Ballot | None:
    return db.session.scalar(
        select(Ballot).where(
            Ballot.id == ballot_id,
            Ballot.consultation_id == consultation.id,
            Ballot.channel == Channel.PAPER,
        )
    )


@dataclass
class MeetingTally:
    meeting: Meeting
    ballots: int


def meetings_with_ballots(consultation: Consultation) -> list[MeetingTally]:
    counts = dict(
        db.session.execute(
            select(Ballot.meeting_id, func.count())
            .where(Ballot.consultation_id == consultation.id, Ballot.channel == Channel.PAPER)
            .group_by(Ballot.meeting_id)
        ).all()
    )
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.consultation_id == consultation.id)
        .options(joinedload(Meeting.village))
        .order_by(Meeting.held_on.desc(), Meeting.id)
    )
    return [MeetingTally(m, counts.get(m.id, 0)) for m in meetings if counts.get(m.id)]


def meeting_ballots(consultation: Consultation, meeting_id: int) -> list[Ballot]:
    return list(
        db.session.scalars(
            select(Ballot)
            .where(
                Ballot.consultation_id == consultation.id,
                Ballot.channel == Channel.PAPER,
                Ballot.meeting_id == meeting_id,
            )
            .order_by(Ballot.id)
        )
    )


# --- turnout, closing, receipts -----------------------------------------------------------------


@dataclass
class Turnout:
    by_channel: dict[Channel, int]
    codes_issued: int
    codes_used: int

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


def turnout(consultation: Consultation) -> Turnout:
    """How many ballots so far, by channel: never what they say, until results are out."""
    counts = Counter(
        dict(
            db.session.execute(
                select(Ballot.channel, func.count())
                .where(Ballot.consultation_id == consultation.id)
                .group_by(Ballot.channel)
            ).all()
        )
    )
    issued = db.session.scalar(
        select(func.count())
        .select_from(VotingCode)
        .join(CodeBatch, CodeBatch.id == VotingCode.batch_id)
        .where(VotingCode.consultation_id == consultation.id, CodeBatch.voided_at.is_(None))
    )
    used = db.session.scalar(
        select(func.count()).where(
            VotingCode.consultation_id == consultation.id, VotingCode.used.is_(True)
        )
    )
    return Turnout({c: counts.get(c, 0) for c in Channel}, issued or 0, used or 0)


@on_entering(Phase.CLOSED)
def seal_ballots(consultation: Consultation) -> None:
    """Cut every tie between voters and ballots. Runs inside the transaction that closes voting."""
    # The voters' details are read here, in memory, and kept only as counts: the ballots are
    # written again without them, so no row pairs a person's details with her choices.
    voter_details.record_figures_at_close(consultation.id)
    # Receipts kept in random order, links deleted, codes erased, and the ballots rewritten in
    # random order under new random ids: neither ids nor the physical order of rows may tell in
    # what order, and so by whom, ballots were cast. Set-based, for a city's 150,000 ballots.
    sealing.seal(consultation.id)


def receipt_was_counted(consultation: Consultation, typed: str) -> bool:
    """Whether a counted ballot of this consultation had this receipt. Says nothing else.
    Raises ``keys.KeysNotShared`` (a 503) on a host whose vote key is not the site's: it
    would call every receipt unknown."""
    keys.refuse_unless_shared()
    # Under the current vote key and the older ones still accepted, in one query: a receipt
    # given before the key was rotated still checks.
    wanted = keys.digests("receipt", codes.normalise(typed))
    found = db.session.scalar(
        select(Receipt.digest).where(
            Receipt.consultation_id == consultation.id, Receipt.digest.in_(wanted)
        )
    )
    return found is not None and any(hmac.compare_digest(found, w) for w in wanted)
