from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import Model
from pb.models.base import UTCDateTime, enum_column, utcnow
from pb.models.municipalities import Municipality
from pb.models.users import User


class CountedResult(Model):
    """The outcome of counting a closed consultation, stored so pages never recount.

    ``ballots_digest`` identifies the ballots it was counted from; a recount happens only when
    they differ (they cannot, once voting has closed, but an import or a correction might)."""

    __tablename__ = "counted_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), unique=True
    )
    rule: Mapped[str] = mapped_column(String(30))
    complete_with_greedy: Mapped[bool] = mapped_column(default=False)
    ballots_digest: Mapped[str] = mapped_column(String(64))
    ballots: Mapped[int] = mapped_column(Integer)
    total_cost: Mapped[int] = mapped_column(BigInteger)
    # Per proposal: votes (or points), funded, order funded, and the rule's explanation.
    details: Mapped[dict] = mapped_column(JSON)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The anonymous ballots as a .pb file, written once when the result is final (at close, at
    # import, or at publication for a consultation closed by an older pb): every download sends
    # it as stored (pb.results.ballots_file).
    ballots_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL")
    )


class Decision(enum.StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"


class CouncilDecision(Model):
    """The aiyl kenesh's decision on a consultation's results, taken at one of its sessions
    (``decided_on`` is the session's date), with what its protocol records of the session.

    The session's details are empty only on decisions recorded before they were asked for."""

    __tablename__ = "council_decisions"
    __table_args__ = (
        CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND votes_abstained >= 0", name="votes_counts"
        ),
        CheckConstraint(
            "deputies_present IS NULL OR votes_for + votes_against + votes_abstained"
            " <= deputies_present",
            name="votes_within_present",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[Decision] = mapped_column(enum_column(Decision))
    decided_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(Text)
    # The number the council's secretary registers the protocol under, as the office writes it
    # ("7", "12/2026"): its own register numbers it, not pb.
    protocol_number: Mapped[str | None] = mapped_column(String(30))
    session: Mapped[str | None] = mapped_column(String(100))  # its number or name
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    votes_abstained: Mapped[int | None]
    deputies_present: Mapped[int | None]
    # The counting commission's members, one a line.
    commission: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()

    @property
    def commission_members(self) -> list[str]:
        return [line.strip() for line in (self.commission or "").splitlines() if line.strip()]

    @property
    def has_session_record(self) -> bool:
        """The session's details were recorded (not on decisions from before they were asked)."""
        return self.votes_for is not None


class PopulationFigures(Model):
    """How many people live in the municipality, for setting participation against."""

    __tablename__ = "population_figures"
    __table_args__ = (UniqueConstraint("municipality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE")
    )
    # Residents old enough to take part (14 and over), and of them women and young people.
    adults: Mapped[int] = mapped_column(Integer)
    women: Mapped[int] = mapped_column(Integer)
    youth: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship()
