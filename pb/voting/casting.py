"""Casting a ballot online, with an account or a code: where a village votes at once after its
meeting.

A ballot is read (``Submission``), checked against the consultation's sheet, which the worker
keeps (``pb.voting.sheets``), and then recorded by the rules below, which also check, under a
shared lock on the consultation's row, that voting runs at the sheet's revision. So closing
waits for the ballots being recorded, and a ballot checked against a sheet that no longer holds
is checked again against the new one before anything is written.

The rules of recording, in one place (``_record``):
- a code must be one of this consultation's, of a batch not voided, and its client must not
  have failed too often (``pb.throttle``); a code that is not valid counts as one more failure;
- the voter's link (account or code) to her ballot is made, with the ballot and its choices;
  the link names her by a digest keyed with the vote key, never by an id (``pb.voting.voters``),
  and so does her mark on the roll, both made in Python before the statements run;
  a voter who has a link has her ballot replaced, choices and details, and her link gets the
  new receipt's digest (the old number no longer proves anything); a code replaces its ballot
  only with the receipt of that ballot (a wrong one counts as a failure); a code is marked used;
- the link's unique constraints keep one ballot per account and per code: when two
  submissions of one voter race, the one that loses writes nothing and runs again, and then
  replaces the winner's ballot whole (an account; a code needs the winner's receipt);
- where only the roll votes (``BallotSheet.roll_required``), an account votes only if an
  officer confirmed it as a person on the roll (``RollEntry.user_id``), old enough, who has
  not received a code slip or a paper ballot: its first ballot marks her "voted online"
  (``RollMark``), and the mark's primary key, one per person and consultation, is what keeps
  one voice per person whatever the channel, against the meeting desk's marks too
  (``pb.roll.marks``), two channels racing included. This costs one indexed lookup of her
  entry and its mark. Codes are not on the roll: the slip's mark was made when it was handed
  out, and nothing ties a code to a person.

They run two ways, one per database, and the whole suite runs on both:
- on PostgreSQL as one statement with data-modifying CTEs (``_one_statement``): a round trip
  to the server costs a worker more than the work it carries, and the same rules statement by
  statement took eight;
- on SQLite statement by statement in one transaction (``_in_transaction``), which holds the
  database's write lock from its start (``pb.sqlite``).

Codes are looked up by their digest, keyed with the vote key (``codes.digest``, ``pb.keys``):
how long the lookup takes depends on that digest, which a guesser can neither choose nor see,
never on how much of a guess was right. A code not found is looked up again under each older
vote key still accepted (``_record_under_older_keys``), every code not found alike.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    LargeBinary,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError, IntegrityError

from pb import keys, throttle
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    Ballot,
    Channel,
    CodeBatch,
    Consultation,
    Phase,
    RollEntry,
    RollMark,
    User,
    VoterLink,
    VotingCode,
)
from pb.models.voting import Choices, ChoicesText, new_ballot_id
from pb.roll import marks
from pb.voting import codes, sheets, voters
from pb.voting.details import seal
from pb.voting.kinds import SentChoices, read_selection
from pb.voting.services import may_vote_with_account
from pb.voting.sheets import BallotSheet, VoterDetails, check_ballot

# How often a ballot is tried in all: after a lost race with the same voter's other
# submission, a sheet that no longer held, or a connection the server had dropped.
ATTEMPTS = 3


@dataclass(frozen=True)
class Submission:
    """A ballot as sent: its choices, and its fields as the ballot's form read them."""

    choices: SentChoices
    details: VoterDetails
    code: str  # "" if none was typed
    # The receipt of the ballot a code cast before, which changing that ballot needs.
    earlier_receipt: str = ""


@dataclass(frozen=True)
class CastResult:
    receipt: str  # to show the voter; only its digest is kept
    replaced: bool  # the voter's earlier ballot was replaced


class NotVoting(Exception):
    """This consultation takes no online ballot from this visitor: neither her account nor a
    code may vote here. The ballot page says so."""


