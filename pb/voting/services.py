"""Voting: the officer's settings, ballots by account, code and paper, secrecy at close, receipts.

Secrecy, in short: a ballot row holds the choices and the voter's optional self-declared
details, never who cast it. While voting is open a separate VoterLink row ties an account or a
code to its ballot, so the voter can change it; closing deletes every link, erases the printed
codes, and rewrites the ballots in random order with new random ids, so not even the order of
rows or their ids says who voted when.
"""
from __future__ import annotations

import hmac
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Select,
    String,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from pb.auth.access import ensure_officer, ensure_role, is_member
from pb.demographics import age_group, band_keys
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    Ballot,
    BallotChoice,
    BallotKind,
    Channel,
    CodeBatch,
    Consultation,
    Gender,
    Meeting,
    Phase,
    Proposal,
    ProposalStatus,
    Receipt,
    Role,
    User,
    Village,
    VoterLink,
    VotingCode,
    consultation_villages,
)
from pb.models.base import utcnow
from pb.models.voting import new_ballot_id
from pb.proposals.services import get_or_create_meeting
from pb.transactions import begin_writing
from pb.voting import codes
from pb.voting.kinds import KINDS, BallotRules, Selection

# The counting rules a consultation may use (their implementations: pb.counting.RULES).
COUNTING_RULE_NAMES = ("greedy", "equal-shares")

# The settings may change only before voting opens: ballots cast under one kind would break
# the rules of another.
SETUP_PHASES = (Phase.DRAFT, Phase.COLLECTING, Phase.REVIEW)


@dataclass
class VotingSettings:
    ballot_kind: BallotKind
    approval_limit: int | None
    points_total: int | None
    allow_accounts: bool
    allow_codes: bool
    allow_paper: bool
    counting_rule: str = "greedy"
    complete_with_greedy: bool = False


@dataclass
class VoterDetails:
    """Self-declared, optional: feeds the participation figures, never tied to the person."""

    gender: Gender | None = None
    age_group: str | None = None
    village_id: int | None = None


@dataclass
class CastResult:
    receipt: str
    replaced: bool


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
            .order_by(Proposal.title, Proposal.id)
        )
    )


def _sql() -> Connection:
    """The session's connection, for the voting hot path: plain SQL statements, in the
    session's transaction, without the ORM's bookkeeping (about half the cost per statement)."""
    return db.session.connection()


def ballot_costs(consultation: Consultation) -> dict[int, int]:
    """The proposals on the ballot and what each costs, without loading them whole."""
    return dict(
        _sql().execute(
            select(Proposal.id, Proposal.cost).where(
                Proposal.consultation_id == consultation.id,
                Proposal.status == ProposalStatus.ACCEPTED,
            )
        ).all()
    )


def rules_for(consultation: Consultation, costs: Mapping[int, int] | None = None) -> BallotRules:
    return BallotRules(
        costs=ballot_costs(consultation) if costs is None else costs,
        budget=consultation.budget,
        approval_limit=consultation.approval_limit,
        points_total=consultation.points_total,
    )


def settings_errors(consultation: Consultation) -> list[object]:
    problems = KINDS[consultation.ballot_kind].settings_errors(rules_for(consultation, {}))
    if not (consultation.allow_accounts or consultation.allow_codes or consultation.allow_paper):
        problems.append(_l("Open at least one way to vote."))
    return problems


def save_settings(actor: User, consultation: Consultation, settings: VotingSettings) -> None:
    ensure_officer(actor, consultation.municipality_id)
    if consultation.phase not in SETUP_PHASES:
        raise RuleViolation(_l("The ballot cannot change once voting has opened."))
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
    if settings.counting_rule not in COUNTING_RULE_NAMES:
        db.session.rollback()
        raise RuleViolation(_l("Not a valid choice."))
    consultation.counting_rule = settings.counting_rule
    consultation.complete_with_greedy = (
        settings.complete_with_greedy and settings.counting_rule == "equal-shares"
    )
    problems = settings_errors(consultation)
    if problems:
        db.session.rollback()
        raise RuleViolation(problems[0])
    db.session.commit()


