"""Column helpers shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, TypeDecorator


def utcnow() -> datetime:
    # Stored naive, in UTC: SQLite drops offsets, and Flask-Babel treats naive times as UTC.
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_class: type[enum.Enum], length: int = 20) -> Enum:
    """A portable enum column stored as its string values (no PostgreSQL ENUM type to migrate)."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A naive-UTC timestamp that accepts aware datetimes too."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