def cast_ballot(
    consultation_id: int, submission: Submission, user: User | None, client: throttle.Client | str
) -> CastResult:
    """Record a ballot, or replace the voter's earlier one: with the account of a resident who
    may vote with it, else with the code typed. ``client`` (who sends it: see ``pb.throttle``)
    is refused if it failed too often, and a code that is not valid here counts as one more
    failure."""
    lost_race = False
    # The receipts of tries whose connection the server dropped: each may have been recorded,
    # and then the next try replaces that ballot, which a code may do only with its receipt.
    dropped: list[str] = []
    for _attempt in range(ATTEMPTS):
        tried: _Vote | None = None
        try:
            # A host whose vote key is not the site's would reject printed codes as guesses
            # and give receipts no other host can check: it refuses (503) before looking
            # anything up. Inside the loop: asking may meet a connection the server dropped.
            keys.refuse_unless_shared()
            sheet = sheets.voting_sheet(consultation_id)
            if sheet is None:
                raise _voting_closed()
            vote = _checked_vote(sheet, submission, user)
            if dropped and vote.code_digest is not None:
                vote = replace(vote, earlier_receipts=[*vote.earlier_receipts, *dropped])
            tried = vote
            outcome = _record(vote, sheet.revision, client, lost_race)
            if outcome is _Outcome.NOT_A_VALID_CODE:
                vote, outcome = _record_under_older_keys(
                    vote, submission, sheet.revision, client, lost_race
                )
        except DBAPIError as error:
            db.session.rollback()
            if not error.connection_invalidated:
                raise
            # The server dropped the connection (SQLAlchemy has dropped the pool): once more,
            # on a new one. Safe even if the first run was committed: the second finds its
            # link and records the same ballot again (a code's, with the first run's receipt).
            if tried is not None:
                dropped.append(codes.digest("receipt", tried.receipt))
            continue
        if outcome is _Outcome.RECORDED or outcome is _Outcome.REPLACED:
            return CastResult(codes.group(vote.receipt, 4), outcome is _Outcome.REPLACED)
        if outcome is _Outcome.NOT_A_VALID_CODE:
            # Asked afresh: the site's vote key may have been rotated since this host last
            # checked, and a code this host cannot read is not the voter's failure.
            keys.refuse_unless_shared(fresh=True)
            throttle.record_failure(client)
            raise RuleViolation(
                _l("This code is not valid. Check it against your slip and try again.")
            )
        if outcome is _Outcome.WRONG_RECEIPT and submission.earlier_receipt:
            # Who types receipts until one fits is guessing, as with codes.
            throttle.record_failure(client)
        if outcome in (_Outcome.RECEIPT_NEEDED, _Outcome.WRONG_RECEIPT):
            raise RuleViolation(_RECEIPT_NEEDED)
        if outcome in _REFUSED_BY_ROLL:
            raise RuleViolation(_REFUSED_BY_ROLL[outcome](sheet))
        if outcome is _Outcome.SHEET_OUTDATED:
            # Voting closed, or the ballot changed: the next try reads the sheet again, and
            # says so if voting no longer runs.
            sheets.forget(consultation_id)
        # Otherwise the same voter's other submission recorded its link first: again, to
        # replace its ballot.
        lost_race = outcome is _Outcome.LOST_RACE
    raise RuleViolation(_l("Your ballot could not be saved. Please send it again."))


def _record_under_older_keys(
    vote: _Vote,
    submission: Submission,
    revision: int,
    client: throttle.Client | str,
    lost_race: bool,
) -> tuple[_Vote, _Outcome]:
    """A code not found under the current vote key, tried under each older key still accepted
    (``VOTE_KEY_FALLBACKS``), so a slip printed before the key was rotated still votes. Only a
    code not found pays for this, and only where there are older keys: a valid code of the
    current key stays one digest and one lookup."""
    for older in keys.older_digests("code", codes.normalise(submission.code)):
        retried = replace(
            vote, code_digest=older, voter_digest=voters.code_link(vote.consultation_id, older)
        )
        outcome = _record(retried, revision, client, lost_race)
        if outcome is not _Outcome.NOT_A_VALID_CODE:
            return retried, outcome
    return vote, _Outcome.NOT_A_VALID_CODE


def _voting_closed() -> RuleViolation:
    return RuleViolation(_l("Voting is not open."))


def _too_young(sheet: BallotSheet) -> object:
    assert sheet.latest_birth_year is not None
    return marks.too_young(sheet.latest_birth_year)


