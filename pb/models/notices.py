from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import Model
from pb.models.base import UTCDateTime, enum_column, utcnow
from pb.models.proposals import Proposal


class NoticeKind(enum.StrEnum):
    """What a resident is told about her proposal on her next visit."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"


class Notice(Model):
    """A message waiting for a resident until she has read it, on whichever device she uses
    next. It holds no text: the page says it in her language when she comes, from the kind and
    the proposal as they are then (the reason of a rejection, the proposal it was merged into)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship()
