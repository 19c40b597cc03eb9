"""After the vote: what became of each funded project, and the photos that show it.

Officers of the municipality keep one ``Implementation`` per funded proposal and post dated
``ImplementationUpdate``s; photos (``Photo``) are stored in the database, so that every app
server reaches them, in the few web sizes pages use (``PhotoFile``), their EXIF data gone.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import Model, db
from pb.models.base import UTCDateTime, enum_column, utcnow
from pb.models.proposals import Proposal


class ImplementationStatus(enum.StrEnum):
    PLANNED = "planned"
    PROCUREMENT = "procurement"
    UNDER_WAY = "under_way"
    COMPLETED = "completed"
    POSTPONED = "postponed"  # with a public reason
    CANCELLED = "cancelled"  # with a public reason


class Photo(Model):
    """An uploaded image, kept as the web sizes made from it (never the upload itself)."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    alt_text: Mapped[str] = mapped_column(String(300))  # what it shows, for who cannot see it
    width: Mapped[int]  # of the largest size kept
    height: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    files: Mapped[list[PhotoFile]] = relationship(
        back_populates="photo", cascade="all, delete-orphan"
    )


class PhotoFile(Model):
    """One web size of a photo ("thumb", "medium", "large"), encoded once at upload."""

    __tablename__ = "photo_files"
    __table_args__ = (UniqueConstraint("photo_id", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    size: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(30))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)

    photo: Mapped[Photo] = relationship(back_populates="files")


# Photos officers add to a proposal at review (a picture of the broken bridge).
proposal_photos = Table(
    "proposal_photos",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("photo_id", ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True),
)

update_photos = Table(
    "implementation_update_photos",
    db.metadata,
    Column(
        "update_id", ForeignKey("implementation_updates.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("photo_id", ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True),
)


class Implementation(Model):
    """What became of one funded proposal, as the municipality's officers keep it."""

    __tablename__ = "implementations"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[ImplementationStatus] = mapped_column(
        enum_column(ImplementationStatus), default=ImplementationStatus.PLANNED
    )
    status_reason: Mapped[str | None] = mapped_column(Text)  # public, for postponed/cancelled
    planned_cost: Mapped[int]  # som
    actual_cost: Mapped[int | None]  # som, once known
    community_money: Mapped[int | None]  # som the community put in
    community_labour: Mapped[str | None] = mapped_column(Text)  # ашар: what people did
    contractor: Mapped[str | None] = mapped_column(String(200))
    started_on: Mapped[date | None]
    finished_on: Mapped[date | None]
    changes: Mapped[str | None] = mapped_column(Text)  # what changed from the proposal
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    proposal: Mapped[Proposal] = relationship()
    updates: Mapped[list[ImplementationUpdate]] = relationship(
        back_populates="implementation",
        cascade="all, delete-orphan",
        order_by="ImplementationUpdate.posted_on.desc(), ImplementationUpdate.id.desc()",
    )


class ImplementationUpdate(Model):
    """A dated word from the officers on a project's progress, in the language it was written
    in, with its photos."""

    __tablename__ = "implementation_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    implementation_id: Mapped[int] = mapped_column(
        ForeignKey("implementations.id", ondelete="CASCADE"), index=True
    )
    posted_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5))  # ky, ru or en
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    implementation: Mapped[Implementation] = relationship(back_populates="updates")
    photos: Mapped[list[Photo]] = relationship(secondary=update_photos, order_by="Photo.id")
