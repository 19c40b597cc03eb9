"""Participation figures of voters, counted when voting closes, in place of the voters' details.

While voting is open, each ballot carries its voter's self-declared details (gender, age group,
village) encrypted under the vote key (``Ballot.sealed_details``). When voting closes they are
read once, counted into these rows, and dropped from the ballots: after that no row pairs a
person's details with her choices, nor one of her details with another.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pb.extensions import Model


class VoterFigure(Model):
    """How many ballots gave ``value`` for one detail (``dimension``): "gender", "age",
    "village" (a village's id) or "channel". ``value`` "" is "not given"."""

    __tablename__ = "voter_figures"
    __table_args__ = (UniqueConstraint("consultation_id", "dimension", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(20))
    ballots: Mapped[int]


class ChoiceFigure(Model):
    """For one proposal, how many ballots that chose it gave ``value`` for one detail
    (``dimension``: "gender" or "age"; ``value`` "" is "not given"), and the points they gave
    it: what women and young people voted for, and no more than one detail at a time."""

    __tablename__ = "choice_figures"
    __table_args__ = (
        UniqueConstraint("consultation_id", "proposal_id", "dimension", "value"),
        Index("ix_choice_figures_proposal_id", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(20))
    ballots: Mapped[int]
    points: Mapped[int]


__all__ = ["ChoiceFigure", "VoterFigure"]
