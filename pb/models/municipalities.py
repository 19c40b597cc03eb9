from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from pb.collation import in_kyrgyz_order
from pb.extensions import Model
from pb.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from pb.models.users import Membership


class Municipality(Model):
    """An ayil okmotu (or a town): the unit that owns consultations and appoints staff."""

    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_ky: Mapped[str | None] = mapped_column(String(150))
    name_ru: Mapped[str | None] = mapped_column(String(150))
    name_en: Mapped[str | None] = mapped_column(String(150))
    # The region (and district) in each language, as the name: ``region`` is the Kyrgyz one
    # (``region_ky`` names it so for pb.i18n.localized).
    region: Mapped[str | None] = mapped_column(String(100))
    region_ru: Mapped[str | None] = mapped_column(String(100))
    region_en: Mapped[str | None] = mapped_column(String(100))
    region_ky: Mapped[str | None] = synonym("region")
    # Where residents get their account confirmed on the voter roll, as officers write it.
    # The officer residents ask for: shown on the municipality's pages and on the help page.
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_office: Mapped[str | None] = mapped_column(String(300))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_hours: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    villages: Mapped[list[Village]] = relationship(
        back_populates="municipality",
        order_by=lambda: [in_kyrgyz_order(Village.name), Village.id],
        cascade="all, delete-orphan",
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="municipality", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Municipality {self.slug}>"


class Village(Model):
    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    # Village names are proper names, written the same way in all three languages' Cyrillic.
    name: Mapped[str] = mapped_column(String(100))

    municipality: Mapped[Municipality] = relationship(back_populates="villages")

    def __repr__(self) -> str:
        return f"<Village {self.name}>"