@dataclass(frozen=True)
class _Vote:
    """A checked ballot, ready for the statements that record it."""

    consultation_id: int
    channel: Channel
    user_id: int | None  # one of these two
    code_digest: str | None
    # Who votes, as her link names her: never her account's or her code's id (pb.voting.voters).
    voter_digest: str
    # A code that voted already: the receipt digests its earlier ballot's link must have.
    earlier_receipts: list[str]
    choices: Choices
    sealed_details: bytes  # the voter's details, encrypted (pb.voting.details)
    receipt: str
    # Whether her account must be confirmed on the roll, and so marked on it, and how young
    # a voter may be (born in or before this year; NO_MINIMUM_AGE if any age may vote).
    on_roll: bool
    municipality_id: int
    latest_birth_year: int
    # Where the roll votes: the account's person on the roll, and her mark's digest.
    entry_id: int | None = None
    entry_digest: str | None = None


# Born in or before this year: anyone (a bound value, so the statements need no second form).
NO_MINIMUM_AGE = 9999


def _checked_vote(sheet: BallotSheet, submission: Submission, user: User | None) -> _Vote:
    # Where the roll votes, a resident whose account is not confirmed may still vote with a
    # slip handed to her at a meeting: the ballot page then shows her the code field.
    if may_vote_with_account(sheet, user) and not (sheet.roll_required and submission.code):
        assert user is not None
        channel, user_id, code_digest = Channel.ONLINE, user.id, None
        if not sheet.roll_required and sheet.latest_birth_year is not None:
            # A trial without the roll: the age the account gives is all there is to go by.
            if user.birth_year is None:
                raise RuleViolation(
                    _l("Add your year of birth to your profile to vote in this consultation.")
                )
            if user.birth_year > sheet.latest_birth_year:
                raise RuleViolation(_too_young(sheet))
    elif not sheet.allow_codes:
        raise NotVoting()
    elif not submission.code:
        raise RuleViolation(_l("Type the code from your slip."))
    else:
        channel, user_id = Channel.CODE, None
        code_digest = codes.digest("code", codes.normalise(submission.code))
    earlier = codes.normalise(submission.earlier_receipt)
    on_roll = sheet.roll_required and channel is Channel.ONLINE
    entry_id = entry_digest = None
    if on_roll:
        # Her entry was loaded with her account (pb.auth.sessions): the mark's digest is made
        # here, before the statement that records the ballot checks the entry again.
        assert user is not None
        entry = user.roll_entry
        if entry is not None and entry.municipality_id == sheet.municipality_id:
            entry_id = entry.id
            entry_digest = voters.entry_mark(sheet.consultation_id, entry.id)
    selection = read_selection(submission.choices, sheet.kind.uses_points)
    check_ballot(sheet, selection, submission.details)
    return _Vote(
        consultation_id=sheet.consultation_id,
        channel=channel,
        user_id=user_id,
        code_digest=code_digest,
        voter_digest=(
            voters.code_link(sheet.consultation_id, code_digest)
            if code_digest is not None
            else voters.account_link(sheet.consultation_id, user_id or 0)
        ),
        earlier_receipts=keys.digests("receipt", earlier) if earlier else [],
        choices=dict(selection),
        sealed_details=seal(submission.details, sheet.consultation_id),
        receipt=codes.new_receipt(),
        on_roll=on_roll,
        municipality_id=sheet.municipality_id,
        latest_birth_year=(
            NO_MINIMUM_AGE if sheet.latest_birth_year is None else sheet.latest_birth_year
        ),
        entry_id=entry_id,
        entry_digest=entry_digest,
    )


class _Outcome(enum.Enum):
    RECORDED = "recorded"
    REPLACED = "replaced"
    NOT_A_VALID_CODE = "not a valid code"
    SHEET_OUTDATED = "sheet outdated"  # voting does not run at the sheet's revision
    LOST_RACE = "lost race"
    NOT_ON_ROLL = "account not confirmed on the roll"
    TOO_YOUNG = "too young"
    VOTED_OTHERWISE = "received a code or a paper ballot"
    RECEIPT_NEEDED = "a code that voted, without the receipt of its ballot"
    WRONG_RECEIPT = "a code that voted, with a receipt that is not its ballot's"


_RECEIPT_NEEDED = _l(
    "This code has already voted. To change that ballot, type the receipt number you were given."
)


_REFUSED_BY_ROLL = {
    _Outcome.NOT_ON_ROLL: lambda sheet: _l(
        "Your account is not confirmed on the voter roll yet, so it cannot vote here. "
        "The ayil okmotu's officer confirms it: see below where and when."
    ),
    _Outcome.TOO_YOUNG: _too_young,
    _Outcome.VOTED_OTHERWISE: lambda sheet: _l(
        "You have already received a code slip or a paper ballot in this consultation: "
        "each person has one voice."
    ),
}