def details_from_profile(user: User) -> VoterDetails:
    return VoterDetails(
        gender=user.gender,
        age_group=age_group(user.birth_year, utcnow().year, current_app.config["AGE_BANDS"]),
        village_id=user.village_id,
    )


@dataclass(frozen=True)
class BallotLookups:
    """What a submitted ballot is checked against."""

    costs: dict[int, int]  # proposal id -> cost, for the proposals on the ballot
    villages: list[tuple[int, str]]  # (id, name) of the villages the consultation covers


def ballot_lookups(consultation: Consultation) -> BallotLookups:
    """The ballot's costs and the consultation's villages, read in one statement: a submitted
    ballot needs both, and on the vote's hot path every round trip counts."""
    costs: dict[int, int] = {}
    named: list[tuple[int, str]] = []
    for kind, id_, cost, name in _sql().execute(_LOOKUPS, {"consultation_id": consultation.id}):
        if kind == "p":
            costs[id_] = cost
        else:
            named.append((id_, name))
    return BallotLookups(costs, sorted(named, key=lambda village: (village[1], village[0])))


_LOOKUPS = union_all(
    select(
        literal("p").label("kind"),
        Proposal.id.label("id"),
        Proposal.cost.label("cost"),
        cast(null(), String).label("name"),
    ).where(
        Proposal.consultation_id == bindparam("consultation_id"),
        Proposal.status == ProposalStatus.ACCEPTED,
    ),
    select(literal("v"), Village.id, cast(null(), BigInteger), Village.name)
    .join(consultation_villages, consultation_villages.c.village_id == Village.id)
    .where(consultation_villages.c.consultation_id == bindparam("consultation_id")),
)


def village_choices(consultation: Consultation) -> list[tuple[int, str]]:
    """The villages the consultation covers, by name (id, name), read in one light query."""
    return [
        (row.id, row.name)
        for row in _sql().execute(
            select(Village.id, Village.name)
            .join(consultation_villages, consultation_villages.c.village_id == Village.id)
            .where(consultation_villages.c.consultation_id == consultation.id)
            .order_by(Village.name)
        )
    ]


def _check_details(
    consultation: Consultation,
    details: VoterDetails,
    villages: Sequence[tuple[int, str]] | None = None,
) -> None:
    if details.age_group and details.age_group not in band_keys(current_app.config["AGE_BANDS"]):
        raise RuleViolation(_l("Not a valid choice."))
    if villages is None:
        villages = village_choices(consultation)
    if details.village_id and details.village_id not in dict(villages):
        raise RuleViolation(_l("Choose a village this consultation covers."))


def check_selection(
    consultation: Consultation, selection: Selection, costs: Mapping[int, int] | None = None
) -> None:
    problems = KINDS[consultation.ballot_kind].errors(selection, rules_for(consultation, costs))
    if problems:
        raise RuleViolation(problems[0])


def _ensure_voting(consultation: Consultation) -> None:
    if consultation.phase != Phase.VOTING:
        raise RuleViolation(_l("Voting is not open."))


# --- codes -------------------------------------------------------------------------------------


def generate_codes(actor: User, consultation: Consultation, size: int, label: str | None) -> CodeBatch:
    ensure_officer(actor, consultation.municipality_id)
    if consultation.phase not in (*SETUP_PHASES, Phase.VOTING):
        raise RuleViolation(_l("Voting is over: no more codes."))
    if not 1 <= size <= current_app.config["CODE_BATCH_MAX"]:
        raise RuleViolation(
            _l("A batch has from 1 to %(max)d codes.", max=current_app.config["CODE_BATCH_MAX"])
        )
    batch = CodeBatch(consultation_id=consultation.id, size=size, label=label, created_by_id=actor.id)
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
    ]


@dataclass(frozen=True)
class CodeRef:
    id: int
    consultation_id: int


