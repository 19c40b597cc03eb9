"""An officer, in Russian, closes voting weeks before its announced end: the button leads to a
confirmation page that says in numbers what closing will do; confirming without a reason is
refused on that page; with a reason voting closes, and a visitor reads the reason on the
consultation's timeline.

Elements are found by ids, names, hrefs and values, never by translated text.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from pb.consultations.services import local_today
from pb.extensions import db
from pb.models import Phase, PhaseChange, VoterLink
from pb.voting import services as voting
from pb.voting.sheets import VoterDetails
from tests import factories
from tests.browser.conftest import LiveServer, Network, check_page, follow, html_lang

pytestmark = pytest.mark.browser

REASON = "Сельский сход перенесён, бюджетная сессия раньше срока."


def test_officer_closes_voting_early_through_the_confirmation_page_in_russian(
    page: Any, new_page: Any, live_server: LiveServer, network: Network
) -> None:
    consultation_id = live_server.consultation_id

    def seed(world: factories.World) -> None:
        """Voting open, announced to run another five weeks, with a paper ballot and codes."""
        consultation = world.consultation
        p1, *_ = factories.open_voting(consultation, allow_paper=True)
        # Bishkek's today, as pb counts the days left (UTC's is a day behind after 18:00 UTC).
        today = local_today()
        consultation.voting_from = today - timedelta(days=3)
        consultation.voting_until = today + timedelta(days=35)
        consultation.results_on = consultation.voting_until + timedelta(days=5)
        for name in ("proposals_from", "proposals_until", "review_until"):
            setattr(consultation, name, consultation.voting_from - timedelta(days=10))
        db.session.commit()
        voting.generate_codes(world.officer, consultation, 3, "slips")
        voting.add_paper_ballot(
            world.officer,
            consultation,
            world.village.id,
            today - timedelta(days=1),
            {p1.id: 1},
            VoterDetails(),
        )

    live_server.run(seed)

    page.goto("/login")
    form = page.locator("main form")
    form.locator("#login").fill("officer")
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    follow(page, page.locator("header form.languages button[name=locale][value=ru]"))
    assert html_lang(page) == "ru"

    page.goto(f"/c/{consultation_id}")
    check_page(page)
    advance = page.locator("main form button[name=direction][value=advance]")
    follow(page, advance)

    # The confirmation page: in Russian, with the numbers, and nothing done yet.
    assert page.url.endswith(f"/c/{consultation_id}/phase")
    assert html_lang(page) == "ru"
    said = page.locator("main ul.consequences > li").all_inner_texts()
    assert "на 35 дней раньше" in said[0], said
    assert said[1].startswith("1 бюллетень будет опечатан (0 онлайн, 0 по коду, 1 на бумаге)")
    assert said[2].startswith("3 неиспользованных кода будут стёрты"), said
    check_page(page)

    def state(world: factories.World) -> tuple[Phase, int]:
        links = db.session.scalar(select(func.count()).select_from(VoterLink))
        return world.consultation.phase, links or 0

    assert live_server.run(state)[0] == Phase.VOTING

    # Confirmed without a reason: refused on the same page, the field marked.
    confirm = page.locator("main form[method=post]")
    assert confirm.locator("input[name=confirm]").count() == 1
    follow(page, confirm.locator("button[type=submit]"))
    assert page.locator("#reason-error").is_visible()
    assert page.locator("#reason").get_attribute("aria-invalid") == "true"
    assert html_lang(page) == "ru"
    check_page(page)
    assert live_server.run(state)[0] == Phase.VOTING

    # With a reason: voting closes.
    page.locator("#reason").fill(REASON)
    follow(page, page.locator("main form[method=post] button[type=submit]"))
    # Closing runs as a background job (here at once): its page says it is done, in Russian.
    assert "/jobs/" in page.url, page.url
    assert page.locator("main .flash-success").inner_text() == "Готово."
    check_page(page)
    follow(page, page.locator("main a.button"))
    assert page.url.endswith(f"/c/{consultation_id}"), page.url

    def closed(world: factories.World) -> tuple[Phase, list[str | None]]:
        return world.consultation.phase, list(db.session.scalars(select(PhaseChange.reason)))

    assert live_server.run(closed) == (Phase.CLOSED, [REASON])

    # Anyone reads the reason on the timeline.
    visitor = new_page(locale="ru-RU")
    visitor.goto(f"/c/{consultation_id}")
    assert REASON in visitor.locator("main section[aria-labelledby=timeline-h]").inner_text()
    check_page(visitor)

    network.assert_no_errors()
    network.assert_only_from(live_server.url)
