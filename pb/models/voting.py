from __future__ import annotations

import enum
import secrets
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import Model
from pb.models.base import UTCDateTime, enum_column, utcnow
from pb.models.consultations import BallotKind
from pb.models.proposals import Meeting


class Channel(enum.StrEnum):
    ONLINE = "online"  # a resident's account
    CODE = "code"  # a single-use code from a printed slip
    PAPER = "paper"  # a paper ballot from a village meeting, typed in by an officer


def new_ballot_id() -> str:
    # Random, not sequential: the order ballots were cast must not be readable from their ids.
    return secrets.token_hex(16)


#: A ballot's choices: proposal id -> points (1 on approval and budget ballots).
Choices = dict[int, int]


def pack_choices(choices: Mapping[int, int]) -> str:
    """The choices as the ballot row keeps them: ``"12:1,40:3"``, by proposal id."""
    for proposal_id, points in choices.items():
        if proposal_id <= 0 or points <= 0:
            raise ValueError(f"not a choice: proposal {proposal_id}, {points} points")
    return ",".join(f"{pid}:{points}" for pid, points in sorted(choices.items()))


def packed_items(text: str) -> list[str]:
    """Each choice of a packed ballot as stored (``"12:1"``): whoever counts many ballots can
    count these strings first and read each distinct one once (``read_item``)."""
    return text.split(",") if text else []


def read_item(item: str) -> tuple[int, int]:
    """(proposal id, points) of one stored choice."""
    proposal_id, _, points = item.partition(":")
    return int(proposal_id), int(points)


def unpack_choices(text: str) -> Choices:
    return dict(map(read_item, packed_items(text)))


def no_choices() -> Choices:
    return {}


class ChoicesText(TypeDecorator[Choices]):
    """A ballot's choices in one text column of its own row (``pack_choices``).

    Not a table of choices, one row per choice: a ballot is written, replaced, counted and
    sealed whole, never one choice at a time. In its own row a ballot is one row to write, and
    closing a city's vote rewrites 150,000 rows, not 150,000 and their 700,000 choices, each
    of those checking its foreign keys one by one (issue 18: 51 s against under 10 s)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Mapping[int, int] | None, dialect: object) -> str | None:
        return None if value is None else pack_choices(value)

    def process_result_value(self, value: str | None, dialect: object) -> Choices | None:
        return None if value is None else unpack_choices(value)


class Ballot(Model):
    """One voter's ballot. It holds no user, code, IP or time of casting: see VoterLink."""

    __tablename__ = "ballots"
    __table_args__ = (Index("ix_ballots_consultation_channel", "consultation_id", "channel"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_ballot_id)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    # Proposal id -> points. A choice of a proposal taken off the ballot later (rejected after
    # review is reopened, deleted) stays here and is not counted: counting reads the proposals
    # on the ballot.
    choices: Mapped[Choices] = mapped_column(ChoicesText, default=no_choices, server_default="")
    # The voter's self-declared, optional details (gender, age group, village), encrypted under
    # the vote key and padded to one length (pb.voting.details): never in the clear beside her
    # choices. Counted into VoterFigure and ChoiceFigure, and dropped, when voting closes.
    sealed_details: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Paper ballots belong to the meeting where they were cast.
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="RESTRICT"), index=True
    )

    meeting: Mapped[Meeting | None] = relationship()


class CodeBatch(Model):
    """Voting codes generated together, printed together, and voided together if need be."""

    __tablename__ = "code_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    size: Mapped[int]
    label: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VotingCode(Model):
    __tablename__ = "voting_codes"
    # Written once when generated and updated once when used (``used``, which no index holds):
    # pages left half empty keep that update on its page (PostgreSQL's HOT update), so a vote
    # does not add a row version to each of the four indexes. The table is small either way.
    __table_args__ = {"postgresql_with": {"fillfactor": 50}}

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("code_batches.id", ondelete="CASCADE"), index=True
    )
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    # Looked up by a keyed digest, so the lookup itself leaks nothing about near misses.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # Kept only so the slips can be printed; erased when voting closes.
    plain: Mapped[str | None] = mapped_column(String(16))
    used: Mapped[bool] = mapped_column(default=False)

    batch: Mapped[CodeBatch] = relationship()


class VoterLink(Model):
    """Which account or code cast which ballot: exists only while voting is open, so a voter can
    change their ballot, and is deleted when voting closes. The voter is named by a digest keyed
    with the vote key (``pb.voting.voters``), never by her account's or her code's id: the
    transaction that writes her choices writes no id of hers, so the database's files (its
    write-ahead log, dead rows, a backup) do not link a person to her choices without the key.
    The unique constraint is what makes one ballot per account and per code hold under
    concurrent submissions."""

    __tablename__ = "voter_links"
    __table_args__ = (UniqueConstraint("consultation_id", "voter_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not indexed on its own: the unique constraint on (consultation_id, voter_digest) leads
    # with it, and serves every search by consultation (one index less to write on each vote).
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    # A keyed digest of the account or of the code (see pb.voting.voters).
    voter_digest: Mapped[str] = mapped_column(String(64))
    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), unique=True
    )
    # A keyed digest of the receipt number the voter was given; the number itself is not kept.
    receipt_digest: Mapped[str] = mapped_column(String(64))


class Receipt(Model):
    """A receipt of a counted ballot, copied here when voting closes, with nothing that leads to
    the ballot: a receipt proves a ballot was counted, never what it said."""

    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("consultation_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))


class ThrottleEvent(Model):
    """A failed attempt (wrong code, wrong password) from one client, kept for a short while."""

    __tablename__ = "throttle_events"
    __table_args__ = (Index("ix_throttle_events_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__ = [
    "Ballot",
    "BallotKind",
    "Channel",
    "Choices",
    "CodeBatch",
    "Receipt",
    "ThrottleEvent",
    "VoterLink",
    "VotingCode",
    "pack_choices",
    "packed_items",
    "read_item",
    "unpack_choices",
]
