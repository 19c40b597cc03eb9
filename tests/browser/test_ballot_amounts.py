"""The budget ballot's running total in Kyrgyz and Russian: digits grouped with no-break spaces
and "сом" kept with its number, as the server writes them, whatever locale data the browser has.

Chromium is started with an English locale (its number formats would print "600,000") and, for
Kyrgyz, with a Kyrgyz one (for which it may have no data at all): neither may change the total.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.browser.conftest import LiveServer, Network, check_page, follow, html_lang

pytestmark = pytest.mark.browser

NBSP = "\u00a0"
COSTS = (400_000, 300_000, 250_000, 100_000)  # budget 1 000 000


def som(digits: str) -> str:
    return digits.replace(" ", NBSP) + NBSP + "сом"


@pytest.mark.parametrize(
    "lang, browser_locale", [("ky", "en-US"), ("ru", "en-US"), ("ky", "ky-KG"), ("ru", "ru-RU")]
)
def test_running_total_groups_digits_as_the_server_does(
    new_page: Any, live_server: LiveServer, network: Network, lang: str, browser_locale: str
) -> None:
    consultation_id = live_server.consultation_id

    def seed(world: factories.World) -> list[int]:
        world.resident.locale = lang  # her own language, whatever the browser says
        return [p.id for p in factories.open_voting(world.consultation, costs=COSTS)]

    ids = live_server.run(seed)
    page = new_page(locale=browser_locale)
    page.goto("/login")
    form = page.locator("main form")
    form.locator("#login").fill("0555 123 456")
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    page.goto(f"/c/{consultation_id}/vote")
    assert html_lang(page) == lang
    ballot = page.locator("main fieldset.ballot")
    tally = ballot.locator(".tally")
    tally.wait_for(state="visible")
    # Nothing chosen: the whole budget is left, written as the server writes the legend.
    assert som("1 000 000") in tally.inner_text()
    assert som("1 000 000") in ballot.locator("legend").inner_text()

    def box(proposal_id: int) -> Any:
        return ballot.locator(f"input[name=choice][value='{proposal_id}']")

    box(ids[0]).check()
    box(ids[1]).check()
    text = tally.inner_text()
    assert som("700 000") in text and som("300 000") in text, repr(text)
    assert "," not in text.replace(", ", ""), repr(text)

    box(ids[2]).check()
    box(ids[3]).check()
    text = tally.inner_text()
    assert "over" in (tally.get_attribute("class") or "").split()
    assert som("50 000") in text, repr(text)
    assert "50,000" not in text
    check_page(page)

    network.assert_no_errors()
    network.assert_only_from(live_server.url)
