"""The words for a project's status (kept with the other labels, in pb.labels)."""

from __future__ import annotations

from pb.labels import IMPLEMENTATION_STATUSES as STATUSES
from pb.models.implementation import ImplementationStatus


def status_label(status: ImplementationStatus | str) -> str:
    return str(STATUSES[ImplementationStatus(status)])
