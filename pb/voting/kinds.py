"""Ballot kinds: what a valid ballot is, one class per kind, found by name in ``KINDS``.

A selection maps proposal ids to points (1 on approval and budget ballots). The checks here know
nothing of requests or the database: they take the ballot's proposals and settings as values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from pb.errors import RuleViolation
from pb.i18n import format_som
from pb.models import BallotKind

Selection = Mapping[int, int]


@dataclass(frozen=True)
class SentChoices:
    """A ballot's choices as a form sent them (the proposals on a ballot vary, so no form class
    declares them): the ticked proposals' ids, and proposal id → points given."""

    ticked: Sequence[str] = ()
    points: Mapping[str, str] = dataclass_field(default_factory=dict)


def read_selection(sent: SentChoices, uses_points: bool) -> Selection:
    """The choices sent, as proposal id → points (1 for a ticked proposal). Ids that are not on
    the ballot are kept, so that the ballot's own check names them; what is not a whole number
    is refused."""
    selection: dict[int, int] = {}
    if uses_points:
        for proposal, given in sent.points.items():
            given = given.strip()
            if not given:
                continue
            if not (_plain_number(proposal, 12) and _plain_number(given, 6)):
                raise RuleViolation(_POINTS_NOT_WHOLE)
            if int(given) > 0:
                selection[int(proposal)] = int(given)
        return selection
    for proposal in sent.ticked:
        if not _plain_number(proposal, 12):
            raise RuleViolation(_POINTS_NOT_WHOLE)
        selection[int(proposal)] = 1
    return selection


def _plain_number(text: str, digits: int) -> bool:
    return text.isascii() and text.isdecimal() and len(text) <= digits


_POINTS_NOT_WHOLE = _l("Points must be whole numbers above zero.")


@dataclass(frozen=True)
class BallotRules:
    """What a ballot must respect: the proposals on it (id → cost) and the officer's settings."""

    costs: Mapping[int, int]
    budget: int
    approval_limit: int | None = None
    points_total: int | None = None


class BallotKindRules:
    #: True where the voter gives points, False where they tick proposals.
    uses_points = False

    def errors(self, selection: Selection, rules: BallotRules) -> list[object]:
        """Why ``selection`` is not a valid ballot, in the reader's language; empty if valid."""
        problems: list[object] = []
        if any(pid not in rules.costs for pid in selection):
            problems.append(_l("Some of your choices are not on this ballot."))
        if any(points <= 0 for points in selection.values()):
            problems.append(_l("Points must be whole numbers above zero."))
        if not selection:
            problems.append(_l("Choose at least one proposal."))
        return problems or self.kind_errors(selection, rules)

    def kind_errors(self, selection: Selection, rules: BallotRules) -> list[object]:
        return []

    def settings_errors(self, rules: BallotRules) -> list[object]:
        return []

    def paper_rule(self, rules: BallotRules) -> object:
        """How to fill in a printed ballot of this kind, in the reader's language."""
        raise NotImplementedError


class ApprovalRules(BallotKindRules):
    def paper_rule(self, rules: BallotRules) -> object:
        return _ln(
            "Put a tick in the box of at most %(num)d proposal.",
            "Put a tick in the boxes of at most %(num)d proposals.",
            rules.approval_limit or 0,
        )

    def kind_errors(self, selection: Selection, rules: BallotRules) -> list[object]:
        limit = rules.approval_limit or 0
        if any(points != 1 for points in selection.values()):
            return [_l("Some of your choices are not on this ballot.")]
        if len(selection) > limit:
            return [
                _ln(
                    "You chose %(chosen)d proposals; you may choose at most %(num)d.",
                    "You chose %(chosen)d proposals; you may choose at most %(num)d.",
                    limit,
                    chosen=len(selection),
                )
            ]
        return []

    def settings_errors(self, rules: BallotRules) -> list[object]:
        if not rules.approval_limit or rules.approval_limit < 1:
            return [_l("Say how many proposals a voter may choose.")]
        return []


class BudgetRules(BallotKindRules):
    def paper_rule(self, rules: BallotRules) -> object:
        return _l(
            "Put a tick in the boxes of the proposals you want funded. Their total cost must "
            "not be more than the budget of %(budget)s.",
            budget=format_som(rules.budget),
        )

    def kind_errors(self, selection: Selection, rules: BallotRules) -> list[object]:
        if any(points != 1 for points in selection.values()):
            return [_l("Some of your choices are not on this ballot.")]
        total = sum(rules.costs[pid] for pid in selection)
        if total > rules.budget:
            return [
                _l(
                    "Your choices cost %(total)s: %(over)s more than the budget of %(budget)s. "
                    "Untick some proposals.",
                    total=format_som(total),
                    over=format_som(total - rules.budget),
                    budget=format_som(rules.budget),
                )
            ]
        return []


class PointsRules(BallotKindRules):
    uses_points = True

    def paper_rule(self, rules: BallotRules) -> object:
        return _ln(
            "Write points in the boxes: %(num)d point in all, more points for what matters "
            "more to you.",
            "Write points in the boxes: %(num)d points in all, more points for what matters "
            "more to you.",
            rules.points_total or 0,
        )

    def kind_errors(self, selection: Selection, rules: BallotRules) -> list[object]:
        given = sum(selection.values())
        if given != rules.points_total:
            return [
                _ln(
                    "You gave %(given)d points; share exactly %(num)d point.",
                    "You gave %(given)d points; share exactly %(num)d points.",
                    rules.points_total or 0,
                    given=given,
                )
            ]
        return []

    def settings_errors(self, rules: BallotRules) -> list[object]:
        if not rules.points_total or rules.points_total < 1:
            return [_l("Say how many points each voter shares.")]
        return []


KINDS: dict[BallotKind, BallotKindRules] = {
    BallotKind.APPROVAL: ApprovalRules(),
    BallotKind.BUDGET: BudgetRules(),
    BallotKind.POINTS: PointsRules(),
}
