"""One voice per person: the meeting desk's marks on the roll.

At a village meeting, an officer finds each person on the roll before handing her a code slip
or a paper ballot, and marks her so (``hand_out``). The slip is then taken at random from the
pile and the paper ballot goes into the box: nothing ties either to her. Online, her confirmed
account marks her "voted online" when it casts its first ballot (``pb.voting.casting``).

A person has at most one mark per consultation: the primary key of ``RollMark`` says so, in
the database, whichever channel comes first and however close together two channels come.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from pb.audit import trail as audit
from pb.auth.access import ensure_officer
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import Channel, Consultation, Phase, RollEntry, RollMark, User
from pb.voting import sheets, voters

#: What the desk says of a person who already has a mark: never how she voted.
ALREADY = {
    Channel.ONLINE: _l("Already voted online."),
    Channel.CODE: _l("Already received a code slip."),
    Channel.PAPER: _l("Already given a paper ballot."),
}

#: What a mark means, as the desk and the turnout show it.
MARK_LABELS = {
    Channel.ONLINE: _l("Voted online"),
    Channel.CODE: _l("Received a code slip"),
    Channel.PAPER: _l("Given a paper ballot"),
}


def ways_handed_out(consultation: Consultation) -> list[Channel]:
    """What the desk may hand out in this consultation."""
    handed: list[Channel] = []
    if consultation.allow_codes:
        handed.append(Channel.CODE)
    if consultation.allow_paper:
        handed.append(Channel.PAPER)
    return handed


def why_not(consultation: Consultation, entry: RollEntry) -> LazyString | None:
    """Why a person on the municipality's roll does not vote in this consultation, if so:
    what the desk shows beside her name, and refuses."""
    if entry.village_id not in {village.id for village in consultation.villages}:
        return _l("Lives in a village this consultation does not cover.")
    latest = consultation.latest_birth_year
    if latest is not None and entry.birth_year > latest:
        return too_young(latest)
    return None


def hand_out(actor: User, consultation: Consultation, entry_id: int, channel: Channel) -> RollEntry:
    """Mark a person on the roll as handed a code slip or a paper ballot, if she has no mark
    yet: refused, and nothing written, if she voted online or was handed either already."""
    ensure_officer(actor, consultation.municipality_id)
    if not consultation.roll_required:
        raise RuleViolation(
            _l("Anyone registered votes in this consultation: there is no roll to mark.")
        )
    if channel not in ways_handed_out(consultation):
        raise RuleViolation(_l("This consultation does not use this way to vote."))
    entry = db.session.get(RollEntry, entry_id)
    if entry is None or entry.municipality_id != consultation.municipality_id:
        raise RuleViolation(_l("This person is not on the voter roll."))
    refused = why_not(consultation, entry)
    if refused is not None:
        raise RuleViolation(refused)
    connection = db.session.connection()
    # Under a shared lock on the consultation's row: closing waits for the mark, and a mark
    # is never made once voting has closed.
    current = connection.execute(sheets.CURRENT, {"consultation_id": consultation.id}).first()
    if current is None or current.phase != Phase.VOTING:
        db.session.rollback()
        raise RuleViolation(_l("Voting is not open."))
    entry_digest = voters.entry_mark(consultation.id, entry.id)
    try:
        connection.execute(
            insert(RollMark),
            {"consultation_id": consultation.id, "entry_digest": entry_digest, "channel": channel},
        )
        # The officer handed out a slip or a paper ballot: not to whom. The mark says who,
        # without a time; the trail's time beside her name would let whoever reads it, with the
        # database's files, match her to the code ballot that came in minutes later.
        audit.record(
            actor,
            "desk.hand_out",
            municipality_id=consultation.municipality_id,
            target=("consultation", consultation.id),
            after={"channel": channel},
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        marked = db.session.scalar(
            select(RollMark.channel).where(
                RollMark.consultation_id == consultation.id,
                RollMark.entry_digest == entry_digest,
            )
        )
        raise RuleViolation(ALREADY[marked] if marked else _l("Please try again.")) from None
    return entry


def marks_of(consultation: Consultation, entries: Iterable[RollEntry]) -> dict[int, Channel]:
    """The marks of these people in this consultation, by entry id: one query."""
    wanted = voters.entry_marks(consultation.id, (entry.id for entry in entries))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(RollMark.entry_digest, RollMark.channel).where(
            RollMark.consultation_id == consultation.id, RollMark.entry_digest.in_(wanted)
        )
    )
    return {wanted[row.entry_digest]: row.channel for row in rows}


@dataclass(frozen=True)
class MarkCounts:
    by_channel: dict[Channel, int]

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


def mark_counts(consultation: Consultation) -> MarkCounts:
    """How many people on the roll are marked, by channel: the desk's and the paper ballots'
    reconciliation (paper ballots typed in should not outnumber people given one)."""
    counts = Counter(
        dict(
            db.session.execute(
                select(RollMark.channel, func.count())
                .where(RollMark.consultation_id == consultation.id)
                .group_by(RollMark.channel)
            ).all()
        )
    )
    return MarkCounts({channel: counts.get(channel, 0) for channel in Channel})


class Standing(enum.Enum):
    """Where a resident's account stands on the roll of a consultation that requires it."""

    MAY_VOTE = "may vote"  # confirmed, old enough, and not marked another way
    NOT_CONFIRMED = "not confirmed"
    TOO_YOUNG = "too young"
    VOTED_OTHERWISE = "received a code slip or a paper ballot"


#: A confirmed account's person on the roll and her mark in a consultation, if any: one indexed
#: lookup (parameters user_id, entry_id, municipality_id, consultation_id, and entry_digest,
#: the mark's digest: see ``pb.voting.voters``). The ballot page asks it here, and
#: ``pb.voting.casting`` in the transaction that records a ballot on SQLite.
ENTRY_AND_MARK = (
    select(RollEntry.id, RollEntry.birth_year, RollMark.channel)
    .outerjoin(
        RollMark,
        and_(
            RollMark.consultation_id == bindparam("consultation_id"),
            RollMark.entry_digest == bindparam("entry_digest"),
        ),
    )
    .where(
        RollEntry.id == bindparam("entry_id"),
        RollEntry.user_id == bindparam("user_id"),
        RollEntry.municipality_id == bindparam("municipality_id"),
    )
)


def too_young(latest_birth_year: int) -> LazyString:
    return _l(
        "Only people born in %(year)d or before vote in this consultation.",
        year=latest_birth_year,
    )


def standing(consultation: Consultation, user: User) -> Standing:
    """Whether the account may vote online in this consultation, as the roll says: what the
    ballot page tells her before she fills it in (``pb.voting.casting`` checks it again)."""
    # Her entry came with her account (pb.auth.sessions): its id makes her mark's digest.
    entry = user.roll_entry
    if entry is None or entry.municipality_id != consultation.municipality_id:
        return Standing.NOT_CONFIRMED
    row = (
        db.session.connection()
        .execute(
            ENTRY_AND_MARK,
            {
                "user_id": user.id,
                "entry_id": entry.id,
                "municipality_id": consultation.municipality_id,
                "consultation_id": consultation.id,
                "entry_digest": voters.entry_mark(consultation.id, entry.id),
            },
        )
        .first()
    )
    if row is None:
        return Standing.NOT_CONFIRMED
    latest = consultation.latest_birth_year
    if latest is not None and row.birth_year > latest:
        return Standing.TOO_YOUNG
    if row.channel is not None and row.channel != Channel.ONLINE:
        return Standing.VOTED_OTHERWISE
    return Standing.MAY_VOTE
