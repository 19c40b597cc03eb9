"""Counting rules as pb offers them: one class per rule, found by name in ``COUNTING_RULES``.

The rules themselves are pb.counting's (pure Python, no Flask). An entry here adds what the rest
of pb needs around one: what officers and voters read about it, how a consultation's settings
run it, why it funded a proposal or not, and how a pabulib file names it. The names are what
``Consultation.counting_rule`` and ``CountedResult.rule`` store; no other module spells one.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pb.counting import equal_shares, equal_shares_as_pabulib_checker, greedy
from pb.counting.model import (
    APPROVAL,
    DID_NOT_FIT,
    FUNDED,
    FUNDED_IN_COMPLETION,
    NO_VOTES,
    NOT_ENOUGH_MONEY,
    Election,
    Outcome,
)
from pb.i18n import format_number, format_som, som_pattern

#: What a stored result keeps of one proposal (pb.results.counting.stored_details).
Entry = Mapping[str, object]


class CountingRule:
    #: Stored in ``Consultation.counting_rule`` and ``CountedResult.rule``: never renamed.
    name: str
    #: The choice in the voting settings.
    label: LazyString
    #: The rule where a result names it (results page, protocol).
    title: LazyString
    #: How it turns votes into funded proposals, in plain words, on the consultation's page.
    description: LazyString
    #: Whether the officer may have the money it leaves spent by the standard rule.
    completes_with_greedy = False
    #: Whether each funded proposal's explanation says something of its own, worth showing.
    explains_funded = False
    #: The rule in a pabulib file's META section; a file's rule is read by what comes before "/".
    pabulib_name: str

    def count(self, election: Election, complete_with_greedy: bool) -> Outcome:
        raise NotImplementedError

    def explain(self, entry: Entry, details: Entry | None = None, per_point: bool = False) -> str:
        """Why a proposal was or was not funded, in the reader's language, with numbers the
        reader can check. ``details``: the stored result (``pb.results.counting``);
        ``per_point``: the ballots gave points (votes are points, not voters)."""
        if entry["reason"] == NO_VOTES:
            return _("Nobody voted for it.")
        return self.explain_votes(entry, details or {}, per_point)

    def explain_votes(self, entry: Entry, details: Entry, per_point: bool) -> str:
        raise NotImplementedError

    def summary(self, details: Entry) -> list[str]:
        """Sentences on how the rule shared the budget, shown once above the results."""
        return []

    def reads_pabulib(self, rule: str) -> bool:
        """Whether a pabulib file's ``rule`` is this rule (a variant of it, say)."""
        return rule.startswith(self.pabulib_name.split("/")[0])

    def declared_in_pabulib(
        self, election: Election, complete_with_greedy: bool
    ) -> tuple[str, list[str]]:
        """The ``rule`` META value of an exported file, and comments saying how pb counted.

        pabulib's checker recounts the declared rule from the file and compares with
        ``selected``: where its own version of a rule gives another result than pb's, the rule
        is declared "unknown" with the reason in a comment, rather than a name the checker
        would recount differently."""
        raise NotImplementedError


def fully_funded(election: Election) -> bool:
    """Whether the budget covers every project: then every rule funds them all."""
    return sum(p.cost for p in election.projects) <= election.budget


_TIES = "Ties: the cheaper project first, then more votes, then the project id as text."


class GreedyRule(CountingRule):
    name = "greedy"
    label = _l("Standard: most votes first, while the money lasts")
    title = label
    description = _l(
        "Proposals are taken in order of votes, from the most to the fewest. Each is funded if it "
        "still fits in what is left of the budget; if it does not fit, it is skipped and the next "
        "one is considered."
    )
    pabulib_name = "greedy"

    def count(self, election: Election, complete_with_greedy: bool) -> Outcome:
        return greedy(election)

    def explain_votes(self, entry: Entry, details: Entry, per_point: bool) -> str:
        if entry["reason"] == FUNDED:
            return _("Funded in its turn by votes: it fitted in what was left of the budget.")
        left = entry.get("remaining_budget")  # an int in the stored result
        return _(
            "When its turn came only %(left)s was left, less than its cost.",
            left=format_som(left if isinstance(left, int) else 0),
        )

    def declared_in_pabulib(
        self, election: Election, complete_with_greedy: bool
    ) -> tuple[str, list[str]]:
        return self.pabulib_name, [f"Counted by pb with the greedy rule. {_TIES}"]


