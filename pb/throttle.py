"""Slowing down guessing: failed attempts per client are counted in the database, so the limit
holds across all worker processes.

A client is counted under one key (an address, an account's phone) and, where many honest
people share an address, under two: a village behind one mobile operator's address sends all
its code voters from one address, so ten mistyped codes on one phone must not stop the next
voter. Codes are therefore counted per device (a random id in the device's signed session) up to
``THROTTLE_MAX_FAILURES``, and per address up to the far higher
``THROTTLE_MAX_FAILURES_PER_ADDRESS``: a guesser who drops the cookie to look like a new device
on every try still meets the address's limit. With 25¹⁰ possible codes, even that limit leaves
guessing hopeless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import Integer, bindparam, case, delete, func, select

from pb.extensions import db
from pb.models import ThrottleEvent
from pb.models.base import utcnow


class TooManyTries(Exception):
    """Shown as 429 with a translated page."""


@dataclass(frozen=True)
class Client:
    """Who is trying: counted under ``key`` up to THROTTLE_MAX_FAILURES, and under
    ``shared_key`` (the address many devices may share) up to ``shared_limit`` failures."""

    key: str
    shared_key: str
    shared_limit: int

    @classmethod
    def alone(cls, key: str) -> Client:
        """A client counted under one key only (the shared count is the same count)."""
        return cls(key, key, max_failures())

    @classmethod
    def device_at(cls, device: str, address: str, kind: str) -> Client:
        """One device among the many that may share ``address``."""
        return cls(
            f"{kind}-device:{device}",
            f"{kind}:{address}",
            current_app.config["THROTTLE_MAX_FAILURES_PER_ADDRESS"],
        )


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["THROTTLE_WINDOW_SECONDS"])


def _failures_of(key_parameter: str) -> object:
    return (
        select(func.count())
        .where(
            ThrottleEvent.key == bindparam(key_parameter),
            ThrottleEvent.at >= bindparam("throttle_since"),
        )
        .scalar_subquery()
    )


# Built once: how often a client failed within the window (parameters: window(client)), as
# one number to compare with max_failures(): the client's own count, or the limit itself once
# the address it shares has failed too often. The vote asks it in the same statement that
# looks up the code; both counts read the (key, at) index.
FAILURES = case(
    (
        _failures_of("throttle_shared_key") >= bindparam("throttle_shared_limit", type_=Integer),
        bindparam("throttle_limit", type_=Integer),
    ),
    else_=_failures_of("throttle_key"),
)
_CHECK = select(FAILURES)


def _as_client(client: Client | str) -> Client:
    return Client.alone(client) if isinstance(client, str) else client


def window(client: Client | str) -> dict[str, object]:
    """The parameters of FAILURES for ``client`` (a Client, or one key)."""
    client = _as_client(client)
    return {
        "throttle_key": client.key[:100],
        "throttle_shared_key": client.shared_key[:100],
        "throttle_shared_limit": client.shared_limit,
        "throttle_limit": max_failures(),
        "throttle_since": utcnow() - _window(),
    }


def max_failures() -> int:
    """How many failures within the window a client may have and still try again."""
    return current_app.config["THROTTLE_MAX_FAILURES"]


def refuse_if_too_many(failures: int) -> None:
    if failures >= max_failures():
        raise TooManyTries()


def check(client: Client | str) -> None:
    """Refuse the attempt if ``client`` failed too often within the window."""
    refuse_if_too_many(db.session.connection().execute(_CHECK, window(client)).scalar_one())


def record_failure(client: Client | str) -> None:
    """Remember one failed attempt (in its own commit: the failed action itself is rolled back)."""
    client = _as_client(client)
    now = utcnow()
    keys = {client.key[:100], client.shared_key[:100]}
    db.session.add_all(ThrottleEvent(key=key, at=now) for key in sorted(keys))
    # Old events serve no purpose and would identify clients; drop them as we go.
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.at < now - 2 * _window()))
    db.session.commit()
