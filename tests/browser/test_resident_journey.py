"""A resident on a phone switches to Kyrgyz, registers, and sends a proposal.

Elements are found by ids, hrefs, roles and values, never by translated text: the Kyrgyz
catalog changes independently of these tests. Language names ("Кыргызча") are not translated.
"""

from __future__ import annotations

from typing import Any

import pytest

from pb.extensions import db
from pb.models import Proposal, User
from tests.browser.conftest import LiveServer, Network, check_page, follow, html_lang

pytestmark = pytest.mark.browser

TITLE = "Суу түтүгүн оңдоо Ак-Суу айылында"
DESCRIPTION = "Айылдын борборундагы суу түтүгү эски, жайында көп жерден агат. Жаңы түтүк керек."


def test_resident_registers_in_kyrgyz_and_sends_a_proposal(
    page: Any, live_server: LiveServer, network: Network
) -> None:
    consultation_id = live_server.consultation_id
    slug = live_server.slug
    category_id, village_id = live_server.run(
        lambda w: (w.consultation.categories[1].id, w.consultation.villages[1].id)
    )

    page.goto("/")
    assert html_lang(page) == "en"  # the browser asks for English; nothing chosen yet
    check_page(page)

    # The language switcher: a POST form in the header, one button per language.
    follow(page, page.locator("header form.languages").get_by_role("button", name="Кыргызча"))
    assert html_lang(page) == "ky"
    assert page.locator("header form.languages button[value=ky]").get_attribute("aria-current")
    check_page(page)

    follow(page, page.locator(f'main a[href$="/m/{slug}"]'))
    assert page.url.endswith(f"/m/{slug}")
    assert html_lang(page) == "ky"
    check_page(page)

    follow(page, page.locator('main a[href*="/register"]'))
    assert "/register" in page.url
    assert html_lang(page) == "ky"
    check_page(page)

    form = page.locator("main form")
    # Coming from the municipality's page, the municipality and the language are preselected.
    assert form.locator("#municipality_id").input_value() == str(live_server.municipality_id)
    assert form.locator("#locale").input_value() == "ky"
    form.locator("#display_name").fill("Гүлнара Асанова")
    form.locator("#phone").fill("0555 987 654")
    form.locator("#password").fill("тоо-суу-2027")
    form.locator("#confirm").fill("тоо-суу-2027")
    follow(page, form.locator("button[type=submit]"))

    # Registered, logged in, back on the municipality's page, still in Kyrgyz.
    assert page.url.endswith(f"/m/{slug}"), page.locator("main").inner_text()
    assert html_lang(page) == "ky"
    assert page.locator("main .flash-success").count() == 1
    assert page.locator('header a[href$="/account"]').inner_text() == "Гүлнара Асанова"
    check_page(page)

    follow(page, page.locator(f'main a[href$="/c/{consultation_id}"]'))
    assert page.url.endswith(f"/c/{consultation_id}")
    check_page(page)

    follow(page, page.locator(f'main a[href$="/c/{consultation_id}/proposals/new"]'))
    assert page.url.endswith(f"/c/{consultation_id}/proposals/new")
    assert html_lang(page) == "ky"
    check_page(page)

    form = page.locator("main form")
    form.locator("#title").fill(TITLE)
    form.locator("#description").fill(DESCRIPTION)
    form.locator("#estimated_cost").fill("250000")
    form.locator("#category_id").select_option(str(category_id))
    form.locator("#village_id").select_option(str(village_id))
    form.locator("input[name=beneficiaries][value=women]").check()
    form.locator("input[name=beneficiaries][value=children]").check()
    follow(page, form.locator("button[type=submit]"))

    assert "/p/" in page.url, page.locator("main").inner_text()
    assert html_lang(page) == "ky"
    assert page.locator("main h1").inner_text() == TITLE
    assert page.locator("main h1").get_attribute("lang") == "ky"
    assert page.locator("main .flash-success").count() == 1
    assert page.locator("main .badge.status-submitted").count() == 1
    check_page(page)

    # What the server stored: the normalised phone, the chosen language, the proposal as sent.
    proposal_id = int(page.url.rsplit("/", 1)[1])

    def stored(world: object) -> dict[str, object]:
        proposal = db.session.get(Proposal, proposal_id)
        author = db.session.get(User, proposal.author_id)
        return {
            "phone": author.phone,
            "locale": author.locale,
            "title": proposal.title,
            "cost": proposal.estimated_cost,
            "language": proposal.language,
            "category": proposal.category_id,
            "village": proposal.village_id,
            "beneficiaries": sorted(b.value for b in proposal.beneficiaries),
        }

    assert live_server.run(stored) == {
        "phone": "+996 555 987 654",
        "locale": "ky",
        "title": TITLE,
        "cost": 250_000,
        "language": "ky",
        "category": category_id,
        "village": village_id,
        "beneficiaries": ["children", "women"],
    }

    network.assert_no_errors()
    network.assert_only_from(live_server.url)
