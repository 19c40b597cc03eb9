"""The order of the proposals on printed paper ballots, and so their numbers.

An officer may draw a random order, so that no proposal is first on every paper ballot because
of its title. The draw is kept as a seed on the consultation and every page that numbers the
proposals (the blank ballot to print, the page where paper ballots are typed in) derives the
same order from it. Each proposal's place comes from its own key, not from a shuffle of the
list, so a proposal accepted after the draw slots in without reordering the others; and nothing
changes once voting has started, when the ballot is locked.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from typing import Protocol, TypeVar

from flask_babel import lazy_gettext as _l

from pb.audit import trail as audit
from pb.auth.access import ensure_officer
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import Consultation, Proposal, User
from pb.voting import services


class _Numbered(Protocol):
    @property
    def id(self) -> int: ...


P = TypeVar("P", bound=_Numbered)


def in_paper_order(proposals: Sequence[P], seed: str | None) -> list[P]:
    """``proposals`` in the order a seed draws (each by a digest of the seed and its id), or as
    given when there is no seed."""
    if not seed:
        return list(proposals)

    def place(proposal: P) -> tuple[bytes, int]:
        return hashlib.sha256(f"{seed}:{proposal.id}".encode()).digest(), proposal.id

    return sorted(proposals, key=place)


def paper_ballot_proposals(consultation: Consultation) -> list[Proposal]:
    """The proposals on the ballot in the order of the printed paper ballot: number n on paper
    is the n-th of this list."""
    return in_paper_order(services.ballot_proposals(consultation), consultation.paper_order_seed)


def set_random_order(actor: User, consultation: Consultation, random: bool) -> None:
    """Draw a new random order for the printed ballots (``random``), or go back to the order of
    the online ballot. Only before voting starts: ballots may be printed by then."""
    ensure_officer(actor, consultation.municipality_id)
    if consultation.ballot_locked:
        raise RuleViolation(
            _l("Voting has started: the order of the printed ballot can no longer change.")
        )
    was_random = consultation.paper_order_seed is not None
    consultation.paper_order_seed = secrets.token_hex(16) if random else None
    audit.record(
        actor,
        "ballot.paper_order",
        municipality_id=consultation.municipality_id,
        target=("consultation", consultation.id),
        before={"random_order": was_random},
        after={"random_order": random},
    )
    db.session.commit()