def _record(vote: _Vote, revision: int, client: throttle.Client | str, lost_race: bool) -> _Outcome:
    """Record a checked ballot by the rules (see the module's doc), if voting runs at
    ``revision``. Raises ``throttle.TooManyTries`` for a client that failed too often.
    ``lost_race``: the last try lost a race with the same voter's other submission."""
    if db.engine.dialect.name == "postgresql":
        return _one_statement(vote, revision, client, lost_race)
    return _in_transaction(vote, revision, client)


# --- statement by statement, in one transaction (SQLite) -------------------------------------


def _in_transaction(vote: _Vote, revision: int, client: throttle.Client | str) -> _Outcome:
    try:
        outcome = _write(vote, revision, client)
    except IntegrityError:
        db.session.rollback()
        return _Outcome.LOST_RACE
    except BaseException:
        db.session.rollback()
        raise
    if outcome in (_Outcome.RECORDED, _Outcome.REPLACED):
        db.session.commit()
    else:
        db.session.rollback()
    return outcome


class _Link(NamedTuple):
    id: int
    ballot_id: str


def _write(vote: _Vote, revision: int, client: throttle.Client | str) -> _Outcome:
    # Core statements built once, run with their values on the session's connection: building
    # a statement on every vote would cost more than running it.
    sql = db.session.connection()
    current = sql.execute(sheets.CURRENT, {"consultation_id": vote.consultation_id}).first()
    if current is None or current.phase != Phase.VOTING or current.ballot_revision != revision:
        return _Outcome.SHEET_OUTDATED
    code_id = None
    if vote.code_digest is not None:
        found = sql.execute(
            _CODE_AND_LINK,
            {
                "code_digest": vote.code_digest,
                "voter_digest": vote.voter_digest,
                **throttle.window(client),
            },
        ).first()
        if found is None:
            throttle.check(client)  # a client that failed too often is told so, not "not valid"
            return _Outcome.NOT_A_VALID_CODE
        throttle.refuse_if_too_many(found.failures)
        if found.consultation_id != vote.consultation_id or found.voided_at is not None:
            return _Outcome.NOT_A_VALID_CODE
        code_id = found.id
        link = None if found.link_id is None else _Link(found.link_id, found.ballot_id)
        if link is not None and found.link_receipt not in vote.earlier_receipts:
            # Whoever holds a code that voted, a photo of its slip say, does not change the
            # ballot without the receipt its voter was given.
            return _Outcome.WRONG_RECEIPT if vote.earlier_receipts else _Outcome.RECEIPT_NEEDED
    else:
        if vote.on_roll:
            refused = _mark_on_roll(sql, vote)
            if refused is not None:
                return refused
        found = sql.execute(
            _LINK_OF_ACCOUNT,
            {"consultation_id": vote.consultation_id, "voter_digest": vote.voter_digest},
        ).first()
        link = None if found is None else _Link(found.id, found.ballot_id)
    receipt_digest = codes.digest("receipt", vote.receipt)
    if link is not None:
        sql.execute(
            _UPDATE_BALLOT,
            {"ballot": link.ballot_id, "sealed": vote.sealed_details, "chosen": vote.choices},
        )
        sql.execute(_NEW_RECEIPT, {"link": link.id, "receipt_digest": receipt_digest})
        return _Outcome.REPLACED
    ballot_id = new_ballot_id()
    sql.execute(
        _INSERT_BALLOT,
        {
            "id": ballot_id,
            "consultation_id": vote.consultation_id,
            "channel": vote.channel,
            "choices": vote.choices,
            "sealed_details": vote.sealed_details,
        },
    )
    # Refused (IntegrityError) if the same voter's other submission made its link meanwhile.
    sql.execute(
        _INSERT_LINK,
        {
            "consultation_id": vote.consultation_id,
            "voter_digest": vote.voter_digest,
            "ballot_id": ballot_id,
            "receipt_digest": receipt_digest,
        },
    )
    if code_id is not None:
        sql.execute(_MARK_CODE_USED, {"code": code_id})
    return _Outcome.RECORDED


