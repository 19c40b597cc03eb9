"""Slowing down guessing: failed attempts per client are counted in the database, so the limit
holds across all worker processes."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, func, select

from pb.extensions import db
from pb.models import ThrottleEvent
from pb.models.base import utcnow


class TooManyTries(Exception):
    """Shown as 429 with a translated page."""


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["THROTTLE_WINDOW_SECONDS"])


# Built once: how often a client failed within the window (parameters: window(key)). The vote
# asks it in the same statement that looks up the code.
FAILURES = (
    select(func.count())
    .where(
        ThrottleEvent.key == bindparam("throttle_key"),
        ThrottleEvent.at >= bindparam("throttle_since"),
    )
    .scalar_subquery()
)
_CHECK = select(FAILURES)


def window(key: str) -> dict[str, object]:
    """The parameters of FAILURES for the client ``key``."""
    return {"throttle_key": key, "throttle_since": utcnow() - _window()}


def max_failures() -> int:
    """How many failures within the window a client may have and still try again."""
    return current_app.config["THROTTLE_MAX_FAILURES"]


def refuse_if_too_many(failures: int) -> None:
    if failures >= max_failures():
        raise TooManyTries()


def check(key: str) -> None:
    """Refuse the attempt if ``key`` failed too often within the window."""
    refuse_if_too_many(db.session.connection().execute(_CHECK, window(key)).scalar_one())


def record_failure(key: str) -> None:
    """Remember one failed attempt (in its own commit: the failed action itself is rolled back)."""
    now = utcnow()
    db.session.add(ThrottleEvent(key=key[:100], at=now))
    # Old events serve no purpose and would identify clients; drop them as we go.
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.at < now - 2 * _window()))
    db.session.commit()