def find_code(consultation: Consultation, typed: str) -> CodeRef | None:
    """The code if it is valid for this consultation; compared in constant time."""
    wanted = codes.digest("code", codes.normalise(typed))
    found = _sql().execute(_FIND_CODE, {"digest": wanted}).first()
    if found is None or not hmac.compare_digest(found.digest, wanted):
        return None
    if found.consultation_id != consultation.id or found.voided_at is not None:
        return None
    return CodeRef(found.id, found.consultation_id)


_FIND_CODE = (
    select(VotingCode.id, VotingCode.digest, VotingCode.consultation_id, CodeBatch.voided_at)
    .join(CodeBatch, CodeBatch.id == VotingCode.batch_id)
    .where(VotingCode.digest == bindparam("digest"))
)


# --- casting -----------------------------------------------------------------------------------


def cast_ballot(
    consultation: Consultation,
    selection: Selection,
    details: VoterDetails,
    *,
    user: User | None = None,
    code: CodeRef | None = None,
    costs: Mapping[int, int] | None = None,
    villages: Sequence[tuple[int, str]] | None = None,
) -> CastResult:
    """Record or replace the ballot of one account or one code; the last one counts.

    This is the hot path of a vote, so it speaks SQL directly rather than through the ORM's
    unit of work; ``costs`` and ``villages`` may be passed when the caller already read them.
    The checks may have run in a read transaction of their own (``pb.transactions``): the
    writes begin by checking again, under lock, that voting is still open.
    """
    _ensure_voting(consultation)
    if (user is None) == (code is None):
        raise ValueError("a ballot is cast by exactly one account or one code")
    if user is not None:
        if not consultation.allow_accounts:
            raise RuleViolation(_l("This consultation does not take votes from accounts."))
        ensure_role(user, consultation.municipality_id, Role.RESIDENT)
        channel = Channel.ONLINE
    else:
        assert code is not None
        if not consultation.allow_codes or code.consultation_id != consultation.id:
            raise RuleViolation(_l("This code is not valid."))
        channel = Channel.CODE
    check_selection(consultation, selection, costs)
    _check_details(consultation, details, villages)
    receipt = codes.new_receipt()
    consultation_id = consultation.id
    user_id = user.id if user is not None else None
    code_id = code.id if code is not None else None
    ballot_values = {
        "gender": details.gender,
        "age_group": details.age_group,
        "village_id": details.village_id,
    }
    receipt_digest = codes.digest("receipt", receipt)
    statements = _CAST_POSTGRES if db.engine.dialect.name == "postgresql" else _CAST
    who = {"consultation_id": consultation_id, "user_id": user_id, "code_id": code_id}
    begin_writing()
    for _attempt in range(3):
        sql = _sql()
        # Voting may have closed since the checks. On PostgreSQL the shared row lock makes
        # closing (which updates this row, then seals the ballots) wait for this ballot.
        if sql.execute(statements.phase, who).scalar() != Phase.VOTING:
            db.session.rollback()
            raise RuleViolation(_l("Voting is not open."))
        link_query = statements.link_of_user if user_id is not None else statements.link_of_code
        link = sql.execute(link_query, who).first()
        try:
            if link is None:
                ballot_id = new_ballot_id()
                sql.execute(
                    _INSERT_BALLOT,
                    {"id": ballot_id, "consultation_id": consultation_id, "channel": channel,
                     **ballot_values},
                )
                _insert_choices(sql, ballot_id, selection)
                # The unique constraints on this row are what keep one ballot per voter.
                sql.execute(_INSERT_LINK, {**who, "ballot_id": ballot_id, "receipt_digest": receipt_digest})
                if code_id is not None:
                    # Only the code's id: an UPDATE takes any other key given as a column to set.
                    sql.execute(_MARK_CODE_USED, {"code_id": code_id})
                replaced = False
            else:
                sql.execute(_UPDATE_BALLOT, {"ballot": link.ballot_id, **ballot_values})
                sql.execute(_DELETE_CHOICES, {"ballot": link.ballot_id})
                _insert_choices(sql, link.ballot_id, selection)
                # A new receipt for the new ballot; the old number no longer proves anything.
                sql.execute(_NEW_RECEIPT, {"link": link.id, "receipt_digest": receipt_digest})
                replaced = True
            db.session.commit()
            return CastResult(codes.group(receipt, 4), replaced)
        except IntegrityError:
            # The same voter's other submission won the race: replace its ballot instead.
            db.session.rollback()
    raise RuleViolation(_l("Your ballot could not be saved. Please send it again."))


