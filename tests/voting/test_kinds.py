"""What a valid ballot is, for each kind (pure rules, no requests)."""

import pytest
from flask_babel import force_locale

from pb.models import BallotKind
from pb.voting.kinds import KINDS, BallotRules

COSTS = {1: 400, 2: 300, 3: 250, 4: 100}


def errors(kind, selection, **settings):
    rules = BallotRules(costs=COSTS, budget=1000, **settings)
    with force_locale("en"):
        return [str(e) for e in KINDS[kind].errors(selection, rules)]


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def test_approval_allows_up_to_k():
    assert errors(BallotKind.APPROVAL, {1: 1, 2: 1}, approval_limit=2) == []
    assert errors(BallotKind.APPROVAL, {1: 1, 2: 1, 3: 1}, approval_limit=2) == [
        "You chose 3 proposals; you may choose at most 2."
    ]


def test_budget_ballot_must_fit_the_budget():
    assert errors(BallotKind.BUDGET, {1: 1, 2: 1, 3: 1}) == []  # 950
    [message] = errors(BallotKind.BUDGET, {1: 1, 2: 1, 3: 1, 4: 1})  # 1050
    assert "1,050\xa0som" in message and "50\xa0som more than the budget of 1,000\xa0som" in message


def test_points_must_sum_to_n():
    assert errors(BallotKind.POINTS, {1: 6, 4: 4}, points_total=10) == []
    assert errors(BallotKind.POINTS, {1: 6, 4: 3}, points_total=10) == [
        "You gave 9 points; share exactly 10 points."
    ]


@pytest.mark.parametrize("kind", list(BallotKind))
def test_every_kind_refuses_empty_unknown_and_negative(kind):
    settings = {"approval_limit": 3, "points_total": 10}
    assert errors(kind, {}, **settings) == ["Choose at least one proposal."]
    assert "Some of your choices are not on this ballot." in errors(kind, {99: 1}, **settings)
    assert "Points must be whole numbers above zero." in errors(kind, {1: -2}, **settings)


def test_settings_need_k_and_n():
    empty = BallotRules(costs={}, budget=1)
    with force_locale("en"):
        assert KINDS[BallotKind.APPROVAL].settings_errors(empty)
        assert KINDS[BallotKind.POINTS].settings_errors(empty)
        assert not KINDS[BallotKind.BUDGET].settings_errors(empty)
