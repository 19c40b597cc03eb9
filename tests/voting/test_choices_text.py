"""A ballot's choices as its row keeps them (pb.models.voting.ChoicesText)."""

from __future__ import annotations

import pytest
from sqlalchemy import Text, select, type_coerce

from pb.extensions import db
from pb.models import Ballot, Channel
from pb.models.voting import pack_choices, unpack_choices
from tests import factories


def test_choices_are_kept_by_proposal_id_and_read_back_as_given(app, world):
    first, second, third = factories.open_voting(world.consultation, costs=(100, 200, 300))
    ballot = Ballot(
        consultation_id=world.consultation.id,
        channel=Channel.PAPER,
        choices={third.id: 2, first.id: 5},
    )
    empty = Ballot(consultation_id=world.consultation.id, channel=Channel.PAPER)
    db.session.add_all([ballot, empty])
    db.session.commit()
    stored = dict(db.session.execute(select(Ballot.id, type_coerce(Ballot.choices, Text))).all())
    assert stored == {ballot.id: f"{first.id}:5,{third.id}:2", empty.id: ""}
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).choices == {first.id: 5, third.id: 2}
    assert db.session.get(Ballot, empty.id).choices == {}
    assert second.id not in db.session.get(Ballot, ballot.id).choices


@pytest.mark.parametrize("choices", [{1: 0}, {2: -3}, {0: 1}, {-4: 1}])
def test_a_choice_without_points_or_proposal_is_refused(choices):
    with pytest.raises(ValueError):
        pack_choices(choices)


def test_packing_and_unpacking_are_inverse():
    choices = {40: 3, 12: 1, 7: 10}
    assert pack_choices(choices) == "7:10,12:1,40:3"
    assert unpack_choices(pack_choices(choices)) == choices
    assert unpack_choices("") == {} and pack_choices({}) == ""
