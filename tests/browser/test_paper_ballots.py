"""An officer, in Russian, types in two paper ballots from a village meeting; the form keeps the
meeting for the next ballot, and the meeting's page lists both.

Elements are found by ids, hrefs, roles and values, never by translated text. Language names
("Русский") are not translated.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from pb.extensions import db
from pb.models import Ballot, Channel, Gender
from tests import factories
from tests.browser.conftest import LiveServer, Network, check_page, follow, html_lang

pytestmark = pytest.mark.browser

COSTS = (400_000, 300_000, 250_000, 100_000)


def test_officer_enters_two_paper_ballots_in_russian(
    page: Any, live_server: LiveServer, network: Network
) -> None:
    consultation_id = live_server.consultation_id

    def seed(world: factories.World) -> tuple[list[int], list[str], int]:
        proposals = factories.open_voting(world.consultation, costs=COSTS)
        return (
            [p.id for p in proposals],
            [p.title for p in proposals],
            world.consultation.villages[1].id,
        )

    ids, titles, village_id = live_server.run(seed)
    # The server refuses meeting dates after its own (UTC) today; the meeting was held today.
    held_on = datetime.now(UTC).date().isoformat()

    page.goto("/login")
    form = page.locator("main form")
    form.locator("#login").fill("officer")
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    logged_in = page.locator('header a[href$="/account"]')
    assert logged_in.count() == 1, page.locator("main").inner_text()
    follow(page, page.locator("header form.languages").get_by_role("button", name="Русский"))
    assert html_lang(page) == "ru"

    page.goto(f"/c/{consultation_id}")
    assert html_lang(page) == "ru"
    check_page(page)
    follow(page, page.locator(f'main a[href$="/c/{consultation_id}/paper-ballots"]'))
    assert page.url.endswith(f"/c/{consultation_id}/paper-ballots")
    assert html_lang(page) == "ru"
    assert page.locator('main a[href*="/meetings/"]').count() == 0  # no meeting yet
    check_page(page)

    # First ballot: the meeting, two proposals, and what the ballot says about the voter.
    form = page.locator("main form.ballot-form")
    form.locator("#meeting_village_id").select_option(str(village_id))
    form.locator("#meeting_date").fill(held_on)
    form.locator(f"input[name=choice][value='{ids[0]}']").check()
    form.locator(f"input[name=choice][value='{ids[3]}']").check()
    form.locator("#gender").select_option("female")
    form.locator("#age_group").select_option("18-35")
    follow(page, form.locator("button[type=submit]"))

    # Back to an empty ballot for the same meeting.
    assert page.url.endswith(
        f"/c/{consultation_id}/paper-ballots?village={village_id}&date={held_on}"
    ), page.locator("main").inner_text()
    assert html_lang(page) == "ru"
    assert page.locator("main .flash-success").count() == 1
    form = page.locator("main form.ballot-form")
    assert form.locator("#meeting_village_id").input_value() == str(village_id)
    assert form.locator("#meeting_date").input_value() == held_on
    assert form.locator("input[name=choice]:checked").count() == 0
    assert form.locator("#gender").input_value() == ""
    check_page(page)

    # Second ballot: one proposal, nothing about the voter.
    form.locator(f"input[name=choice][value='{ids[1]}']").check()
    follow(page, form.locator("button[type=submit]"))
    assert page.url.endswith(
        f"/c/{consultation_id}/paper-ballots?village={village_id}&date={held_on}"
    ), page.locator("main").inner_text()
    assert page.locator("main .flash-success").count() == 1
    check_page(page)

    # The meetings table: one meeting, two ballots, linked to the meeting's page.
    meeting = page.locator('main table a[href*="/meetings/"]')
    assert meeting.count() == 1
    assert re.findall(r"\d+", meeting.inner_text()) == ["2"], meeting.inner_text()
    follow(page, meeting)
    assert re.search(rf"/c/{consultation_id}/meetings/\d+/ballots$", page.url), page.url
    assert html_lang(page) == "ru"
    cards = page.locator("main ol.cards > li")
    assert cards.count() == 2
    listed = sorted(sorted(card.locator("ul > li").all_inner_texts()) for card in cards.all())
    assert listed == sorted([sorted([titles[0], titles[3]]), [titles[1]]]), listed
    assert page.locator(f'main a[href*="/c/{consultation_id}/paper-ballots/"]').count() == 2
    check_page(page)

    def stored(world: factories.World) -> list[tuple[object, ...]]:
        return sorted(
            (
                (
                    ballot.channel,
                    ballot.meeting.village_id,
                    ballot.meeting.held_on.isoformat(),
                    list(ballot.choices),
                    factories.details_of(ballot).gender,
                    factories.details_of(ballot).age_group,
                )
                for ballot in db.session.scalars(select(Ballot))
            ),
            key=lambda row: len(row[3]),
        )

    rows = live_server.run(stored)
    assert rows == [
        (Channel.PAPER, village_id, held_on, [ids[1]], None, None),
        (Channel.PAPER, village_id, held_on, sorted([ids[0], ids[3]]), Gender.FEMALE, "18-35"),
    ]
    assert (
        live_server.run(lambda w: len({b.meeting_id for b in db.session.scalars(select(Ballot))}))
        == 1
    )

    network.assert_no_errors()
    network.assert_only_from(live_server.url)
