"""The registry of counting rules: every rule pb offers runs pb.counting's own, reads in all three
languages and explains its outcome; no other module spells a rule's name."""

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from pb.counting import CUMULATIVE, FUNDED, NO_VOTES, RULES, Election, Project, equal_shares
from pb.counting_rules import (
    COUNTING_RULES,
    DEFAULT_RULE,
    EQUAL_SHARES,
    GREEDY,
    fully_funded,
    rule_in_pabulib,
)
from pb.extensions import db
from pb.i18n import NBSP
from pb.results.counting import stored_details
from tests import factories

ROOT = Path(__file__).resolve().parent.parent

# Budget 100: a (60, three votes) first; b (50, two votes) no longer fits; c (30, one vote) does.
# 4 voters: A by the first three, B by the third and the fourth.
APPROVALS_A3_B2 = ({"A": 1}, {"A": 1}, {"A": 1, "B": 1}, {"B": 1})

ELECTION = Election(
    budget=100,
    projects=(Project("a", 60), Project("b", 50), Project("c", 30)),
    ballots=({"a": 1, "b": 1}, {"a": 1, "b": 1}, {"a": 1}, {"c": 1}),
)


def test_pb_offers_exactly_the_rules_the_counting_module_has():
    assert set(COUNTING_RULES) == set(RULES)
    assert all(name == rule.name for name, rule in COUNTING_RULES.items())
    assert DEFAULT_RULE in COUNTING_RULES


@pytest.mark.parametrize("name", sorted(COUNTING_RULES))
def test_each_rule_runs_the_counting_modules_own(name):
    assert COUNTING_RULES[name].count(ELECTION, False) == RULES[name](ELECTION)


def test_only_equal_shares_spends_what_it_leaves_by_the_standard_rule():
    assert EQUAL_SHARES.completes_with_greedy and not GREEDY.completes_with_greedy
    assert EQUAL_SHARES.count(ELECTION, True) == equal_shares(ELECTION, complete_greedy=True)
    assert GREEDY.count(ELECTION, True) == GREEDY.count(ELECTION, False)


def test_a_new_consultation_is_counted_by_the_default_rule(app, world):
    consultation = factories.make_consultation(world.municipality)
    db.session.refresh(consultation)
    assert consultation.counting_rule == DEFAULT_RULE


@pytest.mark.parametrize("name", sorted(COUNTING_RULES))
@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_rule_reads_in_kyrgyz_and_russian(app, name, locale):
    rule = COUNTING_RULES[name]
    with app.test_request_context():
        with force_locale("en"):
            english = [str(rule.label), str(rule.title), str(rule.description)]
        with force_locale(locale):
            translated = [str(rule.label), str(rule.title), str(rule.description)]
    assert all(translated) and not set(translated) & set(english)


def test_the_standard_rule_says_why_a_proposal_was_skipped(app):
    outcome = GREEDY.count(ELECTION, False)
    entries = {
        pid: {"reason": r.reason, "remaining_budget": r.remaining_budget}
        for pid, r in outcome.projects.items()
    }
    with app.test_request_context(), force_locale("en"):
        assert GREEDY.explain(entries["a"]).startswith("Funded in its turn by votes")
        assert GREEDY.explain(entries["b"]).replace(NBSP, " ") == (
            "When its turn came only 40 som was left, less than its cost."
        )
        assert GREEDY.explain({"reason": NO_VOTES}) == "Nobody voted for it."


def _explained(app, election: Election, locale: str = "en", per_point: bool = False):
    """The summary and each project's explanation, from the result as pb stores it."""
    outcome = EQUAL_SHARES.count(election, False)
    details = stored_details(outcome, len(election.ballots))
    with app.test_request_context(), force_locale(locale):
        summary = [line.replace(NBSP, " ") for line in EQUAL_SHARES.summary(details)]
        reasons = {
            pid: EQUAL_SHARES.explain(entry, details, per_point).replace(NBSP, " ")
            for pid, entry in details["projects"].items()
        }
    return summary, reasons


def test_equal_shares_names_the_share_and_what_each_supporter_paid(app):
    # 4 voters, budget 100: 25 each. A (60) is shared by its three supporters, 20 each; then B
    # (30): its first supporter has 5 left and pays it all, the other pays 25.
    summary, reasons = _explained(
        app, Election(100, (Project("A", 60), Project("B", 30)), APPROVALS_A3_B2)
    )
    assert summary == [
        "The budget, 100 som, was split equally among 4 voters: 100 som ÷ 4 = 25 som each."
    ]
    assert reasons["A"] == ("Its 3 supporters shared its cost equally: 60 som ÷ 3 = 20 som each.")
    assert reasons["B"] == (
        "Its cost, 30 som, was paid from its supporters' shares: 1 of them paid 25 som. "
        "The other 1 had less than that left and paid all of it: 5 som."
    )


