"""The registry of counting rules: every rule pb offers runs pb.counting's own, reads in all three
languages and explains its outcome; no other module spells a rule's name."""

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from pb.counting import FUNDED, NO_VOTES, RULES, Election, Project, equal_shares
from pb.counting_rules import (
    COUNTING_RULES,
    DEFAULT_RULE,
    EQUAL_SHARES,
    GREEDY,
    fully_funded,
    rule_in_pabulib,
)
from pb.extensions import db
from tests import factories

ROOT = Path(__file__).resolve().parent.parent

# Budget 100: a (60, three votes) first; b (50, two votes) no longer fits; c (30, one vote) does.
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
        assert GREEDY.explain(entries["b"]) == (
            "When its turn came only 40 som was left, less than its cost."
        )
        assert GREEDY.explain({"reason": NO_VOTES}) == "Nobody voted for it."


def test_equal_shares_says_what_each_supporter_paid(app):
    with app.test_request_context(), force_locale("en"):
        assert EQUAL_SHARES.explain({"reason": FUNDED, "price": "25/2"}) == (
            "Its supporters paid for it together from their equal shares, about 12 som each."
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
