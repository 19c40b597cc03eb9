"""From stored ballots to a stored result: builds the election for pb.counting, runs the
consultation's rule, and keeps the outcome so that pages never recount.

Results are counted only once voting has closed, and from then on the ballots cannot change
(paper ballots are corrected, and votes changed, only while voting is open). So the stored result
is final: a results page of 100,000 ballots reads one row. It is counted again only if the
counting settings it was made with are not the consultation's (an import, or a test). The
ballots' fingerprint is stored with it, a record of what was counted.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from fractions import Fraction

from sqlalchemy import func, select

from pb.consultations.phases import on_entering
from pb.counting.model import APPROVAL, CUMULATIVE, Election, Outcome, Project
from pb.counting_rules import COUNTING_RULES
from pb.extensions import db
from pb.models import (
    Ballot,
    BallotChoice,
    BallotKind,
    Consultation,
    CountedResult,
    Phase,
)
from pb.models.base import utcnow
from pb.voting.sheets import ballot_costs


def ballots_fingerprint(consultation: Consultation) -> str:
    """A digest of the consultation's ballots, from aggregates the database computes."""
    row = db.session.execute(
        select(
            func.count(func.distinct(BallotChoice.ballot_id)),
            func.count(),
            func.coalesce(func.sum(BallotChoice.points), 0),
            func.coalesce(func.sum(BallotChoice.proposal_id * BallotChoice.points), 0),
            func.coalesce(func.sum(BallotChoice.proposal_id * BallotChoice.proposal_id), 0),
        )
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.consultation_id == consultation.id)
    ).one()
    return hashlib.sha256(repr(tuple(row)).encode()).hexdigest()


def build_election(consultation: Consultation) -> Election:
    """The consultation as pb.counting sees it: accepted proposals (ids as text) and ballots."""
    costs = sorted(ballot_costs(consultation.id).items())
    ballots: dict[str, dict[str, int]] = defaultdict(dict)
    for ballot_id, proposal_id, points in db.session.execute(
        select(BallotChoice.ballot_id, BallotChoice.proposal_id, BallotChoice.points)
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.consultation_id == consultation.id)
    ):
        ballots[ballot_id][str(proposal_id)] = points
    on_ballot = {str(pid) for pid, _ in costs}
    return Election(
        budget=consultation.budget,
        projects=tuple(Project(str(pid), cost) for pid, cost in costs),
        # A ballot naming a proposal no longer on the ballot keeps its other choices.
        ballots=tuple(
            {pid: pts for pid, pts in ballot.items() if pid in on_ballot}
            for ballot in ballots.values()
        ),
        vote_type=CUMULATIVE if consultation.ballot_kind == BallotKind.POINTS else APPROVAL,
    )


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
            }
            for pid, r in outcome.projects.items()
        },
    }


def result_for(consultation: Consultation) -> CountedResult:
    """The stored result, counted now if there is none, or none for the current settings."""
    stored = _stored(consultation)
    if stored is not None and _same_settings(stored, consultation) and consultation.voting_over:
        return stored
    stored = _count(consultation, stored)
    db.session.commit()
    return stored


@on_entering(Phase.PUBLISHED)
def count_at_publication(consultation: Consultation) -> None:
    """Publishing shows the result: it is counted now, once, in the transaction that publishes
    (pages then read the stored outcome). One counted since voting closed is kept."""
    stored = _stored(consultation)
    if stored is None or not _same_settings(stored, consultation):
        _count(consultation, stored)


def _stored(consultation: Consultation) -> CountedResult | None:
    return db.session.scalar(
        select(CountedResult).where(CountedResult.consultation_id == consultation.id)
    )


def _count(consultation: Consultation, stored: CountedResult | None) -> CountedResult:
    """Count the ballots into ``stored`` (a new row if None); the caller commits."""
    fingerprint = ballots_fingerprint(consultation)
    election = build_election(consultation)
    outcome = run_rule(consultation, election)
    if stored is None:
        stored = CountedResult(consultation_id=consultation.id)
        db.session.add(stored)
    stored.rule = consultation.counting_rule
    stored.complete_with_greedy = consultation.complete_with_greedy
    stored.ballots_digest = fingerprint
    stored.ballots = len(election.ballots)
    stored.total_cost = outcome.total_cost
    stored.details = stored_details(outcome, len(election.ballots))
    stored.counted_at = utcnow()
    return stored


def _same_settings(stored: CountedResult, consultation: Consultation) -> bool:
    return (
        stored.rule == consultation.counting_rule
        and stored.complete_with_greedy == consultation.complete_with_greedy
        and stored.details.get("budget") == consultation.budget
    )
