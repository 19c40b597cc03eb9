"""Results as people read them: rows per proposal, and why each was or was not funded."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pb.counting.model import FUNDED, FUNDED_IN_COMPLETION
from pb.counting_rules import COUNTING_RULES
from pb.extensions import db
from pb.models import Beneficiary, Consultation, CountedResult, Proposal


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
    rule = COUNTING_RULES[stored.rule]
    rows = []
    for pid, entry in stored.details["projects"].items():
        proposal = proposals.get(pid)
        if proposal is None:
            continue
        rows.append(
            ResultRow(
                proposal=proposal,
                votes=int(entry["votes"]),
                cost=int(entry["cost"]),
                funded=entry["reason"] in (FUNDED, FUNDED_IN_COMPLETION),
                position=entry.get("position"),
                reason=str(entry["reason"]),
                explanation=rule.explain(entry),
            )
        )
    # Funded in the order funded, then the rest by votes.
    rows.sort(key=lambda r: (not r.funded, r.position or 0, -r.votes, r.cost, str(r.proposal.id)))
    return rows


def served_budget(funded: list[ResultRow]) -> dict[Beneficiary, int]:
    """How much of the funded budget goes to proposals serving each group (a proposal serving
    several groups counts for each of them)."""
    served = dict.fromkeys(Beneficiary, 0)
    for row in funded:
        for group in row.proposal.beneficiaries:
            served[group] += row.cost
    return served
