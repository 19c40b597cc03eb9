"""The review queue in pages (issue 18): a city's thousands of waiting proposals are not one
page; the links between pages are plain links, and a bad page number is never a 500."""

from __future__ import annotations

import re

import pytest

from pb.models import ProposalStatus
from tests import factories


@pytest.fixture
def queue(app, world):
    """Seven proposals waiting, three to a page, oldest first."""
    app.config["REVIEW_QUEUE_PER_PAGE"] = 3
    factories.make_proposal(world.consultation, status=ProposalStatus.ACCEPTED, title="Decided")
    return [factories.make_proposal(world.consultation, title=f"Waiting {i}").id for i in range(7)]


def _shown(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/p/(\d+)/review"', page)]


def test_page_two_shows_the_next_proposals_oldest_first(officer_client, world, queue):
    url = f"/c/{world.consultation.id}/review"
    first = officer_client.get(url).get_data(as_text=True)
    assert _shown(first) == queue[:3]
    # The count is of the whole queue, not of the page.
    assert "7 proposals wait for review." in first
    assert "Page 1 of 3" in first
    (next_link,) = re.findall(r'href="([^"]+)" rel="next"', first)
    second = officer_client.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    assert _shown(second) == queue[3:6]
    assert "Showing 4–6, oldest first." in second
    assert 'rel="prev"' in second and 'rel="next"' in second
    last = officer_client.get(f"{url}?page=3").get_data(as_text=True)
    assert _shown(last) == queue[6:]
    assert 'rel="next"' not in last and "Decided" not in first + second + last


def test_a_short_queue_has_no_page_links(officer_client, world):
    factories.make_proposal(world.consultation, title="Alone")
    page = officer_client.get(f"/c/{world.consultation.id}/review").get_data(as_text=True)
    assert "Alone" in page and 'class="pager"' not in page


def test_the_page_links_keep_the_rest_of_the_address(officer_client, world, queue):
    page = officer_client.get(f"/c/{world.consultation.id}/review?page=2&view=short")
    links = re.findall(r'href="([^"]+)" rel="(?:prev|next)"', page.get_data(as_text=True))
    assert len(links) == 2
    assert all("view=short" in link for link in links)


@pytest.mark.parametrize("page", ["abc", "0", "-3", "1.5", "", "1e3"])
def test_a_page_number_that_is_no_number_gives_the_first_page(officer_client, world, queue, page):
    response = officer_client.get(f"/c/{world.consultation.id}/review?page={page}")
    assert response.status_code == 200
    assert _shown(response.get_data(as_text=True)) == queue[:3]


@pytest.mark.parametrize("page", ["4", "999", "99999999999999999999999"])
def test_a_page_past_the_end_is_404(officer_client, world, queue, page):
    assert officer_client.get(f"/c/{world.consultation.id}/review?page={page}").status_code == 404


@pytest.mark.parametrize("query", ["_method=POST", "_scheme=http", "_external=1", "endpoint=x"])
def test_names_url_for_takes_for_its_own_do_not_break_the_links(
    officer_client, world, queue, query
):
    """They once made the list's links fail to build: a 500 (the proposals list as well)."""
    for path in ("review", "proposals"):
        response = officer_client.get(f"/c/{world.consultation.id}/{path}?page=2&{query}")
        assert response.status_code == 200, path


def test_an_officer_of_another_municipality_gets_no_page_of_the_queue(
    outside_officer_client, resident_client, world, queue
):
    for client in (outside_officer_client, resident_client):
        for page in ("1", "2"):
            response = client.get(f"/c/{world.consultation.id}/review?page={page}")
            assert response.status_code == 403
            assert "Waiting" not in response.get_data(as_text=True)


def test_the_queue_page_takes_the_same_queries_whatever_its_length(
    officer_client, world, queue, count_queries
):
    url = f"/c/{world.consultation.id}/review"
    with count_queries() as short:
        officer_client.get(url)
    for i in range(20):
        factories.make_proposal(world.consultation, title=f"More {i}")
    with count_queries() as long:
        officer_client.get(f"{url}?page=5")
    assert long.count == short.count
