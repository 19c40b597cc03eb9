"""Casting a ballot online, with an account or a code: pb's hot path, where a village votes at
once after its meeting.

A ballot is checked against the consultation's sheet (``pb.voting.sheets``), then recorded
with the voter's link, whose unique constraints keep one ballot per account or code; the
voter's next ballot replaces it. Whatever the checks saw, the statements that record the
ballot check again, under lock, that voting runs: closing waits for them, or they see it.

The same rules run two ways, and the suite runs on both databases:

- on PostgreSQL, a single statement with data-modifying CTEs, run on its own (a statement is
  atomic without a transaction around it), for a first ballot and a replacement alike; only a
  submission that lost a race with the same voter's other one runs it again. On a database
  server a round trip costs more than the work it carries: this is one, where statement by
  statement inside BEGIN … COMMIT took thirteen. It runs as ``pb.postgres.Prepared``,
  compiled once, prepared on the server, on psycopg without SQLAlchemy's execution;
- on SQLite, a few plain statements in one write transaction, compiled once and run on the
  DBAPI connection (``pb.sqlite.Prepared``): there SQLite's work costs microseconds, and
  SQLAlchemy's execution of each statement ten times that.

Codes are looked up by their digest, keyed with the app's secret (``codes.digest``): how long
the lookup takes depends on that digest, which a guesser can neither choose nor see, never on
how much of a guess was right.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    null,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from pb import postgres, throttle
from pb.auth.access import ensure_role
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    Ballot,
    BallotChoice,
    Channel,
    CodeBatch,
    Consultation,
    Phase,
    Role,
    User,
    VoterLink,
    VotingCode,
)
from pb.models.voting import new_ballot_id
from pb.sqlite import Prepared
from pb.voting import codes
from pb.voting.kinds import Selection
from pb.voting.sheets import BallotSheet, VoterDetails, check_ballot


@dataclass
class CastResult:
    receipt: str  # to show the voter once; only its digest is kept
    replaced: bool  # the voter's earlier ballot was replaced


def cast_ballot(
    sheet: BallotSheet, selection: Selection, details: VoterDetails, user: User
) -> CastResult:
    """Record, or replace, the ballot of a resident's account."""
    if not sheet.allow_accounts:
        raise RuleViolation(_l("This consultation does not take votes from accounts."))
    ensure_role(user, sheet.municipality_id, Role.RESIDENT)
    return _store(_vote(sheet, selection, details, Channel.ONLINE, user_id=user.id))


def cast_with_code(
    sheet: BallotSheet, selection: Selection, details: VoterDetails, typed_code: str, client: str
) -> CastResult:
    """Record, or replace, the ballot of a code from a printed slip. A ``client`` (who sends
    it: see ``pb.throttle``) that failed too often is refused before the code is looked at, and
    a code that is not valid here counts as one more failure."""
    if not sheet.allow_codes:
        raise RuleViolation(_l("This code is not valid."))
    digest = codes.digest("code", codes.normalise(typed_code))
    vote = _vote(sheet, selection, details, Channel.CODE, code_digest=digest)
    try:
        return _store(vote, client)
    except _NotAValidCode:
        throttle.record_failure(client)
        raise RuleViolation(
            _l("This code is not valid. Check it against your slip and try again.")
        ) from None


class _NotAValidCode(Exception):
    pass


@dataclass(frozen=True)
class _Vote:
    """A checked ballot, ready for the statements that record it."""

    consultation_id: int
    user_id: int | None  # one of these two
    code_digest: str | None
    channel: Channel
    details: dict[str, object]  # gender, age_group, village_id
    choices: list[tuple[int, int]]  # (proposal id, points), by proposal
    receipt: str


def _vote(
    sheet: BallotSheet,
    selection: Selection,
    details: VoterDetails,
    channel: Channel,
    user_id: int | None = None,
    code_digest: str | None = None,
) -> _Vote:
    if sheet.phase != Phase.VOTING:
        raise _voting_closed()
    check_ballot(sheet, selection, details)
    return _Vote(
        consultation_id=sheet.consultation_id,
        user_id=user_id,
        code_digest=code_digest,
        channel=channel,
        details={
            "gender": details.gender,
            "age_group": details.age_group,
            "village_id": details.village_id,
        },
        choices=sorted(selection.items()),
        receipt=codes.new_receipt(),
    )


def _store(vote: _Vote, client: str | None = None) -> CastResult:
    if db.engine.dialect.name == "postgresql":
        replaced = _store_postgres(vote, client)
    else:
        replaced = _store_in_transaction(vote, client)
    return CastResult(codes.group(vote.receipt, 4), replaced)


def _voting_closed() -> RuleViolation:
    return RuleViolation(_l("Voting is not open."))


