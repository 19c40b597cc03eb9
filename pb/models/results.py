from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
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


class Decision(enum.StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"


class CouncilDecision(Model):
    """The aiyl kenesh's decision on a consultation's results."""

    __tablename__ = "council_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[Decision] = mapped_column(enum_column(Decision))
    decided_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


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
