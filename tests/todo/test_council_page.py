"""A council member's page: the results awaiting the council's decision."""

from __future__ import annotations

from datetime import date

import pytest

from pb.extensions import db
from pb.models import CouncilDecision, Decision, Phase
from tests import factories


def _page(client, world) -> str:
    response = client.get(f"/m/{world.municipality.slug}/awaiting-decision")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "client_name", ["resident_client", "officer_client", "outsider_client", "admin_client"]
)
def test_only_the_municipalitys_council_members_see_it(request, world, client_name):
    client = request.getfixturevalue(client_name)
    assert client.get(f"/m/{world.municipality.slug}/awaiting-decision").status_code == 403


def test_unknown_municipality(council_client, world):
    assert council_client.get("/m/nope/awaiting-decision").status_code == 404


def test_closed_and_published_results_without_a_decision_are_listed(world, council_client):
    closed = factories.make_consultation(world.municipality, Phase.CLOSED, title_en="Closed one")
    published = factories.make_consultation(
        world.municipality, Phase.PUBLISHED, title_en="Published one"
    )
    decided = factories.make_consultation(
        world.municipality, Phase.PUBLISHED, title_en="Decided one"
    )
    factories.make_consultation(world.municipality, Phase.VOTING, title_en="Voting one")
    factories.make_consultation(world.other_municipality, Phase.CLOSED, title_en="Ton's one")
    db.session.add(
        CouncilDecision(
            consultation_id=decided.id, decision=Decision.APPROVED, decided_on=date(2026, 12, 1)
        )
    )
    db.session.commit()
    page = _page(council_client, world)
    assert "Closed one" in page and "Published one" in page
    assert f"/c/{closed.id}/decision" in page and f"/c/{published.id}/results" in page
    for absent in ("Decided one", "Voting one", "Ton&#39;s one", "Budget 2027"):
        assert absent not in page


def test_nothing_awaiting(world, council_client):
    assert "No results are waiting for a decision." in _page(council_client, world)


def test_links_to_the_pages_of_each_role(world, council_client, officer_client, resident_client):
    municipality = world.municipality.slug
    page = council_client.get(f"/m/{municipality}").get_data(as_text=True)
    assert f"/m/{municipality}/awaiting-decision" in page and f"/m/{municipality}/tasks" not in page
    page = officer_client.get(f"/m/{municipality}").get_data(as_text=True)
    assert f"/m/{municipality}/tasks" in page and "awaiting-decision" not in page
    page = resident_client.get(f"/m/{municipality}").get_data(as_text=True)
    assert "/account/next" in page and "/tasks" not in page and "awaiting-decision" not in page
    page = officer_client.get("/account/next").get_data(as_text=True)
    assert f"/m/{municipality}/tasks" in page
