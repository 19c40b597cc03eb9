import re

import pytest

from pb.disclosure import hide
from pb.extensions import db
from pb.models import Channel, Gender, Phase, PopulationFigures
from tests import factories


def test_groups_under_five_are_hidden_and_cannot_be_worked_out():
    assert hide({"a": 10, "b": 7, "c": 0}) == {"a": 10, "b": 7, "c": 0}
    # One small group alone would be readable from the total: the next smallest goes too.
    assert hide({"a": 10, "b": 7, "c": 2}) == {"a": 10, "b": None, "c": None}
    assert hide({"a": 10, "b": 3, "c": 2}) == {"a": 10, "b": None, "c": None}


def add_ballots(consultation, n, **details):
    for _ in range(n):
        factories.make_ballot(consultation, **details)
    db.session.commit()


@pytest.fixture
def voted(world):
    c = world.consultation
    factories.open_voting(c)
    big, small = c.villages[0], c.villages[1]
    add_ballots(c, 12, gender=Gender.FEMALE, age_group="18-35", village_id=big.id)
    add_ballots(c, 8, gender=Gender.MALE, age_group="36-59", village_id=big.id)
    add_ballots(
        c, 2, gender=Gender.MALE, age_group="60+", village_id=small.id, channel=Channel.PAPER
    )
    db.session.add(
        PopulationFigures(municipality_id=world.municipality.id, adults=1000, women=520, youth=400)
    )
    c.phase = Phase.CLOSED
    factories.seal_ballots(c)
    db.session.commit()
    return c


def test_council_sees_figures_before_publication_with_small_groups_hidden(council_client, voted):
    page = council_client.get(f"/c/{voted.id}/participation").get_data(as_text=True)
    assert "22 voters" in page
    assert "too few to show" in page
    # Women: 12 of 22 who said = 55 %, against 52 % of the population.
    assert "55%" in page and "52%" in page
    # Youth (14–35): 12 of 22 = 55 %, population 40 %.
    assert "40%" in page
    assert "<svg" in page
    # The village with 2 voters is not shown with its number.
    rows = re.findall(r"<tr><th scope=\"row\">([^<]+)</th>\s*<td>([^<]+)</td>", page)
    small = voted.villages[1].name
    assert (small, "too few to show") in rows and (small, "2") not in rows


def test_figures_are_public_only_after_publication(app, voted):
    assert app.test_client().get(f"/c/{voted.id}/participation").status_code == 403
    resident = factories.make_user(voted.municipality)
    assert app.test_client(user=resident).get(f"/c/{voted.id}/participation").status_code == 403
    voted.phase = Phase.PUBLISHED
    db.session.commit()
    assert app.test_client().get(f"/c/{voted.id}/participation").status_code == 200


def test_without_population_figures_the_page_says_so(council_client, voted):
    db.session.query(PopulationFigures).delete()
    db.session.commit()
    page = council_client.get(f"/c/{voted.id}/participation").get_data(as_text=True)
    assert "population figures are not entered" in page
