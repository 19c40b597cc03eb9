"""From stored ballots to a stored result: builds the election for pb.counting, runs the
consultation's rule, and keeps the outcome so that pages never recount.

Results are counted once, inside the change that makes them needed: the close of voting (after
the ballots are sealed), the import of a .pb file, and publication (if nothing is stored yet).
From then on the ballots cannot change (paper ballots are corrected, and votes changed, only
while voting is open), and neither can the counting settings (locked once voting opens), so the
stored result is final: a results page of 100,000 ballots reads one row, and pages never write.
The ballots' fingerprint is stored with it, a record of what was counted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, select, type_coerce

from pb.consultations.phases import consequence_of, on_entering
from pb.counting.model import APPROVAL, CUMULATIVE, Election, Outcome, Project
from pb.counting_rules import COUNTING_RULES
from pb.extensions import db
from pb.i18n import format_som, ngettext
from pb.models import (
    Ballot,
    BallotKind,
    Consultation,
    CountedResult,
    Phase,
)
from pb.models.base import utcnow
from pb.models.voting import unpack_choices

# Imported before count_at_close registers: reactions run in the order they were registered,
# and the ballots are sealed, when voting closes, before they are counted.
from pb.voting.services import seal_ballots  # noqa: F401
from pb.voting.sheets import ballot_costs


@dataclass(frozen=True)
class ReadBallots:
    """The consultation's ballots as counting reads them, and a digest that identifies them."""

    election: Election
    digest: str


def read_ballots(consultation: Consultation) -> ReadBallots:
    """The consultation as pb.counting sees it (accepted proposals, ids as text, and ballots),
    and a digest of the ballots whatever their ids and order (sealing changes both).

    A city's count holds 100,000 ballots: each is one row, read a batch at a time with its
    choices as the row keeps them (``pb.models.voting.pack_choices``), and each proposal's id
    is one string that every ballot shares."""
    costs = sorted(ballot_costs(consultation.id).items())
    names = {pid: str(pid) for pid, _ in costs}
    ballots: list[dict[str, int]] = []
    kept: list[str] = []
    for packed in db.session.scalars(
        select(type_coerce(Ballot.choices, Text))
        .where(Ballot.consultation_id == consultation.id)
        .order_by(Ballot.id),
        execution_options={"yield_per": 10_000},
    ):
        if not packed:
            continue  # a ballot that chose nothing is not counted
        kept.append(packed)
        # A ballot naming a proposal no longer on the ballot keeps its other choices.
        ballots.append(
            {names[pid]: points for pid, points in unpack_choices(packed).items() if pid in names}
        )
    kept.sort()
    election = Election(
        budget=consultation.budget,
        projects=tuple(Project(names[pid], cost) for pid, cost in costs),
        ballots=tuple(ballots),
        vote_type=CUMULATIVE if consultation.ballot_kind == BallotKind.POINTS else APPROVAL,
    )
    return ReadBallots(election, hashlib.sha256("\n".join(kept).encode()).hexdigest())


def build_election(consultation: Consultation) -> Election:
    return read_ballots(consultation).election


def run_rule(consultation: Consultation, election: Election) -> Outcome:
    rule = COUNTING_RULES[consultation.counting_rule]
    return rule.count(election, consultation.complete_with_greedy)


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def stored_details(outcome: Outcome, ballots: int) -> dict[str, object]:
    return {
        "budget": outcome.budget,
        "ballots": ballots,
        "voter_share": _fraction(outcome.voter_share),
        "funded": list(outcome.funded),
        "projects": {
            pid: {
                "reason": r.reason,
                "votes": r.support,
                "cost": r.cost,
                "position": r.position,
                "price": _fraction(r.price),
                "supporters_money": _fraction(r.supporters_money),
                "remaining_budget": r.remaining_budget,
                "paid_all": r.paid_all,
            }
            for pid, r in outcome.projects.items()
        },
    }


def result_for(consultation: Consultation) -> CountedResult:
    """The stored result; pages only read it.

    A consultation closed before results were counted at close (a database from an older pb)
    has none: it is counted here in memory and not saved (a page must not write, and many
    readers at once must not race to save it); publishing saves it."""
    stored = _stored(consultation)
    if stored is not None and _same_settings(stored, consultation):
        return stored
    return _count_into(CountedResult(consultation_id=consultation.id), consultation)


def count_and_store(consultation: Consultation) -> CountedResult:
    """Count the ballots and keep the result, unless one counted with the consultation's settings
    is kept already (the caller commits, with the change that made the result needed)."""
    stored = _stored(consultation)
    if stored is not None and _same_settings(stored, consultation):
        return stored
    if stored is None:
        # Added once counted: the counting's queries would flush a half-filled row.
        stored = _count_into(CountedResult(consultation_id=consultation.id), consultation)
        db.session.add(stored)
        return stored
    return _count_into(stored, consultation)


@on_entering(Phase.CLOSED)
def count_at_close(consultation: Consultation) -> None:
    """Closing makes the result final: it is counted in the transaction that closes voting,
    after the ballots are sealed, so that council members and officers read it at once."""
    count_and_store(consultation)


@on_entering(Phase.PUBLISHED)
def count_at_publication(consultation: Consultation) -> None:
    """Publishing shows the result: the one counted at close is kept; a consultation closed
    before results were counted at close is counted now, in the transaction that publishes."""
    count_and_store(consultation)


@consequence_of(Phase.PUBLISHED)
def what_publishing_shows(consultation: Consultation) -> list[object]:
    """What publishing makes public, from the result as it will be published."""
    result = result_for(consultation)
    funded = len(result.details.get("funded", []))
    return [
        ngettext(
            "The results of %(num)d ballot will be shown to everyone.",
            "The results of %(num)d ballots will be shown to everyone.",
            result.ballots,
        ),
        ngettext(
            "%(num)d proposal is funded, for %(total)s in all.",
            "%(num)d proposals are funded, for %(total)s in all.",
            funded,
            total=format_som(result.total_cost),
        ),
        _l("Publishing cannot be undone."),
    ]


def _stored(consultation: Consultation) -> CountedResult | None:
    return db.session.scalar(
        select(CountedResult).where(CountedResult.consultation_id == consultation.id)
    )


def _count_into(stored: CountedResult, consultation: Consultation) -> CountedResult:
    """Count the ballots into ``stored``; saved only if it is in the session."""
    read = read_ballots(consultation)
    election, fingerprint = read.election, read.digest
    outcome = run_rule(consultation, election)
    stored.rule = consultation.counting_rule
    stored.complete_with_greedy = consultation.complete_with_greedy
    stored.ballots_digest = fingerprint
    stored.ballots = len(election.ballots)
    stored.total_cost = outcome.total_cost
    stored.details = stored_details(outcome, len(election.ballots))
    stored.counted_at = utcnow()
    # Counted again: a .pb file written from the count before is not this count's.
    stored.ballots_file_id = None
    return stored


def _same_settings(stored: CountedResult, consultation: Consultation) -> bool:
    return (
        stored.rule == consultation.counting_rule
        and stored.complete_with_greedy == consultation.complete_with_greedy
        and stored.details.get("budget") == consultation.budget
    )
