"""What the hosts of one site must share, as the database records it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pb.extensions import Model
from pb.models.base import UTCDateTime, utcnow


class KeyFingerprint(Model):
    """A fingerprint of a key every host must share (an HMAC of a constant under the key, which
    tells nothing of the key): the first host to check writes it, and a host whose keys do not
    give it is not ready (``pb.keys``)."""

    __tablename__ = "key_fingerprints"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)  # "vote"
    fingerprint: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