def _mark_on_roll(sql: Any, vote: _Vote) -> _Outcome | None:
    """Mark the account's person on the roll as voting online, or say why she may not."""
    if vote.entry_id is None:
        return _Outcome.NOT_ON_ROLL
    entry = sql.execute(
        marks.ENTRY_AND_MARK,
        {
            "user_id": vote.user_id,
            "entry_id": vote.entry_id,
            "municipality_id": vote.municipality_id,
            "consultation_id": vote.consultation_id,
            "entry_digest": vote.entry_digest,
        },
    ).first()
    if entry is None:
        return _Outcome.NOT_ON_ROLL
    if entry.birth_year > vote.latest_birth_year:
        return _Outcome.TOO_YOUNG
    if entry.channel is None:
        sql.execute(
            _INSERT_MARK,
            {
                "consultation_id": vote.consultation_id,
                "entry_digest": vote.entry_digest,
                "channel": Channel.ONLINE,
            },
        )
    elif entry.channel != Channel.ONLINE:
        return _Outcome.VOTED_OTHERWISE
    return None


_BALLOTS = Ballot.__table__
_LINKS = VoterLink.__table__
_INSERT_BALLOT = insert(_BALLOTS)
_INSERT_LINK = insert(_LINKS)
_UPDATE_BALLOT = (
    update(_BALLOTS)
    .where(_BALLOTS.c.id == bindparam("ballot"))
    .values(sealed_details=bindparam("sealed"), choices=bindparam("chosen", type_=ChoicesText()))
)
_NEW_RECEIPT = (
    update(_LINKS)
    .where(_LINKS.c.id == bindparam("link"))
    .values(receipt_digest=bindparam("receipt_digest"))
)
_MARK_CODE_USED = (
    update(VotingCode.__table__)
    .where(VotingCode.__table__.c.id == bindparam("code"))
    # A used code leaves the slips page at once: whoever holds the printed list, or a photo of
    # a slip, no longer finds it there (its digest still lets the voter change her ballot).
    .values(used=True, plain=None)
)
# The code, the client's recent failures and the code's link, if it has one, in one read.
_CODE_AND_LINK = (
    select(
        VotingCode.id,
        VotingCode.consultation_id,
        CodeBatch.voided_at,
        throttle.FAILURES.label("failures"),
        VoterLink.id.label("link_id"),
        VoterLink.ballot_id,
        VoterLink.receipt_digest.label("link_receipt"),
    )
    .join(CodeBatch, CodeBatch.id == VotingCode.batch_id)
    .outerjoin(
        VoterLink,
        and_(
            VoterLink.consultation_id == VotingCode.consultation_id,
            VoterLink.voter_digest == bindparam("voter_digest"),
        ),
    )
    .where(VotingCode.digest == bindparam("code_digest"))
)
_INSERT_MARK = insert(RollMark.__table__)
_LINK_OF_ACCOUNT = select(VoterLink.id, VoterLink.ballot_id).where(
    VoterLink.consultation_id == bindparam("consultation_id"),
    VoterLink.voter_digest == bindparam("voter_digest"),
)


# --- one statement (PostgreSQL) ----------------------------------------------------------------


def _one_statement(
    vote: _Vote, revision: int, client: throttle.Client | str, lost_race: bool
) -> _Outcome:
    by_code = vote.code_digest is not None
    # No parameter shares its name with a column of a table these statements update:
    # SQLAlchemy would set that column too.
    params: dict[str, object] = {
        "consultation": vote.consultation_id,
        "revision": revision,
        "account": vote.user_id,
        "voter": vote.voter_digest,
        "receipt_digest": codes.digest("receipt", vote.receipt),
        "sealed": vote.sealed_details,
        "chosen": vote.choices,
        "new_ballot": new_ballot_id(),
        "channel": vote.channel,
    }
    if vote.on_roll:
        params.update(
            municipality=vote.municipality_id,
            latest_year=vote.latest_birth_year,
            entry=vote.entry_id,
            roll_digest=vote.entry_digest,
        )
    if by_code:
        params.update(
            code_digest=vote.code_digest,
            earlier_receipts=vote.earlier_receipts,
            **throttle.window(client),
        )
        params["max_failures"] = throttle.max_failures()
    statement = (
        _CAST_WITH_CODE if by_code else _CAST_ON_ROLL if vote.on_roll else _CAST_WITH_ACCOUNT
    )
    # On a connection of its own, not the ORM session's, whose bookkeeping would cost more than
    # the statement.
    if lost_race:
        # The same voter's other submission committed after the last try's snapshot was taken.
        # This time hold her link first: the statement then reads what the others committed,
        # and none can commit in between.
        with db.engine.begin() as sql:
            sql.execute(_LOCK_LINK, params)
            found = sql.execute(statement, params).one()
    else:
        # One statement is atomic on its own: without BEGIN and COMMIT it takes one round trip
        # to the server instead of three.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as sql:
            found = sql.execute(statement, params).one()
    if by_code:
        throttle.refuse_if_too_many(found.failures)
        if found.code is None:
            return _Outcome.NOT_A_VALID_CODE
    if not found.open:
        return _Outcome.SHEET_OUTDATED
    if by_code and found.replaced and not found.receipt_ok:
        return _Outcome.WRONG_RECEIPT if vote.earlier_receipts else _Outcome.RECEIPT_NEEDED
    if vote.on_roll:
        if found.roll_year is None:
            return _Outcome.NOT_ON_ROLL
        if found.roll_year > vote.latest_birth_year:
            return _Outcome.TOO_YOUNG
        if not found.marked:
            return _Outcome.VOTED_OTHERWISE
    if not found.recorded:
        return _Outcome.LOST_RACE
    return _Outcome.REPLACED if found.replaced else _Outcome.RECORDED