def _not_saved() -> RuleViolation:
    return RuleViolation(_l("Your ballot could not be saved. Please send it again."))


# --- SQLite: statement by statement, in one write transaction ----------------------------------


def _store_in_transaction(vote: _Vote, client: str | None) -> bool:
    """True if the ballot replaced one. The transaction holds SQLite's write lock from its
    start (``pb.sqlite``), so nothing changes between the lookups and the writes. The
    statements run as ``pb.sqlite.Prepared``: there they cost microseconds, and through
    SQLAlchemy's execution each cost ten times that."""
    for _attempt in range(3):
        try:
            if db.session().in_transaction():
                # This request's session has read (an account's user): its transaction holds
                # the write lock already, and a second one would wait for it forever.
                replaced = _record(db.session.connection(), vote, client)
                db.session.commit()
                return replaced
            # Without the ORM session's bookkeeping, which costs more than the statements.
            with db.engine.begin() as sql:
                return _record(sql, vote, client)
        except (IntegrityError, sqlite3.IntegrityError):
            # The same voter's other submission won the race: replace its ballot instead.
            db.session.rollback()
    raise _not_saved()


def _record(sql: Connection, vote: _Vote, client: str | None) -> bool:
    code_id = None
    if vote.code_digest is not None:
        assert client is not None
        found = _SQLITE_FIND_CODE.one(
            sql, {"code_digest": vote.code_digest, **throttle.window(client)}
        )
        throttle.refuse_if_too_many(found.failures)
        if (
            found.id is None
            or found.consultation_id != vote.consultation_id
            or found.voided_at is not None
        ):
            raise _NotAValidCode()
        code_id = found.id
    who = {"consultation_id": vote.consultation_id, "user_id": vote.user_id, "code_id": code_id}
    # Voting may have closed since the checks.
    found = (
        _SQLITE_PHASE_AND_LINK_OF_USER if vote.user_id else _SQLITE_PHASE_AND_LINK_OF_CODE
    ).one(sql, who)
    if found.phase != Phase.VOTING:
        raise _voting_closed()
    receipt_digest = codes.digest("receipt", vote.receipt)
    if found.link_id is not None:
        ballot_id = found.ballot_id
        _SQLITE_UPDATE_BALLOT.run(sql, {"ballot": ballot_id, **vote.details})
        _SQLITE_DELETE_CHOICES.run(sql, {"ballot": ballot_id})
        _insert_choices(sql, ballot_id, vote.choices)
        # A new receipt for the new ballot; the old number no longer proves anything.
        _SQLITE_NEW_RECEIPT.run(sql, {"link": found.link_id, "receipt_digest": receipt_digest})
        return True
    ballot_id = new_ballot_id()
    _SQLITE_INSERT_BALLOT.run(
        sql,
        {
            "id": ballot_id,
            "consultation_id": vote.consultation_id,
            "channel": vote.channel,
            **vote.details,
        },
    )
    _insert_choices(sql, ballot_id, vote.choices)
    # The unique constraints on this row are what keep one ballot per voter.
    _SQLITE_INSERT_LINK.run(sql, {**who, "ballot_id": ballot_id, "receipt_digest": receipt_digest})
    if who["code_id"] is not None:
        _SQLITE_MARK_CODE_USED.run(sql, {"code_id": who["code_id"]})
    return False


def _insert_choices(sql: Connection, ballot_id: str, choices: list[tuple[int, int]]) -> None:
    _SQLITE_INSERT_CHOICES.run_many(
        sql,
        [{"ballot_id": ballot_id, "proposal_id": pid, "points": points} for pid, points in choices],
    )


def _find_code() -> Select:
    """One row: the client's recent failures, and the code with that digest, if there is one."""
    failures = select(throttle.FAILURES.label("failures")).subquery("failures")
    code = (
        select(VotingCode.id, VotingCode.consultation_id, CodeBatch.voided_at)
        .join(CodeBatch, CodeBatch.id == VotingCode.batch_id)
        .where(VotingCode.digest == bindparam("code_digest"))
        .subquery("code")
    )
    return select(
        failures.c.failures, code.c.id, code.c.consultation_id, code.c.voided_at
    ).select_from(failures.outerjoin(code, true()))


def _phase_and_link(of_user: bool) -> Select:
    """The consultation's phase, and the voter's link if they have one."""
    voter = (
        VoterLink.user_id == bindparam("user_id")
        if of_user
        else VoterLink.code_id == bindparam("code_id")
    )
    return (
        select(Consultation.phase, VoterLink.id.label("link_id"), VoterLink.ballot_id)
        .select_from(Consultation)
        .outerjoin(VoterLink, and_(VoterLink.consultation_id == Consultation.id, voter))
        .where(Consultation.id == bindparam("consultation_id"))
    )


