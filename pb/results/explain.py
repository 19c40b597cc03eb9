"""Results as people read them: rows per proposal, and why each was or was not funded."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pb.counting.model import DID_NOT_FIT, FUNDED, FUNDED_IN_COMPLETION, NO_VOTES, NOT_ENOUGH_MONEY
from pb.extensions import db
from pb.i18n import format_som
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


def _fraction(text: str | None) -> Fraction | None:
    return Fraction(text) if text else None


def explain(rule: str, entry: dict[str, object]) -> str:
    """One sentence on why a proposal was or was not funded, in the reader's language."""
    reason = entry["reason"]
    if reason == NO_VOTES:
        return _("Nobody voted for it.")
    if rule != "equal-shares":
        if reason == FUNDED:
            return _("Funded in its turn by votes: it fitted in what was left of the budget.")
        return _(
            "When its turn came only %(left)s was left, less than its cost.",
            left=format_som(int(entry.get("remaining_budget") or 0)),
        )
    price = _fraction(entry.get("price"))  # type: ignore[arg-type]
    if reason == FUNDED:
        if price is not None:
            return _(
                "Its supporters paid for it together from their equal shares, about %(price)s each.",
                price=format_som(round(price)),
            )
        return _("Its supporters paid for it together from their equal shares.")
    if reason == FUNDED_IN_COMPLETION:
        return _("Funded with the money Equal Shares left over, in order of votes.")
    money = _fraction(entry.get("supporters_money"))  # type: ignore[arg-type]
    if reason == NOT_ENOUGH_MONEY and money is not None:
        return _(
            "Its supporters had only %(money)s left between them, less than its cost: they had already "
            "paid for proposals they liked more.",
            money=format_som(int(money)),
        )
    if reason == DID_NOT_FIT:
        return _("It did not fit in the money that was left.")
    return _("Its supporters did not have enough money left between them to pay for it.")


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
    rows = []
    for pid, entry in stored.details["projects"].items():  # type: ignore[union-attr]
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
                explanation=explain(stored.rule, entry),
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