def _voting_cte() -> Any:
    """The consultation if its voting runs at the sheet's revision, with a shared row lock:
    closing, and any change to the ballot (which update this row), wait for the statement."""
    return (
        select(Consultation.id)
        .where(
            Consultation.id == bindparam("consultation"),
            Consultation.phase == Phase.VOTING,
            Consultation.ballot_revision == bindparam("revision", type_=Integer),
        )
        .with_for_update(read=True)
        .cte("voting")
    )


def _cast(by_code: bool, on_roll: bool = False) -> Select[Any]:
    """A voter's ballot, first or replacing their last, in one statement:

    - ``failures``, ``code`` (codes only): the code with that digest, if it belongs to this
      consultation, its batch is not void, and the client has not failed too often;
    - ``voting``: see ``_voting_cte``; nothing is written without it;
    - ``entry``, ``mark`` (accounts on the roll only): the account's person on the roll, if an
      officer confirmed it, and her mark "voted online" made, or kept if she has it already;
      none if she is too young or has another mark (a code slip, a paper ballot). No mark,
      no link, and so nothing written;
    - ``seen``: the voter's link as this statement's snapshot shows it, if any;
    - ``link``: the voter's link made, or, if they have one, given the new receipt (the old
      number no longer proves anything) - but only if it is still the link ``seen`` (the same
      receipt digest, or none on either side). Otherwise another submission of the same voter
      committed after this statement's snapshot was taken, with a receipt this one did not
      see, so nothing is written and the caller tries again.
      A code's link is given the new receipt only if it has one of the receipts typed
      (``receipt_ok`` says whether it had): nothing is written otherwise;
      A racing submission makes this one wait for it to commit, on the unique constraint;
    - ``ballot``: the ballot made, or its choices and details replaced (one row: a ballot
      keeps its choices in its own row, ``pb.models.voting.ChoicesText``);
    - ``used`` (codes only): the code marked used, if the link was made or given the receipt.
    The foreign keys are checked at the end, when the ballot exists. It answers whether voting
    runs, whether the ballot was recorded and whether it replaced one, and for codes the
    client's failures and the code found.
    """
    voting = _voting_cte()
    ballot_columns = Ballot.__table__.c
    answers = []
    if by_code:
        failures = select(throttle.FAILURES.label("n")).cte("failures")
        code = (
            select(VotingCode.id)
            .join(CodeBatch, CodeBatch.id == VotingCode.batch_id)
            .where(
                VotingCode.digest == bindparam("code_digest"),
                VotingCode.consultation_id == bindparam("consultation"),
                CodeBatch.voided_at.is_(None),
                select(failures.c.n).scalar_subquery() < bindparam("max_failures", type_=Integer),
            )
            .cte("code")
        )
        voter = select(voting.c.id, bindparam("voter", type_=String)).select_from(
            voting.join(code, true())
        )
        answers = [
            select(failures.c.n).scalar_subquery().label("failures"),
            select(code.c.id).scalar_subquery().label("code"),
        ]
    else:
        voter = select(voting.c.id, bindparam("voter", type_=String))
        if on_roll:
            mark, roll_answers = _roll_mark(voting)
            voter = voter.select_from(voting.join(mark, true()))
            answers = roll_answers
    seen = (
        select(VoterLink.receipt_digest)
        .where(
            VoterLink.consultation_id == bindparam("consultation"),
            VoterLink.voter_digest == bindparam("voter"),
        )
        .cte("seen")
    )
    still_seen = VoterLink.receipt_digest.is_not_distinct_from(
        select(seen.c.receipt_digest).scalar_subquery()
    )
    if by_code:
        # A code changes its ballot only with that ballot's receipt (any vote key's digest).
        earlier = func.any(bindparam("earlier_receipts", type_=postgresql.ARRAY(String)))
        receipt_ok = exists(select(seen.c.receipt_digest).where(seen.c.receipt_digest == earlier))
        still_seen = and_(still_seen, VoterLink.receipt_digest == earlier)
        answers.append(receipt_ok.label("receipt_ok"))
    made = postgresql.insert(VoterLink).from_select(
        ["consultation_id", "voter_digest", "ballot_id", "receipt_digest"],
        voter.add_columns(
            bindparam("new_ballot", type_=String), bindparam("receipt_digest", type_=String)
        ),
    )
    link = (
        made.on_conflict_do_update(
            index_elements=["consultation_id", "voter_digest"],
            set_={"receipt_digest": made.excluded.receipt_digest},
            where=still_seen,
        )
        .returning(VoterLink.ballot_id)
        .cte("link")
    )
    new_ballot = postgresql.insert(Ballot).from_select(
        ["id", "consultation_id", "channel", "choices", "sealed_details"],
        select(
            link.c.ballot_id,
            bindparam("consultation", type_=Integer),
            bindparam("channel", type_=ballot_columns.channel.type),
            bindparam("chosen", type_=ChoicesText()),
            bindparam("sealed", type_=LargeBinary),
        ),
    )
    ballot = new_ballot.on_conflict_do_update(
        index_elements=["id"],
        set_={
            "choices": new_ballot.excluded.choices,
            "sealed_details": new_ballot.excluded.sealed_details,
        },
    ).cte("ballot")
    recorded = exists(select(link.c.ballot_id))
    writes = [ballot]
    if by_code:
        used = (
            update(VotingCode)
            .where(
                VotingCode.id == select(code.c.id).scalar_subquery(),
                VotingCode.used.is_(False),
                recorded,
            )
            .values(used=True, plain=None)  # as _MARK_CODE_USED
            .cte("used")
        )
        writes.append(used)
    return select(
        exists(select(voting.c.id)).label("open"),
        recorded.label("recorded"),
        exists(select(seen.c.receipt_digest)).label("replaced"),
        *answers,
    ).add_cte(*writes)