class EqualSharesRule(CountingRule):
    name = "equal-shares"
    label = _l("Method of Equal Shares: the budget is shared equally among the voters")
    title = _l("Method of Equal Shares")
    description = _l(
        "The Method of Equal Shares is used. The budget is divided equally among all voters. A "
        "proposal is funded if its supporters can pay for it together from their shares; "
        "proposals that give the most per som to their supporters go first. So every group of "
        "voters, large or small, gets a fair part of the budget, not only the largest group."
    )
    completes_with_greedy = True
    explains_funded = True
    pabulib_name = "equalshares/add1"

    def count(self, election: Election, complete_with_greedy: bool) -> Outcome:
        return equal_shares(election, complete_greedy=complete_with_greedy)

    def summary(self, details: Entry) -> list[str]:
        budget, voters = _whole(details.get("budget")), _whole(details.get("ballots"))
        if not budget or not voters:
            return []
        split = Fraction(budget, voters)
        lines = [
            ngettext(
                "The budget, %(budget)s, was split equally among %(num)d voter: "
                "%(budget)s ÷ %(num)d = %(share)s each.",
                "The budget, %(budget)s, was split equally among %(num)d voters: "
                "%(budget)s ÷ %(num)d = %(share)s each.",
                voters,
                budget=format_som(budget),
                share=som(split),
            )
        ]
        share = _fraction(details.get("voter_share"))
        if share is not None and share > split:
            lines.append(
                _(
                    "To spend more of the budget, every share was then raised 1 som at a time, "
                    "to %(share)s, for as long as the proposals funded still fitted in the "
                    "budget together. The shares only decide what is funded: the proposals "
                    "funded cost no more than the budget.",
                    share=som(share),
                )
            )
        return lines

    def explain_votes(self, entry: Entry, details: Entry, per_point: bool) -> str:
        reason = entry["reason"]
        cost, votes = _whole(entry.get("cost")), _whole(entry.get("votes"))
        if reason == FUNDED:
            return self._paid(entry, cost, votes, per_point)
        if reason == FUNDED_IN_COMPLETION:
            return _("Funded with the money Equal Shares left over, in order of votes.")
        money = _fraction(entry.get("supporters_money"))
        if reason == NOT_ENOUGH_MONEY and money is not None:
            share = _fraction(details.get("voter_share"))
            if not per_point and share is not None and money >= share * votes:
                return ngettext(
                    "Its %(num)d supporter held only %(money)s (%(num)d × %(share)s), less "
                    "than its cost of %(cost)s.",
                    "Its %(num)d supporters held only %(money)s between them "
                    "(%(num)d × %(share)s), less than its cost of %(cost)s.",
                    votes,
                    money=som(money),
                    share=som(share),
                    cost=format_som(cost),
                )
            if not per_point:
                return ngettext(
                    "Its %(num)d supporter had only %(money)s left, less than its cost of "
                    "%(cost)s: the rest of their share had paid for proposals funded before it.",
                    "Its %(num)d supporters had only %(money)s left between them, less than its "
                    "cost of %(cost)s: the rest of their shares had paid for proposals funded "
                    "before it.",
                    votes,
                    money=som(money),
                    cost=format_som(cost),
                )
            return _(
                "Its supporters had only %(money)s left between them, less than its cost of "
                "%(cost)s.",
                money=som(money),
                cost=format_som(cost),
            )
        left = entry.get("remaining_budget")
        if reason == DID_NOT_FIT and isinstance(left, int):
            return _(
                "When its turn came only %(left)s was left, less than its cost.",
                left=format_som(left),
            )
        if reason == DID_NOT_FIT:
            return _("It did not fit in the money that was left.")
        return _("Its supporters did not have enough money left between them to pay for it.")

    def _paid(self, entry: Entry, cost: int, votes: int, per_point: bool) -> str:
        """Who paid a funded proposal's cost, and how much, so that the payments add up."""
        price = _fraction(entry.get("price"))
        short = entry.get("paid_all")
        if price is None:
            return _("Its supporters paid for it together from their equal shares.")
        if not isinstance(short, int):  # counted by an older pb, which did not keep it
            if per_point:
                return _(
                    "Its supporters paid its cost, %(cost)s, from their equal shares: %(each)s "
                    "for each point they gave it, or all they had left if that was less.",
                    cost=format_som(cost),
                    each=som(price),
                )
            return _(
                "Its supporters paid its cost, %(cost)s, from their equal shares: %(each)s "
                "each, or all they had left if that was less.",
                cost=format_som(cost),
                each=som(price),
            )
        if per_point:
            if not short:
                return ngettext(
                    "Its supporters shared its cost by their points: %(cost)s ÷ %(num)d point "
                    "= %(each)s for each point.",
                    "Its supporters shared its cost by their points: %(cost)s ÷ %(num)d points "
                    "= %(each)s for each point.",
                    votes,
                    cost=format_som(cost),
                    each=som(price),
                )
            return ngettext(
                "Its supporters paid its cost, %(cost)s, from their shares: %(each)s for each "
                "point they gave it, except %(num)d supporter who had less left and paid all "
                "they had.",
                "Its supporters paid its cost, %(cost)s, from their shares: %(each)s for each "
                "point they gave it, except %(num)d supporters who had less left and paid all "
                "they had.",
                short,
                cost=format_som(cost),
                each=som(price),
            )
        if not short:
            return ngettext(
                "Its %(num)d supporter paid its cost: %(cost)s ÷ %(num)d = %(each)s.",
                "Its %(num)d supporters shared its cost equally: %(cost)s ÷ %(num)d = "
                "%(each)s each.",
                votes,
                cost=format_som(cost),
                each=som(price),
            )
        full = votes - short
        if full <= 0:
            return ngettext(
                "Its %(num)d supporter paid all they had left, %(cost)s, which was its cost.",
                "Its %(num)d supporters paid all they had left, %(cost)s together, which was "
                "its cost.",
                votes,
                cost=format_som(cost),
            )
        rest = cost - price * full
        return " ".join(
            (
                ngettext(
                    "Its cost, %(cost)s, was paid from its supporters' shares: %(num)d of them "
                    "paid %(each)s.",
                    "Its cost, %(cost)s, was paid from its supporters' shares: %(num)d of them "
                    "paid %(each)s each.",
                    full,
                    cost=format_som(cost),
                    each=som(price),
                ),
                ngettext(
                    "The other %(num)d had less than that left and paid all of it: %(rest)s.",
                    "The other %(num)d had less than that left and paid all of it: %(rest)s "
                    "together.",
                    short,
                    rest=som(rest),
                ),
            )
        )

    def declared_in_pabulib(
        self, election: Election, complete_with_greedy: bool
    ) -> tuple[str, list[str]]:
        comments = [
            "Counted by pb with the Method of Equal Shares, completed the Add1 way (voter budgets "
            "raised by 1 KGS at a time)"
            + (", then the greedy rule on what was left" if complete_with_greedy else "")
            + f". {_TIES}"
        ]
        if complete_with_greedy:
            comments.append("selected=2: funded by the greedy completion after Equal Shares.")
        if fully_funded(election):
            # The checker's own Add1 loop never ends when the budget covers every project.
            comments.append(
                "The budget covers every proposal with votes, so every rule funds them all: "
                "the file gives the rule as greedy, which anyone can check."
            )
            return GREEDY.pabulib_name, comments
        by_equal_shares = {
            p for p, values in election.project_meta.items() if values["selected"] == "1"
        }
        if (
            election.vote_type == APPROVAL
            and set(equal_shares_as_pabulib_checker(election)) != by_equal_shares
        ):
            comments.append(
                "Equal Shares with Add1 as pabutools computes it: per-voter budgets from budget / "
                "voters, raised by 1 KGS until the outcome would overspend or spends the budget. "
                "pabulib's checker raises whole per-voter budgets and does not stop when the "
                "budget is spent; here that gives another outcome, so the rule is given as "
                "unknown."
            )
            return "unknown", comments
        return self.pabulib_name, comments


def _fraction(text: object) -> Fraction | None:
    return Fraction(str(text)) if text else None


def _whole(value: object) -> int:
    return value if isinstance(value, int) else 0


def som(amount: Fraction) -> str:
    """An amount that need not be whole som, to the tyiyn: a reader can redo the division."""
    if amount.denominator == 1:
        return format_som(int(amount))
    return som_pattern() % {"amount": format_number(float(round(amount, 2)))}


GREEDY = GreedyRule()
EQUAL_SHARES = EqualSharesRule()

COUNTING_RULES: dict[str, CountingRule] = {rule.name: rule for rule in (GREEDY, EQUAL_SHARES)}

#: The rule of a new consultation, and of an imported file that names no rule pb knows.
DEFAULT_RULE = GREEDY.name


def rule_in_pabulib(rule: str) -> CountingRule:
    """pb's rule for a pabulib file's ``rule`` META value (the default if pb has none)."""
    return next(
        (entry for entry in COUNTING_RULES.values() if entry.reads_pabulib(rule)),
        COUNTING_RULES[DEFAULT_RULE],
    )