def _insert_choices(sql: Connection, ballot_id: str, selection: Selection) -> None:
    if not selection:  # the ballot kinds refuse empty ballots; nothing to write if one slips by
        return
    sql.execute(
        _INSERT_CHOICES,
        [
            {"ballot_id": ballot_id, "proposal_id": pid, "points": points}
            for pid, points in sorted(selection.items())
        ],
    )


# The statements of a vote, built once: on the hot path, building a statement costs about as
# much as running it.
@dataclass(frozen=True)
class _CastStatements:
    phase: Select
    link_of_user: Select
    link_of_code: Select


def _cast_statements(postgres: bool) -> _CastStatements:
    phase = select(Consultation.phase).where(Consultation.id == bindparam("consultation_id"))
    link = select(VoterLink.id, VoterLink.ballot_id).where(
        VoterLink.consultation_id == bindparam("consultation_id")
    )
    of_user = link.where(VoterLink.user_id == bindparam("user_id"))
    of_code = link.where(VoterLink.code_id == bindparam("code_id"))
    if postgres:
        # Two submissions from one voter at once: the second waits for the first.
        return _CastStatements(
            phase.with_for_update(read=True), of_user.with_for_update(), of_code.with_for_update()
        )
    return _CastStatements(phase, of_user, of_code)


_CAST = _cast_statements(postgres=False)
_CAST_POSTGRES = _cast_statements(postgres=True)
_INSERT_BALLOT = insert(Ballot)
_INSERT_CHOICES = insert(BallotChoice)
_INSERT_LINK = insert(VoterLink)
_MARK_CODE_USED = update(VotingCode).where(VotingCode.id == bindparam("code_id")).values(used=True)
_UPDATE_BALLOT = (
    update(Ballot)
    .where(Ballot.id == bindparam("ballot"))
    .values(
        gender=bindparam("gender"),
        age_group=bindparam("age_group"),
        village_id=bindparam("village_id"),
    )
)
_DELETE_CHOICES = delete(BallotChoice).where(BallotChoice.ballot_id == bindparam("ballot"))
_NEW_RECEIPT = (
    update(VoterLink)
    .where(VoterLink.id == bindparam("link"))
    .values(receipt_digest=bindparam("receipt_digest"))
)


def _fill(ballot: Ballot, selection: Selection, details: VoterDetails) -> None:
    ballot.choices = [BallotChoice(proposal_id=pid, points=points) for pid, points in sorted(selection.items())]
    ballot.gender = details.gender
    ballot.age_group = details.age_group
    ballot.village_id = details.village_id


def has_voted(consultation: Consultation, user: User) -> bool:
    """Whether the account has a ballot in this consultation (knowable only while voting runs)."""
    return (
        db.session.scalar(
            select(VoterLink.id).where(
                VoterLink.consultation_id == consultation.id, VoterLink.user_id == user.id
            )
        )
        is not None
    )


def may_vote_with_account(consultation: Consultation, user: User | None) -> bool:
    return consultation.allow_accounts and is_member(user, consultation.municipality_id, Role.RESIDENT)


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
    if village_id not in dict(village_choices(consultation)):
        raise RuleViolation(_l("Choose a village this consultation covers."))
    if held_on > utcnow().date():
        raise RuleViolation(_l("The meeting date cannot be in the future."))
    check_selection(consultation, selection)
    _check_details(consultation, details)
    meeting = get_or_create_meeting(actor, consultation, village_id, held_on)
    ballot = Ballot(consultation_id=consultation.id, channel=Channel.PAPER, meeting_id=meeting.id)
    _fill(ballot, selection, details)
    db.session.add(ballot)
    db.session.commit()
    return ballot


