"""The voter roll: residents as the household register (түтүн китеби / похозяйственная книга)
lists them, the accounts confirmed against it, and who has voted in which consultation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import Model
from pb.models.base import UTCDateTime, enum_column, utcnow
from pb.models.municipalities import Village
from pb.models.users import Gender, User
from pb.models.voting import Channel


class RollEntry(Model):
    """One resident on a municipality's roll. Personal data: seen by that municipality's
    officers only (see the README for what is kept and for how long)."""

    __tablename__ = "roll_entries"
    __table_args__ = (
        # Search by name and likely duplicates (same name, year and village) within a roll.
        Index("ix_roll_entries_municipality_name_key", "municipality_id", "name_key"),
        Index("ix_roll_entries_municipality_phone", "municipality_id", "phone"),
        CheckConstraint("birth_year BETWEEN 1900 AND 2100", name="birth_year_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE")
    )
    # A village with people on the roll is not removed (pb.municipalities.services refuses).
    village_id: Mapped[int] = mapped_column(
        ForeignKey("villages.id", ondelete="CASCADE"), index=True
    )
    household: Mapped[str] = mapped_column(String(30))  # the register's household number
    full_name: Mapped[str] = mapped_column(String(200))
    # The name as compared: see pb.roll.names.name_key.
    name_key: Mapped[str] = mapped_column(String(200))
    birth_year: Mapped[int]
    gender: Mapped[Gender] = mapped_column(enum_column(Gender))
    phone: Mapped[str | None] = mapped_column(String(20))  # "+996 XXX XXX XXX"
    # The account an officer confirmed as this person's: at most one, and one entry per account.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    village: Mapped[Village] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<RollEntry {self.id}>"


class RollMark(Model):
    """That a person on the roll has voted in a consultation, and how: online with her confirmed
    account, received a code slip, or was handed a paper ballot. One per person and
    consultation (the primary key): that is what keeps one voice per person across channels.

    It never leads to a ballot, and holds no time and no sequence: nothing in it says in what
    order people voted. The person is named by a keyed digest: only the app, with the vote
    key, finds a person's mark (the desk, the turnout), not whoever holds the database's files."""

    __tablename__ = "roll_marks"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    # A keyed digest of the consultation and the person's roll entry (pb.voting.voters), never
    # the entry's id: the vote that marks her writes nothing that names her in the clear.
    entry_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))


class RollImport(Model):
    """An uploaded roll file, read and checked, waiting for the officer to confirm it: kept in
    the database, not in one worker's memory, so the confirming request may reach any worker."""

    __tablename__ = "roll_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    # The rows read (as pb.roll reads them) and what is wrong with the file, line by line.
    rows: Mapped[list[Any]] = mapped_column(JSON)
    problems: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added: Mapped[int | None]


class PasswordReset(Model):
    """A one-time code an officer or administrator issued to let a person set a new password.
    Only a keyed digest of the code is kept."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Wrong codes typed for this account while this one was valid: too many void it.
    failures: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
