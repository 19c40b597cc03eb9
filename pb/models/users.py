from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from pb.extensions import Model
from pb.models.base import UTCDateTime, enum_column, utcnow
from pb.models.municipalities import Municipality, Village

if TYPE_CHECKING:
    from pb.models.roll import RollEntry


class Role(enum.StrEnum):
    RESIDENT = "resident"
    OFFICER = "officer"
    COUNCIL = "council"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Normalised as "+996 XXX XXX XXX"; either a phone or a user name identifies the account.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    username: Mapped[str | None] = mapped_column(String(30), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Sessions and remember-me cookies carry this token with the id (get_id): a new token
    # (password set, logging out) ends every session of the account, copied cookies included.
    login_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_login_token)
    display_name: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(5), default="ky")
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))
    birth_year: Mapped[int | None]
    village_id: Mapped[int | None] = mapped_column(
        ForeignKey("villages.id", ondelete="SET NULL"), index=True
    )
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    village: Mapped[Village | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="Membership.user_id"
    )
    # The voter roll entry an officer confirmed as this person's, if any.
    roll_entry: Mapped[RollEntry | None] = relationship(
        foreign_keys="RollEntry.user_id", viewonly=True, uselist=False
    )

    def set_password(self, password: str) -> None:
        # scrypt in production; the test suite sets a cheap method to stay fast.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.renew_login_token()

    def renew_login_token(self) -> None:
        self.login_token = new_login_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        # Flask-Login's alternative id: the loader finds the account by its id and accepts the
        # session only while the token is still the account's (pb.auth.sessions).
        return f"{self.id}:{self.login_token}"

    @property
    def login_name(self) -> str:
        return self.phone or self.username or ""

    def has_role(self, municipality_id: int, *roles: Role) -> bool:
        return any(
            m.municipality_id == municipality_id and m.role in roles for m in self.memberships
        )

    def municipalities_with_role(self, *roles: Role) -> list[Municipality]:
        seen: dict[int, Municipality] = {}
        for m in self.memberships:
            if m.role in roles:
                seen.setdefault(m.municipality_id, m.municipality)
        return list(seen.values())

    def __repr__(self) -> str:
        return f"<User {self.id} {self.login_name}>"


class Membership(Model):
    """A user's role in one municipality."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "municipality_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role))
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    municipality: Mapped[Municipality] = relationship(back_populates="memberships")
