"""Code slips printed in pages (issue 18): a city's batch of thousands of codes was one page of
megabytes that took longer to draw than a request may. Each page is whole A4 sheets, printable
on its own; the links between pages are for the screen only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pb.extensions import db
from pb.models import CodeBatch
from pb.voting import services
from tests import factories
from tests.voting.test_codes import CODE_RE, vote_with


@pytest.fixture
def batch(app, officer_client, world):
    """A batch of 20 codes, printed 8 to a page (one A4 sheet of 8, or two of 4)."""
    app.config["SLIPS_PER_PAGE"] = 8
    factories.open_voting(world.consultation)
    response = officer_client.post(f"/c/{world.consultation.id}/codes", data={"size": "20"})
    assert response.status_code == 302
    return db.session.scalars(select(CodeBatch)).one()


def _slips(client, consultation, batch, query=""):
    return client.get(f"/c/{consultation.id}/codes/{batch.id}/slips{query}")


def test_each_page_prints_its_share_of_the_codes_and_together_all(officer_client, world, batch):
    pages = [
        _slips(officer_client, world.consultation, batch, f"?page={n}").get_data(as_text=True)
        for n in (1, 2, 3)
    ]
    found = [CODE_RE.findall(page) for page in pages]
    assert [len(codes) for codes in found] == [8, 8, 4]
    assert [page.count("<svg") for page in pages] == [8, 8, 4]
    assert [code for codes in found for code in codes] == services.batch_codes(batch)
    assert "Slips 9–16 of 20. Print each page of slips in turn." in pages[1]
    assert "Page 2 of 3" in pages[1]


def test_a_page_is_whole_sheets_in_either_layout(officer_client, world, batch):
    one = _slips(officer_client, world.consultation, batch, "?page=1").get_data(as_text=True)
    two = _slips(officer_client, world.consultation, batch, "?page=1&lang=ky%2Bru")
    assert one.count('<div class="sheet') == 1
    assert two.get_data(as_text=True).count('<div class="sheet bilingual') == 2


def test_the_links_between_pages_are_for_the_screen_and_keep_the_language(
    officer_client, world, batch
):
    page = _slips(officer_client, world.consultation, batch, "?page=2&lang=ky%2Bru")
    html = page.get_data(as_text=True)
    screen = re.search(r'<div class="screen-only">(.*?)</div>', html, re.S)
    assert screen is not None and 'class="pager"' in screen.group(1)
    links = re.findall(r'href="([^"]+)" rel="(?:prev|next)"', screen.group(1))
    assert [link.replace("&amp;", "&") for link in links] == [
        f"/c/{world.consultation.id}/codes/{batch.id}/slips?page=1&lang=ky%2Bru",
        f"/c/{world.consultation.id}/codes/{batch.id}/slips?page=3&lang=ky%2Bru",
    ]


def test_a_small_batch_is_one_page_without_page_links(app, officer_client, world, batch):
    app.config["SLIPS_PER_PAGE"] = 320
    html = _slips(officer_client, world.consultation, batch).get_data(as_text=True)
    assert html.count("<svg") == 20 and 'class="pager"' not in html


@pytest.mark.parametrize("page", ["abc", "0", "-1", ""])
def test_a_page_number_that_is_no_number_gives_the_first_page(officer_client, world, batch, page):
    response = _slips(officer_client, world.consultation, batch, f"?page={page}")
    assert response.status_code == 200
    assert CODE_RE.findall(response.get_data(as_text=True)) == services.batch_codes(batch)[:8]


@pytest.mark.parametrize("page", ["4", "99999999999999999999999"])
def test_a_page_past_the_end_is_404(officer_client, world, batch, page):
    assert _slips(officer_client, world.consultation, batch, f"?page={page}").status_code == 404


def test_the_batch_list_links_each_page_of_slips(officer_client, world, batch):
    html = officer_client.get(f"/c/{world.consultation.id}/codes").get_data(as_text=True)
    pages = re.findall(r'href="[^"]+/slips\?page=(\d)">Slips ([\d–]+)</a>', html)
    assert pages == [("1", "1–8"), ("2", "9–16"), ("3", "17–20")]


def test_used_codes_leave_the_pages(app, officer_client, world, batch):
    """A used code is no longer printed, so the pages close up and the list counts fewer."""
    first = services.batch_codes(batch)[0]
    proposal = services.ballot_proposals(world.consultation)[0]
    assert vote_with(app.test_client(), world.consultation, first, [proposal]).status_code == 302
    html = officer_client.get(f"/c/{world.consultation.id}/codes").get_data(as_text=True)
    assert re.findall(r"slips\?page=\d\">Slips ([\d–]+)</a>", html) == ["1–8", "9–16", "17–19"]
    last = _slips(officer_client, world.consultation, batch, "?page=3").get_data(as_text=True)
    assert len(CODE_RE.findall(last)) == 3 and first not in last


def test_slips_are_for_officers_of_the_municipality(app, world, batch):
    for user in (world.resident, world.council, world.outside_officer):
        response = _slips(app.test_client(user=user), world.consultation, batch, "?page=2")
        assert response.status_code == 403
        assert not CODE_RE.findall(response.get_data(as_text=True))