def _roll_mark(voting: Any) -> tuple[Any, list[Any]]:
    """The ``entry`` and ``mark`` parts of ``_cast``, and what they answer: the year of birth
    on the account's entry (none: not confirmed) and whether she is marked as voting online."""
    entry = (
        select(RollEntry.id, RollEntry.birth_year)
        .where(
            RollEntry.id == bindparam("entry", type_=Integer),
            RollEntry.user_id == bindparam("account", type_=Integer),
            RollEntry.municipality_id == bindparam("municipality", type_=Integer),
        )
        .cte("entry")
    )
    made = postgresql.insert(RollMark).from_select(
        ["consultation_id", "entry_digest", "channel"],
        select(
            voting.c.id,
            bindparam("roll_digest", type_=String),
            bindparam("channel", type_=RollMark.__table__.c.channel.type),
        )
        .select_from(voting.join(entry, true()))
        .where(entry.c.birth_year <= bindparam("latest_year", type_=Integer)),
    )
    mark = (
        made.on_conflict_do_update(
            index_elements=["consultation_id", "entry_digest"],
            set_={"channel": made.excluded.channel},
            where=RollMark.channel == made.excluded.channel,
        )
        .returning(RollMark.entry_digest)
        .cte("mark")
    )
    answers = [
        select(entry.c.birth_year).scalar_subquery().label("roll_year"),
        exists(select(mark.c.entry_digest)).label("marked"),
    ]
    return mark, answers


_CAST_WITH_CODE = _cast(by_code=True)
_CAST_WITH_ACCOUNT = _cast(by_code=False)
_CAST_ON_ROLL = _cast(by_code=False, on_roll=True)
_LOCK_LINK = (
    select(VoterLink.id)
    .where(
        VoterLink.consultation_id == bindparam("consultation"),
        VoterLink.voter_digest == bindparam("voter"),
    )
    .with_for_update()
)
