from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import Model
from pb.models.base import UTCDateTime, enum_column, utcnow
from pb.models.consultations import Category, Consultation
from pb.models.municipalities import Village
from pb.models.users import Gender, User


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # shown as "under review"
    ACCEPTED = "accepted"  # on the ballot
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"  # folded into another proposal as a duplicate


class Beneficiary(enum.StrEnum):
    """Whom a proposal mainly serves: the basis of gender-responsive budgeting figures."""

    WOMEN = "women"
    YOUTH = "youth"
    CHILDREN = "children"
    ELDERLY = "elderly"
    DISABILITIES = "disabilities"
    EVERYONE = "everyone"


class Meeting(Model):
    """A village meeting where proposals (and later paper ballots) were collected on paper."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("consultation_id", "village_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="RESTRICT"))
    held_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    village: Mapped[Village] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class Proposal(Model):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("estimated_cost > 0", name="estimated_cost_positive"),
        CheckConstraint(
            "approved_cost IS NULL OR approved_cost > 0", name="approved_cost_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text)
    # The language the author wrote in, so pages can mark it up with lang="".
    language: Mapped[str] = mapped_column(String(5), default="ky")
    estimated_cost: Mapped[int] = mapped_column(BigInteger)
    approved_cost: Mapped[int | None] = mapped_column(BigInteger)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="RESTRICT"))
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus), default=ProposalStatus.SUBMITTED, index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Set when an officer typed in a proposal brought to a village meeting on paper.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="RESTRICT"))
    proposer_name: Mapped[str | None] = mapped_column(String(100))
    # Who proposed it, as known when it was submitted: feeds the participation figures.
    proposer_gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))
    proposer_age_group: Mapped[str | None] = mapped_column(String(10))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    consultation: Mapped[Consultation] = relationship()
    category: Mapped[Category] = relationship()
    village: Mapped[Village] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    meeting: Mapped[Meeting | None] = relationship()
    merged_into: Mapped[Proposal | None] = relationship(remote_side=[id])
    beneficiary_rows: Mapped[list[ProposalBeneficiary]] = relationship(
        cascade="all, delete-orphan", order_by="ProposalBeneficiary.group"
    )

    @property
    def beneficiaries(self) -> list[Beneficiary]:
        return [row.group for row in self.beneficiary_rows]

    @hybrid_property
    def cost(self) -> int:
        """The cost that counts: the officer's corrected figure if there is one."""
        return self.approved_cost if self.approved_cost is not None else self.estimated_cost

    @cost.inplace.expression
    @classmethod
    def _cost_expression(cls) -> ColumnElement[int]:
        # The same rule in SQL, for the queries that read costs without loading proposals.
        return func.coalesce(cls.approved_cost, cls.estimated_cost)

    @property
    def is_offline(self) -> bool:
        return self.meeting_id is not None

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status}>"


class ProposalBeneficiary(Model):
    __tablename__ = "proposal_beneficiaries"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    group: Mapped[Beneficiary] = mapped_column(enum_column(Beneficiary), primary_key=True)
