"""An officer logs in, switches to Russian, accepts one proposal with a checked cost and rejects
another with a reason, which everyone can then read.

Elements are found by ids, hrefs, roles and values, never by translated text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from pb.extensions import db
from pb.models import Proposal, ProposalStatus
from tests import factories
from tests.browser.conftest import LiveServer, Network, check_page, follow, html_lang

pytestmark = pytest.mark.browser

BRIDGE = "Repair the footbridge over the canal"
# A pasted link is one long "word": it must wrap, not widen the page on a 320 px phone.
LAMPS = (
    "Street lamps on the school road, see https://ak-suu.gov.kg/documents/street-lighting-plan-2027"
)
REASON = "Освещение этой улицы уже оплачено из районного бюджета на 2027 год."


def _digits(text: str) -> str:
    """Amounts without the locale's group separators (spaces, no-break spaces, commas)."""
    return re.sub(r"[^\d]", "", text)


def test_officer_accepts_and_rejects_in_russian(
    new_page: Callable[..., Any], live_server: LiveServer, network: Network
) -> None:
    consultation_id = live_server.consultation_id
    slug = live_server.slug

    def seed(world: factories.World) -> tuple[int, int]:
        bridge = factories.make_proposal(
            world.consultation, author=world.resident, title=BRIDGE, cost=150_000, language="en"
        )
        lamps = factories.make_proposal(
            world.consultation, author=world.resident, title=LAMPS, cost=80_000, language="en"
        )
        return bridge.id, lamps.id

    bridge_id, lamps_id = live_server.run(seed)

    page = new_page()
    page.goto("/")
    check_page(page)
    follow(page, page.locator('header a[href*="/login"]'))
    check_page(page)

    form = page.locator("main form")
    form.locator("#login").fill("officer")
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    logged_in = page.locator('header a[href$="/account"]')
    assert logged_in.count() == 1, page.locator("main").inner_text()

    follow(page, page.locator("header form.languages").get_by_role("button", name="Русский"))
    assert html_lang(page) == "ru"
    check_page(page)

    # Home -> own municipality -> consultation -> review queue, as an officer finds it.
    follow(page, page.locator(f'main a[href$="/m/{slug}"]').first)
    check_page(page)
    follow(page, page.locator(f'main a[href$="/c/{consultation_id}"]'))
    check_page(page)
    follow(page, page.locator(f'main a[href$="/c/{consultation_id}/review"]'))
    assert page.url.endswith(f"/c/{consultation_id}/review")
    assert html_lang(page) == "ru"
    check_page(page)

    # Accept the footbridge at a corrected cost.
    follow(page, page.locator(f'main a[href$="/p/{bridge_id}/review"]'))
    assert html_lang(page) == "ru"
    check_page(page)
    accept = page.locator("main form:has(input[name=decision][value=accept])")
    accept.locator("#accept-approved_cost").fill("120000")
    follow(page, accept.locator("button[type=submit]"))
    assert page.url.endswith(f"/c/{consultation_id}/review"), page.locator("main").inner_text()
    assert page.locator("main .flash-success").count() == 1
    assert page.locator(f'main a[href$="/p/{bridge_id}/review"]').count() == 0
    check_page(page)

    # Reject the street lamps, with a reason.
    follow(page, page.locator(f'main a[href$="/p/{lamps_id}/review"]'))
    check_page(page)
    reject = page.locator("main form:has(input[name=decision][value=reject])")
    reject.locator("#reject-reason").fill(REASON)
    follow(page, reject.locator("button[type=submit]"))
    assert page.url.endswith(f"/c/{consultation_id}/review"), page.locator("main").inner_text()
    assert page.locator("main .flash-success").count() == 1
    assert page.locator("main .cards a").count() == 0
    check_page(page)

    # The public list, then the accepted proposal: checked cost first, the estimate kept.
    follow(page, page.locator(f'main a[href$="/c/{consultation_id}/proposals"]'))
    assert html_lang(page) == "ru"
    check_page(page)
    follow(page, page.locator(f'main a[href$="/p/{bridge_id}"]'))
    assert html_lang(page) == "ru"
    assert page.locator("main h1").inner_text() == BRIDGE
    assert page.locator("main .badge.status-accepted").count() == 1
    cost = _digits(page.locator("main dl.facts dd").first.inner_text())
    assert cost.startswith("120000") and "150000" in cost, cost
    check_page(page)

    # Anyone, logged out, reads why the lamps were rejected.
    visitor = new_page(locale="ru-RU")
    visitor.goto(f"/p/{lamps_id}")
    assert html_lang(visitor) == "ru"
    assert visitor.locator('header a[href*="/login"]').count() == 1  # not logged in
    assert visitor.locator("main h1").inner_text() == LAMPS
    assert visitor.locator("main .badge.status-rejected").count() == 1
    assert visitor.locator("main .note .prose").inner_text() == REASON
    check_page(visitor)

    def stored(world: factories.World) -> list[tuple[object, ...]]:
        return [
            (p.title, p.status, p.approved_cost, p.estimated_cost, p.rejection_reason)
            for p in (db.session.get(Proposal, pk) for pk in (bridge_id, lamps_id))
        ]

    assert live_server.run(stored) == [
        (BRIDGE, ProposalStatus.ACCEPTED, 120_000, 150_000, None),
        (LAMPS, ProposalStatus.REJECTED, None, 80_000, REASON),
    ]
    # The officer's choice of Russian is kept for the next visit.
    assert live_server.run(lambda w: w.officer.locale) == "ru"

    network.assert_no_errors()
    network.assert_only_from(live_server.url)