# Compiled once: on the hot path, building a statement costs about as much as running it.
_SQLITE_FIND_CODE = Prepared(_find_code())
_SQLITE_PHASE_AND_LINK_OF_USER = Prepared(_phase_and_link(of_user=True))
_SQLITE_PHASE_AND_LINK_OF_CODE = Prepared(_phase_and_link(of_user=False))
_SQLITE_INSERT_BALLOT = Prepared(insert(Ballot))
_SQLITE_INSERT_CHOICES = Prepared(insert(BallotChoice))
_SQLITE_INSERT_LINK = Prepared(insert(VoterLink))
_SQLITE_MARK_CODE_USED = Prepared(
    update(VotingCode).where(VotingCode.id == bindparam("code_id")).values(used=True)
)
_SQLITE_UPDATE_BALLOT = Prepared(
    update(Ballot)
    .where(Ballot.id == bindparam("ballot"))
    .values(
        gender=bindparam("gender"),
        age_group=bindparam("age_group"),
        village_id=bindparam("village_id"),
    )
)
_SQLITE_DELETE_CHOICES = Prepared(
    delete(BallotChoice).where(BallotChoice.ballot_id == bindparam("ballot"))
)
_SQLITE_NEW_RECEIPT = Prepared(
    update(VoterLink)
    .where(VoterLink.id == bindparam("link"))
    .values(receipt_digest=bindparam("receipt_digest"))
)


# --- PostgreSQL: one statement --------------------------------------------------------------


def _store_postgres(vote: _Vote, client: str | None) -> bool:
    """True if the ballot replaced one."""
    by_code = vote.code_digest is not None
    # No parameter shares its name with a column of a table these statements update:
    # SQLAlchemy would set that column too.
    params: dict[str, object] = {
        "consultation": vote.consultation_id,
        "account": vote.user_id,
        "receipt_digest": codes.digest("receipt", vote.receipt),
        **vote.details,
        "proposal_ids": [pid for pid, _points in vote.choices],
        "points": [points for _pid, points in vote.choices],
        "new_ballot": new_ballot_id(),
        "channel": vote.channel,
    }
    if by_code:
        assert client is not None
        params.update(code_digest=vote.code_digest, **throttle.window(client))
        params["max_failures"] = throttle.max_failures()
    cast = (_PG_CAST_WITH_CODE if by_code else _PG_CAST_WITH_ACCOUNT).one(db.engine, params)
    if by_code:
        throttle.refuse_if_too_many(cast.failures)
        if cast.code is None:
            raise _NotAValidCode()
    if not cast.open:
        raise _voting_closed()
    if cast.recorded:
        return cast.replaced
    # It lost a race with another submission of the same voter, and wrote nothing. Again,
    # holding that voter's link: the statement then reads what the others committed, and
    # none can commit in between.
    with db.engine.begin() as sql:
        if by_code:
            sql.execute(_LOCK_LINK_OF_CODE, {"code": cast.code})
        else:
            sql.execute(_LOCK_LINK_OF_ACCOUNT, params)
        cast = sql.execute(_CAST_WITH_CODE if by_code else _CAST_WITH_ACCOUNT, params).one()
    if not cast.open:
        raise _voting_closed()
    if not cast.recorded:
        raise _not_saved()
    return cast.replaced


def _voting_cte() -> Any:
    """The consultation if its voting runs, with a shared row lock: closing (which updates
    this row, then seals the ballots) waits for the statement."""
    return (
        select(Consultation.id)
        .where(Consultation.id == bindparam("consultation"), Consultation.phase == Phase.VOTING)
        .with_for_update(read=True)
        .cte("voting")
    )


def _chosen() -> Any:
    """The ballot's choices, from two arrays of equal length: one statement for any number."""
    return (
        func.unnest(
            bindparam("proposal_ids", type_=postgresql.ARRAY(Integer)),
            bindparam("points", type_=postgresql.ARRAY(Integer)),
        )
        .table_valued("proposal_id", "points")
        .render_derived(name="chosen")
    )


