"""A council member, in Kyrgyz, reads the results of a closed consultation and who took part,
records the council's decision (a return without a reason is refused), and opens the protocol
for printing.

Elements are found by ids, names, hrefs and values, never by translated text.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from pb.extensions import db
from pb.models import Ballot, Channel, CouncilDecision, Decision, Phase
from tests import factories
from tests.browser.conftest import LiveServer, Network, check_page, follow, html_lang

pytestmark = pytest.mark.browser


def test_council_reads_results_decides_and_prints_the_protocol_in_kyrgyz(
    page: Any, live_server: LiveServer, network: Network
) -> None:
    consultation_id = live_server.consultation_id

    def seed(world: factories.World) -> list[str]:
        """As the results tests' ``counted`` fixture: budget 1,000,000; 400k (5 votes), 300k (4),
        250k (3), 100k (1). The first three are funded; the last no longer fits."""
        consultation = world.consultation
        proposals = factories.open_voting(consultation)
        p1, p2, p3, p4 = proposals
        for chosen in [(p1, p2)] * 4 + [(p1, p3), (p3,), (p3, p4)]:
            ballot = Ballot(consultation_id=consultation.id, channel=Channel.ONLINE)
            ballot.choices = {p.id: 1 for p in chosen}
            db.session.add(ballot)
        consultation.phase = Phase.CLOSED
        db.session.commit()
        return [p.title for p in proposals]

    titles = live_server.run(seed)
    funded, unfunded = titles[:3], titles[3]

    # Log in through the form, then switch to Kyrgyz.
    page.goto("/login")
    check_page(page)
    form = page.locator("main form")
    form.locator("#login").fill("council")
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    assert page.locator('header a[href$="/account"]').count() == 1, page.locator(
        "main"
    ).inner_text()
    follow(page, page.locator("header form.languages button[name=locale][value=ky]"))
    assert html_lang(page) == "ky"

    page.goto(f"/c/{consultation_id}")
    assert html_lang(page) == "ky"
    check_page(page)

    # The results, before publication: funded table, the others, the chart.
    follow(page, page.locator(f'main a[href$="/c/{consultation_id}/results"]'))
    assert page.url.endswith(f"/c/{consultation_id}/results")
    assert html_lang(page) == "ky"
    funded_rows = page.locator('main table:has(caption#funded-caption) tbody th[scope="row"]')
    assert funded_rows.all_inner_texts() == funded
    unfunded_rows = page.locator('main table:has(caption#unfunded-caption) tbody th[scope="row"]')
    assert unfunded_rows.all_inner_texts() == [unfunded]
    chart = page.locator("main figure.results-chart")
    assert chart.count() == 1
    assert chart.locator("li.bar-row").count() == 4
    assert chart.locator(".bar-name").all_inner_texts() == [*funded, unfunded]
    assert chart.locator("rect.bar").count() == 3
    assert chart.locator("rect.bar-muted").count() == 1
    check_page(page)

    # Who took part.
    follow(page, page.locator(f'main a[href$="/c/{consultation_id}/participation"]'))
    assert page.url.endswith(f"/c/{consultation_id}/participation")
    assert html_lang(page) == "ky"
    assert page.locator("main table").count() > 0
    check_page(page)

    # Back to the consultation, to record the council's decision.
    follow(page, page.locator(f'main a[href$="/c/{consultation_id}"]'))
    assert page.url.endswith(f"/c/{consultation_id}")
    assert page.locator("main section[aria-labelledby=council-h] ul.list > li").count() == 0
    follow(page, page.locator(f'main a[href$="/c/{consultation_id}/decision"]'))
    assert page.url.endswith(f"/c/{consultation_id}/decision")
    assert html_lang(page) == "ky"
    check_page(page)

    # Returned without a reason: refused, nothing stored.
    form = page.locator("main form[method=post]")
    form.locator("input[name=decision][value=returned]").check()
    assert form.locator("#reason").input_value() == ""
    follow(page, form.locator("button[type=submit]"))
    assert page.url.endswith(f"/c/{consultation_id}/decision"), page.url
    assert page.locator("main .error, main .flash-error").count() >= 1
    assert page.locator("#reason-error").is_visible()
    assert page.locator("#reason").get_attribute("aria-invalid") == "true"
    check_page(page)

    def stored(world: factories.World) -> list[tuple[object, ...]]:
        return [
            (d.decision, d.reason, d.recorded_by_id)
            for d in db.session.scalars(
                select(CouncilDecision).where(CouncilDecision.consultation_id == consultation_id)
            )
        ]

    assert live_server.run(stored) == []

    # Approved at the council's session, with its vote: recorded, and shown on the
    # consultation's page.
    form = page.locator("main form[method=post]")
    form.locator("input[name=decision][value=approved]").check()
    form.locator("#session").fill("XII сессия")
    form.locator("#protocol_number").fill("7")
    for name, votes in (("votes_for", "9"), ("votes_against", "1"), ("votes_abstained", "2")):
        form.locator(f"#{name}").fill(votes)
    follow(page, form.locator("button[type=submit]"))
    assert page.url.endswith(f"/c/{consultation_id}"), page.locator("main").inner_text()
    assert html_lang(page) == "ky"
    assert page.locator("main .flash-success").count() == 1
    assert page.locator("main section[aria-labelledby=council-h] ul.list > li").count() == 1
    check_page(page)
    council_id = live_server.run(lambda w: w.council.id)
    assert live_server.run(stored) == [(Decision.APPROVED, None, council_id)]

    # The protocol, from the results page: in Kyrgyz, every proposal, lines to sign on.
    follow(page, page.locator(f'main a[href$="/c/{consultation_id}/results"]'))
    assert page.locator("main ul.list > li > strong").count() == 1  # the decision, listed
    follow(page, page.locator(f'main a[href$="/c/{consultation_id}/protocol"]'))
    assert page.url.endswith(f"/c/{consultation_id}/protocol")
    assert html_lang(page) == "ky"
    protocol = page.locator("main article.protocol")
    assert protocol.count() == 1
    listed = protocol.locator("table").first.locator('tbody th[scope="row"]').all_inner_texts()
    assert listed == [*funded, unfunded], listed
    assert protocol.locator(".signatures .line").count() >= 4
    check_page(page)

    # Printed: no site header or footer, no link back to the results.
    assert page.locator("header.site").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert not page.locator("footer.site").is_visible()
    # The link back and the choice of the paper's language.
    assert protocol.locator(".screen-only").count() == 2
    assert not any(part.is_visible() for part in protocol.locator(".screen-only").all())
    assert protocol.locator("h1").is_visible()
    assert protocol.locator(".signatures").is_visible()

    network.assert_no_errors()
    network.assert_only_from(live_server.url)
