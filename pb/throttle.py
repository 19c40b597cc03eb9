"""Slowing down guessing: failed attempts per client are counted in the database, so the limit
holds across all worker processes."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, func, select

from pb.extensions import db
from pb.models import ThrottleEvent
from pb.models.base import utcnow
from pb.transactions import begin_writing


class TooManyTries(Exception):
    """Shown as 429 with a translated page."""


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["THROTTLE_WINDOW_SECONDS"])


def check(key: str) -> None:
    """Refuse the attempt if ``key`` failed too often within the window."""
    since = utcnow() - _window()
    failures = db.session.connection().scalar(_FAILURES, {"key": key, "since": since})
    if failures >= current_app.config["THROTTLE_MAX_FAILURES"]:
        raise TooManyTries()


# Built once: the vote checks it on every ballot cast with a code.
_FAILURES = select(func.count()).where(
    ThrottleEvent.key == bindparam("key"), ThrottleEvent.at >= bindparam("since")
)


def record_failure(key: str) -> None:
    """Remember one failed attempt (in its own commit: the failed action itself is rolled back)."""
    begin_writing()
    now = utcnow()
    db.session.add(ThrottleEvent(key=key[:100], at=now))
    # Old events serve no purpose and would identify clients; drop them as we go.
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.at < now - 2 * _window()))
    db.session.commit()
