"""A resident logs in with her phone number and fills a budget ballot in English, guided by the
running total; the server refuses a ballot over the budget and takes the corrected one.

Elements are found by ids, hrefs, roles and values, never by translated text. Amounts in the
running tally are grouped as the server groups them (test_ballot_amounts.py has ky and ru).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from pb.extensions import db
from pb.models import Ballot, Channel
from tests import factories
from tests.browser.conftest import PHONE, LiveServer, Network, check_page, follow, html_lang

pytestmark = pytest.mark.browser

COSTS = (400_000, 300_000, 250_000, 100_000)  # 1,050,000 in all: 50,000 over the budget


def _ballots(world: factories.World) -> list[tuple[Channel, list[int]]]:
    return [
        (ballot.channel, sorted(ballot.choices)) for ballot in db.session.scalars(select(Ballot))
    ]


# What covers the centre of the focused element; None if nothing does (or only its label).
COVERED_BY = """() => {
  const el = document.activeElement, box = el.getBoundingClientRect();
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  if (el.contains(top) || (top && top.htmlFor === el.id)) return null;
  return top ? top.outerHTML : 'nothing';
}"""


def _tab_through_ballot(page: Any) -> None:
    """With the keyboard, on a short screen, the sticky tally never hides the focused field."""
    page.set_viewport_size({"width": PHONE["width"], "height": 480})
    try:
        page.evaluate("window.scrollTo(0, 0)")
        page.locator("main > p > a").first.focus()
        seen = 0
        while True:
            page.keyboard.press("Tab")
            if not page.evaluate("!!document.activeElement.closest('fieldset.ballot')"):
                break
            seen += 1
            covered = page.evaluate(COVERED_BY)
            focused = page.evaluate("document.activeElement.outerHTML")
            assert covered is None, f"{focused} has the focus but is hidden by {covered}"
        assert seen == 8  # four checkboxes and their four "Details" links
    finally:
        page.set_viewport_size(PHONE)


def test_resident_votes_on_a_budget_ballot_with_the_running_total(
    page: Any, live_server: LiveServer, network: Network
) -> None:
    consultation_id = live_server.consultation_id

    def seed(world: factories.World) -> list[int]:
        return [p.id for p in factories.open_voting(world.consultation, costs=COSTS)]

    ids = live_server.run(seed)
    assert live_server.run(lambda w: w.consultation.budget) == 1_000_000
    cost_of = dict(zip(ids, COSTS, strict=False))

    page.goto(f"/c/{consultation_id}")
    assert html_lang(page) == "en"
    check_page(page)

    # Log in from the consultation's page with the phone number, as written on a phone.
    follow(page, page.locator('header a[href*="/login"]'))
    check_page(page)
    form = page.locator("main form")
    form.locator("#login").fill("0555 123 456")
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    logged_in = page.locator('header a[href$="/account"]')
    assert logged_in.count() == 1, page.locator("main").inner_text()
    assert page.url.endswith(f"/c/{consultation_id}"), page.url
    assert html_lang(page) == "en"
    check_page(page)

    follow(page, page.locator(f'main a[href$="/c/{consultation_id}/vote"]'))
    assert page.url.endswith(f"/c/{consultation_id}/vote")
    assert html_lang(page) == "en"
    ballot = page.locator("main fieldset.ballot")
    tally = ballot.locator(".tally")
    # Hidden until the script runs, then shown at once with nothing chosen.
    tally.wait_for(state="visible")
    assert "1,000,000" in tally.inner_text()
    check_page(page)
    _tab_through_ballot(page)

    def box(proposal_id: int) -> Any:
        return ballot.locator(f"input[name=choice][value='{proposal_id}']")

    box(ids[0]).check()
    box(ids[1]).check()
    assert cost_of[ids[0]] + cost_of[ids[1]] == 700_000
    text = tally.inner_text()
    assert "700,000" in text and "300,000" in text, text
    assert "over" not in (tally.get_attribute("class") or "").split()

    box(ids[2]).check()
    box(ids[3]).check()
    assert "over" in tally.get_attribute("class").split()
    assert "50,000" in tally.inner_text()
    check_page(page)  # the warning colours must stay readable too

    # The script only helps: the server refuses the ballot itself and stores nothing.
    follow(page, page.locator("main form.ballot-form button[type=submit]"))
    assert page.url.endswith(f"/c/{consultation_id}/vote")
    assert page.locator("main .flash-error").count() == 1, page.locator("main").inner_text()
    assert live_server.run(_ballots) == []
    # The ballot comes back as sent, with the tally still saying what is wrong.
    assert ballot.locator("input[name=choice]:checked").count() == 4
    tally.wait_for(state="visible")
    assert "over" in tally.get_attribute("class").split()
    check_page(page)

    box(ids[0]).uncheck()  # 650,000: fits
    text = tally.inner_text()
    assert "650,000" in text and "350,000" in text, text
    assert "over" not in tally.get_attribute("class").split()
    follow(page, page.locator("main form.ballot-form button[type=submit]"))
    assert page.url.endswith(f"/c/{consultation_id}/voted"), page.locator("main").inner_text()
    assert html_lang(page) == "en"
    receipt = page.locator("main .receipt").inner_text().strip()
    assert len(receipt.replace("-", "")) == 12, receipt
    check_page(page)

    assert live_server.run(_ballots) == [(Channel.ONLINE, sorted(ids[1:]))]

    network.assert_no_errors()
    network.assert_only_from(live_server.url)