def test_equal_shares_says_when_the_shares_were_raised_and_why_a_proposal_lost(app):
    # 4 voters, budget 100: 25 each, raised to 27 so that A's three supporters can pay 80; B's
    # only supporter then holds 27, less than its 30.
    summary, reasons = _explained(
        app,
        Election(
            100, (Project("A", 80), Project("B", 30)), ({"A": 1}, {"A": 1}, {"A": 1}, {"B": 1})
        ),
    )
    assert summary[0].endswith("100 som ÷ 4 = 25 som each.")
    assert "raised 1 som at a time, to 27 som" in summary[1]
    assert reasons["A"] == "Its 3 supporters shared its cost equally: 80 som ÷ 3 = 26.67 som each."
    assert (
        reasons["B"]
        == "Its 1 supporter held only 27 som (1 × 27 som), less than its cost of 30 som."
    )


def test_equal_shares_says_the_money_went_to_proposals_funded_before(app):
    # Budget 300 among 3: A (200) takes all of v1's and v2's 100; B's only supporter, v1, has
    # nothing left.
    _summary, reasons = _explained(
        app,
        Election(
            300,
            (Project("A", 200), Project("B", 100), Project("C", 100)),
            ({"A": 1, "B": 1}, {"A": 1}, {"C": 1}),
        ),
    )
    assert reasons["B"].startswith("Its 1 supporter had only 0 som left, less than its cost")
    assert "funded before it" in reasons["B"]


def test_equal_shares_on_points_ballots_divides_by_the_points(app):
    def points(budget):
        return Election(
            budget,
            (Project("A", 60), Project("B", 90)),
            ({"A": 3}, {"A": 1}, {"B": 1}, {"B": 1}),
            vote_type=CUMULATIVE,
        )

    # 100 each: A's 4 points at 15 each, 45 and 15.
    _summary, reasons = _explained(app, points(400), per_point=True)
    assert reasons["A"] == (
        "Its supporters shared its cost by their points: 60 som ÷ 4 points = 15 som for each point."
    )
    # 25 each, too little for A (60): raised to 30, the first supporter cannot pay 3 points at
    # 30 and pays her 30, the other pays 30 for her point.
    _summary, reasons = _explained(app, points(100), per_point=True)
    assert reasons["A"] == (
        "Its supporters paid its cost, 60 som, from their shares: 30 som for each point they "
        "gave it, except 1 supporter who had less left and paid all they had."
    )


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_equal_shares_explanations_read_in_kyrgyz_and_russian(app, locale):
    election = Election(100, (Project("A", 60), Project("B", 30)), APPROVALS_A3_B2)
    english = _explained(app, election)
    translated = _explained(app, election, locale)
    assert translated[0] and not set(translated[0]) & set(english[0])
    assert not set(translated[1].values()) & set(english[1].values())
    for text in [*translated[0], *translated[1].values()]:
        assert not {"budget", "supporters", "shares", "each"} & set(re.findall(r"\w+", text))
    # The numbers stay, so the reader can check them in any language.
    assert re.search("100 сом ÷ 4 = .*25 сом", translated[0][0])
    assert re.search("60 сом ÷ 3 = .*20 сом", translated[1]["A"])


def test_an_older_stored_result_is_still_explained(app):
    """Results counted before pb kept who paid all they had: the price, with its proviso."""
    with app.test_request_context(), force_locale("en"):
        text = EQUAL_SHARES.explain({"reason": FUNDED, "price": "25/2", "cost": 100, "votes": 9})
    assert text.replace(NBSP, " ") == (
        "Its supporters paid its cost, 100 som, from their equal shares: 12.5 som each, "
        "or all they had left if that was less."
    )


@pytest.mark.parametrize(
    "declared, name",
    [
        ("greedy", "greedy"),
        ("equalshares", "equal-shares"),
        ("equalshares/add1", "equal-shares"),
        ("unknown", DEFAULT_RULE),
        ("", DEFAULT_RULE),
    ],
)
def test_a_pabulib_files_rule_is_read_as_pbs_own(declared, name):
    assert rule_in_pabulib(declared).name == name


def test_exports_declare_the_rule_pabulibs_checker_recounts():
    assert GREEDY.declared_in_pabulib(ELECTION, False)[0] == "greedy"
    rich = ELECTION.replace(budget=1_000)
    assert fully_funded(rich)
    # Every rule funds everything then; the checker's own Equal Shares would never end.
    assert EQUAL_SHARES.declared_in_pabulib(rich, False)[0] == "greedy"


# A rule's stored name in quotes, as code or a template would compare it.
RULE_NAME = re.compile(
    "|".join(rf"""["']{re.escape(name)}["']""" for name in COUNTING_RULES) + "|equal-shares"
)


def test_no_module_but_the_registry_spells_a_rule_name():
    registry = ROOT / "pb" / "counting_rules.py"
    counting = ROOT / "pb" / "counting"
    paths = [*(ROOT / "pb").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]
    for path in sorted(paths):
        if path == registry or counting in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        assert not RULE_NAME.search(text), path.relative_to(ROOT)
