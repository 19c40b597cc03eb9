"""The order of the proposals on printed paper ballots: drawn once, kept, the same on every
page that numbers them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from pb.errors import PermissionDenied, RuleViolation
from pb.models import Phase, ProposalStatus
from pb.voting import ordering
from tests import factories


@dataclass(frozen=True)
class Item:
    id: int


ITEMS = [Item(i) for i in range(1, 21)]


def test_without_a_draw_the_order_is_the_online_ballots() -> None:
    assert ordering.in_paper_order(ITEMS, None) == ITEMS


def test_a_seed_always_draws_the_same_order() -> None:
    drawn = ordering.in_paper_order(ITEMS, "a1b2")
    assert drawn == ordering.in_paper_order(list(reversed(ITEMS)), "a1b2")
    assert sorted(drawn, key=lambda item: item.id) == ITEMS
    assert drawn != ITEMS
    assert ordering.in_paper_order(ITEMS, "c3d4") != drawn


def test_a_proposal_added_after_the_draw_leaves_the_others_in_their_order() -> None:
    drawn = ordering.in_paper_order(ITEMS, "a1b2")
    grown = ordering.in_paper_order([*ITEMS, Item(99)], "a1b2")
    assert [item for item in grown if item.id != 99] == drawn


def test_the_order_is_drawn_only_before_voting_and_only_by_officers(
    app: Flask, world: factories.World
) -> None:
    with app.test_request_context():
        _draw_only_before_voting(world)


def _draw_only_before_voting(world: factories.World) -> None:
    consultation = world.consultation
    factories.make_proposal(consultation, status=ProposalStatus.ACCEPTED)
    with pytest.raises(PermissionDenied):
        ordering.set_random_order(world.resident, consultation, True)
    with pytest.raises(PermissionDenied):
        ordering.set_random_order(world.outside_officer, consultation, True)
    ordering.set_random_order(world.officer, consultation, True)
    seed = consultation.paper_order_seed
    assert seed and len(seed) == 32
    consultation.phase = Phase.VOTING
    with pytest.raises(RuleViolation):
        ordering.set_random_order(world.officer, consultation, True)
    with pytest.raises(RuleViolation):
        ordering.set_random_order(world.officer, consultation, False)
    assert consultation.paper_order_seed == seed
