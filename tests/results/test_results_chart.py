"""The results page's chart at city scale (issue 18): a thousand bars read as nothing and
doubled the page; the chart shows the first bars and says so, the tables list every proposal."""

from __future__ import annotations

from pb.extensions import db
from pb.models import Phase
from pb.results.counting import count_and_store
from tests import factories


def _published(consultation, proposals):
    for i, proposal in enumerate(proposals):
        for _ in range(i + 1):
            factories.make_ballot(consultation, choices=[(proposal.id, 1)])
    factories.seal_ballots(consultation)
    consultation.phase = Phase.PUBLISHED
    count_and_store(consultation)
    db.session.commit()


def test_the_chart_shows_the_first_bars_and_the_tables_all(app, client, world):
    app.config["RESULTS_CHART_BARS"] = 3
    proposals = factories.open_voting(world.consultation, costs=(100_000,) * 6)
    _published(world.consultation, proposals)
    page = client.get(f"/c/{world.consultation.id}/results").get_data(as_text=True)
    chart = page.split('class="chart results-chart"')[1].split("</figure>")[0]
    assert chart.count('class="bar-row') == 3
    assert "The chart shows the first 3 of the 6 proposals" in page
    for proposal in proposals:
        assert f'href="/p/{proposal.id}"' in page


def test_a_chart_with_room_for_every_proposal_says_nothing_of_the_sort(client, world):
    proposals = factories.open_voting(world.consultation, costs=(100_000,) * 6)
    _published(world.consultation, proposals)
    page = client.get(f"/c/{world.consultation.id}/results").get_data(as_text=True)
    chart = page.split('class="chart results-chart"')[1].split("</figure>")[0]
    assert chart.count('class="bar-row') == 6
    assert "The chart shows the first" not in page