def _cast(by_code: bool) -> Select:
    """A voter's ballot, first or replacing their last, in one statement:

    - ``failures``, ``code`` (codes only): the code with that digest, if it belongs to this
      consultation, its batch is not void, and the client has not failed too often;
    - ``voting``: see ``_voting_cte``;
    - ``seen``: the voter's link as this statement's snapshot shows it, if any;
    - ``link``: the voter's link made, or, if they have one, given the new receipt (the old
      number no longer proves anything) - but only if it is still the link ``seen`` (the same
      receipt digest, or none on either side). Otherwise another submission of the same voter
      committed after this statement's snapshot was taken; the parts below, which read that
      snapshot, would miss its choices, so nothing is written and the caller tries again.
      A racing submission makes this one wait for it to commit, on the unique constraint;
    - ``ballot``: the ballot made, or its details replaced;
    - ``dropped``, ``written``: the choices no longer made deleted, the others written, as
      disjoint rows (the parts of one statement do not see each other's changes);
    - ``used``: the code marked used.
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
        voter = select(voting.c.id, bindparam("account", type_=Integer), code.c.id).select_from(
            voting.join(code, true())
        )
        is_voter = VoterLink.code_id == select(code.c.id).scalar_subquery()
        conflict = ["code_id"]
        answers = [
            select(failures.c.n).scalar_subquery().label("failures"),
            select(code.c.id).scalar_subquery().label("code"),
        ]
    else:
        voter = select(voting.c.id, bindparam("account", type_=Integer), cast(null(), Integer))
        is_voter = and_(
            VoterLink.consultation_id == bindparam("consultation"),
            VoterLink.user_id == bindparam("account"),
        )
        conflict = ["consultation_id", "user_id"]
    seen = select(VoterLink.receipt_digest).where(is_voter).cte("seen")
    made = postgresql.insert(VoterLink).from_select(
        ["consultation_id", "user_id", "code_id", "ballot_id", "receipt_digest"],
        voter.add_columns(
            bindparam("new_ballot", type_=String), bindparam("receipt_digest", type_=String)
        ),
    )
    link = (
        made.on_conflict_do_update(
            index_elements=conflict,
            set_={"receipt_digest": made.excluded.receipt_digest},
            where=VoterLink.receipt_digest.is_not_distinct_from(
                select(seen.c.receipt_digest).scalar_subquery()
            ),
        )
        .returning(VoterLink.ballot_id, VoterLink.code_id)
        .cte("link")
    )
    ballot = postgresql.insert(Ballot).from_select(
        ["id", "consultation_id", "channel", "gender", "age_group", "village_id"],
        select(
            link.c.ballot_id,
            bindparam("consultation", type_=Integer),
            bindparam("channel", type_=ballot_columns.channel.type),
            bindparam("gender", type_=ballot_columns.gender.type),
            bindparam("age_group", type_=ballot_columns.age_group.type),
            bindparam("village_id", type_=Integer),
        ),
    )
    ballot = ballot.on_conflict_do_update(
        index_elements=["id"],
        set_={
            "gender": ballot.excluded.gender,
            "age_group": ballot.excluded.age_group,
            "village_id": ballot.excluded.village_id,
        },
    ).cte("ballot")
    dropped = (
        delete(BallotChoice)
        .where(
            BallotChoice.ballot_id == link.c.ballot_id,
            BallotChoice.proposal_id
            != func.all(bindparam("proposal_ids", type_=postgresql.ARRAY(Integer))),
        )
        .cte("dropped")
    )
    chosen = _chosen()
    written = postgresql.insert(BallotChoice).from_select(
        ["ballot_id", "proposal_id", "points"],
        select(link.c.ballot_id, chosen.c.proposal_id, chosen.c.points).select_from(
            link.join(chosen, true())
        ),
    )
    written = written.on_conflict_do_update(
        index_elements=["ballot_id", "proposal_id"], set_={"points": written.excluded.points}
    ).cte("written")
    used = (
        update(VotingCode)
        .where(VotingCode.id == link.c.code_id, VotingCode.used.is_(False))
        .values(used=True)
        .cte("used")
    )
    return select(
        exists(select(voting.c.id)).label("open"),
        exists(select(link.c.ballot_id)).label("recorded"),
        exists(select(seen.c.receipt_digest)).label("replaced"),
        *answers,
    ).add_cte(ballot, dropped, written, used)


_CAST_WITH_CODE = _cast(by_code=True)
_CAST_WITH_ACCOUNT = _cast(by_code=False)
# Run straight on psycopg: a ballot may safely be cast twice (a connection lost after the
# commit): the second run finds the first one's link and writes the same ballot again.
_PG_CAST_WITH_CODE = postgres.Prepared(_CAST_WITH_CODE)
_PG_CAST_WITH_ACCOUNT = postgres.Prepared(_CAST_WITH_ACCOUNT)
_LOCK_LINK_OF_CODE = (
    select(VoterLink.id).where(VoterLink.code_id == bindparam("code")).with_for_update()
)
_LOCK_LINK_OF_ACCOUNT = (
    select(VoterLink.id)
    .where(
        VoterLink.consultation_id == bindparam("consultation"),
        VoterLink.user_id == bindparam("account"),
    )
    .with_for_update()
)
