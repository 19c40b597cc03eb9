"""Results as people read them: rows per proposal, and why each was or was not funded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pb.counting.model import FUNDED, FUNDED_IN_COMPLETION
from pb.counting_rules import COUNTING_RULES
from pb.extensions import db
from pb.models import BallotKind, Beneficiary, Consultation, CountedResult, Proposal


@dataclass
class ResultRow:
    proposal: Proposal
    votes: int
    cost: int
    funded: bool
    position: int | None
    reason: str
    explanation: str


def result_rows(consultation: Consultation, stored: CountedResult) -> list[ResultRow]:
    proposals = {
        str(p.id): p
        for p in db.session.scalars(
            select(Proposal)
            .where(Proposal.id.in_([int(pid) for pid in stored.details["projects"]]))
            .options(
                joinedload(Proposal.category),
                joinedload(Proposal.village),
                selectinload(Proposal.beneficiary_rows),
            )
        )
    }
    rows = [
        _row(consultation, stored, proposal, entry)
        for pid, entry in stored.details["projects"].items()
        if (proposal := proposals.get(pid)) is not None
    ]
    # Funded in the order funded, then the rest by votes.
    rows.sort(key=lambda r: (not r.funded, r.position or 0, -r.votes, r.cost, str(r.proposal.id)))
    return rows


def row_for(proposal: Proposal, stored: CountedResult) -> ResultRow | None:
    """One proposal's line of the results (None if it was not on the ballot), as the results
    page gives it: its page says whether it was funded and why, in the same words."""
    entry = stored.details["projects"].get(str(proposal.id))
    if entry is None:
        return None
    return _row(proposal.consultation, stored, proposal, entry)


def _row(
    consultation: Consultation, stored: CountedResult, proposal: Proposal, entry: dict[str, Any]
) -> ResultRow:
    return ResultRow(
        proposal=proposal,
        votes=int(entry["votes"]),
        cost=int(entry["cost"]),
        funded=entry["reason"] in (FUNDED, FUNDED_IN_COMPLETION),
        position=entry.get("position"),
        reason=str(entry["reason"]),
        explanation=COUNTING_RULES[stored.rule].explain(
            entry, stored.details, per_point=consultation.ballot_kind == BallotKind.POINTS
        ),
    )


def how_shared(stored: CountedResult) -> list[str]:
    """How the rule shared the budget, in sentences whose numbers the reader can check."""
    return COUNTING_RULES[stored.rule].summary(stored.details)


def served_budget(funded: list[ResultRow]) -> dict[Beneficiary, int]:
    """How much of the funded budget goes to proposals serving each group (a proposal serving
    several groups counts for each of them)."""
    served = dict.fromkeys(Beneficiary, 0)
    for row in funded:
        for group in row.proposal.beneficiaries:
            served[group] += row.cost
    return served