def update_paper_ballot(
    actor: User, ballot: Ballot, selection: Selection, details: VoterDetails
) -> None:
    consultation = db.session.get(Consultation, ballot.consultation_id)
    assert consultation is not None
    _ensure_paper(actor, consultation)
    if ballot.channel != Channel.PAPER:
        raise RuleViolation(_l("Only paper ballots can be corrected here."))
    check_selection(consultation, selection)
    _check_details(consultation, details)
    _fill(ballot, selection, details)
    db.session.commit()


def delete_paper_ballot(actor: User, ballot: Ballot) -> None:
    consultation = db.session.get(Consultation, ballot.consultation_id)
    assert consultation is not None
    _ensure_paper(actor, consultation)
    if ballot.channel != Channel.PAPER:
        raise RuleViolation(_l("Only paper ballots can be corrected here."))
    db.session.delete(ballot)
    db.session.commit()


def paper_ballot(consultation: Consultation, ballot_id: str) -> Ballot | None:
    return db.session.scalar(
        select(Ballot)
        .where(
            Ballot.id == ballot_id,
            Ballot.consultation_id == consultation.id,
            Ballot.channel == Channel.PAPER,
        )
        .options(selectinload(Ballot.choices))
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
            .options(selectinload(Ballot.choices))
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


def seal_ballots(consultation: Consultation) -> None:
    """Cut every tie between voters and ballots. Runs inside the transaction that closes voting."""
    receipts = list(
        db.session.scalars(
            select(VoterLink.receipt_digest).where(VoterLink.consultation_id == consultation.id)
        )
    )
    shuffle = random.SystemRandom().shuffle
    shuffle(receipts)
    if receipts:
        db.session.execute(
            insert(Receipt), [{"consultation_id": consultation.id, "digest": d} for d in receipts]
        )
    db.session.execute(delete(VoterLink).where(VoterLink.consultation_id == consultation.id))
    db.session.execute(
        update(VotingCode).where(VotingCode.consultation_id == consultation.id).values(plain=None)
    )
    # Rewrite the ballots in random order under new random ids: neither ids nor the physical
    # order of rows may tell in what order, and so by whom, ballots were cast.
    ballots = db.session.execute(
        select(
            Ballot.id, Ballot.channel, Ballot.gender, Ballot.age_group, Ballot.village_id,
            Ballot.meeting_id,
        ).where(Ballot.consultation_id == consultation.id)
    ).all()
    if not ballots:
        return
    choices: dict[str, list[tuple[int, int]]] = {}
    for ballot_id, proposal_id, points in db.session.execute(
        select(BallotChoice.ballot_id, BallotChoice.proposal_id, BallotChoice.points)
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.consultation_id == consultation.id)
    ):
        choices.setdefault(ballot_id, []).append((proposal_id, points))
    db.session.execute(delete(Ballot).where(Ballot.consultation_id == consultation.id))
    order = list(ballots)
    shuffle(order)
    new_ballots, new_choices = [], []
    for row in order:
        new_id = new_ballot_id()
        new_ballots.append(
            {
                "id": new_id,
                "consultation_id": consultation.id,
                "channel": row.channel,
                "gender": row.gender,
                "age_group": row.age_group,
                "village_id": row.village_id,
                "meeting_id": row.meeting_id,
            }
        )
        new_choices.extend(
            {"ballot_id": new_id, "proposal_id": pid, "points": pts}
            for pid, pts in choices.get(row.id, [])
        )
    db.session.execute(insert(Ballot), new_ballots)
    if new_choices:
        db.session.execute(insert(BallotChoice), new_choices)


def receipt_was_counted(consultation: Consultation, typed: str) -> bool:
    """Whether a counted ballot of this consultation had this receipt. Says nothing else."""
    wanted = codes.digest("receipt", codes.normalise(typed))
    found = db.session.scalar(
        select(Receipt.digest).where(
            Receipt.consultation_id == consultation.id, Receipt.digest == wanted
        )
    )
    return found is not None and hmac.compare_digest(found, wanted)
