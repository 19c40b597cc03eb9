"""Exported .pb files pass pabulib's own validator (pabulib-checker, a test-only dependency).

The checker recomputes the declared rule from the file's ballots and compares it with the
``selected`` column, so these tests also show that a recount from the file gives pb's result.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from pb.counting.pabulib import parse_pb
from pb.extensions import db
from pb.models import Ballot, BallotKind, Channel, CountedResult, Phase
from tests import factories

checker = pytest.importorskip("pabulib.checker", reason="pabulib-checker is not installed")


def check(text: str) -> dict:
    """The checker's findings for one file: {"errors": {...}, "warnings": {...}}."""
    report = checker.Checker().process_files([text])
    (key,) = [k for k in report if k not in ("metadata", "summary")]
    return report[key]["results"]


def export(client, consultation) -> str:
    response = client.get(f"/c/{consultation.id}/export/ballots.pb")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def cast(consultation, choices: dict) -> None:
    ballot = Ballot(consultation_id=consultation.id, channel=Channel.PAPER)
    ballot.choices = {p.id: n for p, n in choices.items()}
    db.session.add(ballot)


def close(consultation) -> None:
    consultation.phase = Phase.CLOSED
    db.session.commit()


def selected(text: str) -> dict[str, str]:
    election = parse_pb(text)
    return {pid: values["selected"] for pid, values in election.project_meta.items()}


def test_greedy_export_passes_and_lists_the_funded(council_client, world):
    c = world.consultation
    p1, p2, p3, p4, unvoted = factories.open_voting(
        c, costs=(400_000, 300_000, 250_000, 100_000, 5_000)
    )
    for _ in range(4):
        cast(c, {p1: 1, p2: 1})
    cast(c, {p3: 1, p4: 1})
    # p3 and p4 tie on one vote: the cheaper p4 comes first; then p3 no longer fits.
    close(c)
    text = export(council_client, c)
    assert check(text) == {"errors": {}, "warnings": {}}
    assert selected(text) == {str(p1.id): "1", str(p2.id): "1", str(p4.id): "1", str(p3.id): "0"}
    # The unvoted proposal is left out, and named in the comment.
    assert f"received no votes are not listed (they cannot be funded): {unvoted.id}." in text
    assert "rule;greedy\n" in text


def test_equal_shares_with_greedy_completion_marks_the_completion(council_client, world):
    c = world.consultation
    c.budget = 1_000
    db.session.commit()
    a, b, x, y = factories.open_voting(
        c, costs=(600, 300, 350, 100), counting_rule="equal-shares", complete_with_greedy=True
    )
    # Equal Shares funds a and b; raising the shares, x becomes affordable (at 163 per voter)
    # before y does (at 175), and a, b, x overspend: Add1 stops at a, b. Greedy then adds y.
    for _ in range(6):
        cast(c, {a: 1})
    for _ in range(3):
        cast(c, {b: 1, x: 1})
    cast(c, {b: 1, x: 1, y: 1})
    close(c)
    text = export(council_client, c)
    assert check(text)["errors"] == {}
    marks = selected(text)
    assert "rule;equalshares/add1\n" in text
    assert marks == {str(a.id): "1", str(b.id): "1", str(x.id): "0", str(y.id): "2"}
    assert "selected=2: funded by the greedy completion" in text


def test_points_ballot_and_a_budget_that_covers_everything(council_client, world):
    c = world.consultation
    p1, p2 = factories.open_voting(
        c, costs=(100_000, 200_000), kind=BallotKind.POINTS, points_total=5
    )
    cast(c, {p1: 3, p2: 2})
    cast(c, {p2: 5})
    close(c)
    text = export(council_client, c)
    findings = check(text)
    assert findings["errors"] == {}, findings
    assert "fully_funded;1" in text and "max_sum_points;5" in text


ROUNDS = 40


@pytest.mark.parametrize("rule", ["greedy", "equal-shares"])
def test_random_consultations_export_valid_files(council_client, world, rule):
    """Many small elections with ties in votes: every export passes, and the checker's recount
    agrees with pb's (for Equal Shares on approval ballots). Costs differ: where two projects tie
    in both cost and votes, the checker (1.0.8) gives up on Equal Shares ("tie-breaking failed")
    rather than compare ids; see the next test."""
    rng = random.Random(rule)
    c = world.consultation
    c.budget = 1_000
    db.session.commit()
    proposals = factories.open_voting(
        c, costs=tuple(rng.sample(range(80, 450), 7)), counting_rule=rule
    )
    declared = Counter()
    for round_ in range(ROUNDS):
        # A new election on the same proposals: fresh ballots, no stored result.
        db.session.execute(db.delete(Ballot).where(Ballot.consultation_id == c.id))
        db.session.execute(db.delete(CountedResult).where(CountedResult.consultation_id == c.id))
        c.phase = Phase.VOTING
        for _ in range(rng.randint(3, 25)):
            chosen = rng.sample(proposals, rng.randint(1, 3))
            if sum(p.estimated_cost for p in chosen) <= c.budget:
                cast(c, dict.fromkeys(chosen, 1))
        close(c)
        text = export(council_client, c)
        findings = check(text)
        assert findings["errors"] == {}, (round_, findings, text)
        declared[parse_pb(text).meta["rule"]] += 1
    # Both ways of declaring Equal Shares occur: the checker's name, and "unknown" where the
    # checker's own Add1 loop would give another outcome.
    if rule == "equal-shares":
        assert declared["equalshares/add1"] > 0 and declared["unknown"] > 0, declared
    else:
        assert set(declared) == {"greedy"}
