"""Public control: residents report problems with funded projects, officers answer publicly,
and officers and council members hide what must not stay (with a public reason)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import Model
from pb.models.base import UTCDateTime, utcnow
from pb.models.implementation import Photo


class ProblemReport(Model):
    """A resident's report of a problem with a funded project (keyed by its proposal)."""

    __tablename__ = "problem_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5))  # ky, ru or en
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Hidden by moderators: the text is no longer shown, the reason is.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    photo: Mapped[Photo | None] = relationship()
    answers: Mapped[list[ReportAnswer]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        order_by="ReportAnswer.created_at, ReportAnswer.id",
    )

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class ReportAnswer(Model):
    """An officer's public answer to a report, on behalf of the municipality."""

    __tablename__ = "report_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("problem_reports.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[ProblemReport] = relationship(back_populates="answers")
