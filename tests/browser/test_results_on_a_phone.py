"""The results of a published consultation on the narrowest phones (320 by 640 CSS pixels), in
Russian and in Kyrgyz: nothing scrolls sideways, no table cell is squeezed past its text or cut
off (the tables read as one card per row, each value under its column's name), every reason a
proposal was not funded reads in full, the charts name their bars with their numbers, and axe
finds nothing serious. The participation page and a proposal's own page too.

Elements are found by ids, classes and hrefs, never by translated text.
"""

from __future__ import annotations

from typing import Any

import pytest

from pb.extensions import db
from pb.models import (
    Ballot,
    Channel,
    ChoiceFigure,
    Phase,
    VoterFigure,
)
from pb.results.counting import count_and_store
from tests import factories
from tests.browser.conftest import (
    LiveServer,
    check_accessibility,
    check_csp,
    check_references,
    html_lang,
)

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 320, 640

# Titles as residents write them: long, with a long word that no space breaks.
TITLES = (
    "Кара-Булак айылындагы мектептин спорт залына жаңы жылытуу системасын орнотуу жана оңдоо",
    "Капитальный ремонт водопровода по улице Ленина и установка новых колонок у каждого дома",
    "Балдар_аянтчасы_жана_жаштар_үчүн_спорттук_жабдуулар_Тегизчил",
    "Освещение улиц",
)


def seed(world: factories.World) -> dict[str, int]:
    """Budget 1,000,000 counted by Equal Shares (long reasons, with fractions of a som), and
    published, with participation figures in which men are too few to show."""
    consultation = world.consultation
    proposals = factories.open_voting(consultation)
    for proposal, title in zip(proposals, TITLES, strict=True):
        proposal.title = title
    p1, p2, p3, p4 = proposals
    for chosen in [(p1, p2)] * 4 + [(p1, p3), (p3,), (p3, p4)]:
        ballot = Ballot(consultation_id=consultation.id, channel=Channel.ONLINE)
        ballot.choices = {p.id: 1 for p in chosen}
        db.session.add(ballot)
    for dimension, value, n in (
        ("gender", "female", 5),
        ("gender", "male", 2),
        ("channel", "online", 7),
        ("age", "18-35", 7),
    ):
        db.session.add(
            VoterFigure(
                consultation_id=consultation.id, dimension=dimension, value=value, ballots=n
            )
        )
    for proposal in proposals:
        db.session.add(
            ChoiceFigure(
                consultation_id=consultation.id,
                proposal_id=proposal.id,
                dimension="gender",
                value="female",
                ballots=3,
                points=3,
            )
        )
    consultation.counting_rule = "equal-shares"
    consultation.phase = Phase.PUBLISHED
    count_and_store(consultation)
    db.session.commit()
    return {"consultation": consultation.id, "unfunded": p4.id}


# A cell is clipped when its content is wider than its box, or when its box leaves the page.
CLIPPED_CELLS = """(width) => [...document.querySelectorAll('main th, main td')]
  .filter((cell) => {
    const box = cell.getBoundingClientRect();
    const hidden = cell.closest('thead, caption, .visually-hidden');
    if (hidden || box.width === 0) return false;
    return cell.scrollWidth > cell.clientWidth + 1 || box.left < -0.5 || box.right > width + 0.5;
  })
  .map((cell) => cell.outerHTML.slice(0, 120))"""

# In the stacked layout every value shows its column's name before it.
UNLABELLED_CELLS = """() => [...document.querySelectorAll('main table.stack td')]
  .filter((cell) => {
    const before = getComputedStyle(cell, '::before').content;
    return !cell.dataset.label || !before.includes(cell.dataset.label);
  })
  .map((cell) => cell.outerHTML.slice(0, 120))"""


def check_fits(page: Any) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTH, f"{page.url} scrolls sideways at {WIDTH}px: {scroll}"
    clipped = page.evaluate(CLIPPED_CELLS, WIDTH)
    assert not clipped, f"cells clipped at {WIDTH}px on {page.url}: {clipped}"
    check_csp(page)
    check_accessibility(page)
    check_references(page)


@pytest.mark.parametrize("locale", ["ru", "ky"])
def test_results_read_whole_on_a_320_px_phone(
    new_page: Any, live_server: LiveServer, locale: str
) -> None:
    ids = live_server.run(seed)
    page = new_page(locale=f"{locale}-KG")
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})

    page.goto(f"/c/{ids['consultation']}/results")
    assert html_lang(page) == locale
    check_fits(page)
    assert page.locator("main table.stack").count() == 3
    assert not page.evaluate(UNLABELLED_CELLS)
    # The column headers are out of sight (each value names its own), not out of the table.
    assert page.locator("main table.stack thead th").count() == 11
    assert page.locator("main table.stack thead").first.bounding_box()["height"] <= 1
    # The reason the unfunded proposal lost, whole on the screen: inside the page's width and
    # as tall as its text needs.
    reason = page.locator("main table.stack td.reason")
    assert reason.count() == 1
    box = reason.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    assert reason.evaluate("(el) => el.scrollHeight <= el.clientHeight + 1")
    why = reason.inner_text()
    assert any(ch.isdigit() for ch in why)
    # The chart: one named bar per proposal, each with its votes.
    chart = page.locator("main figure.results-chart li.bar-row")
    assert chart.count() == 4
    numbers = page.locator("main figure.results-chart .bar-number").all_inner_texts()
    assert [text.split()[0] for text in numbers] == ["5", "4", "3", "1"]
    names = page.locator("main figure.results-chart .bar-name").all_inner_texts()
    assert set(names) == set(TITLES)

    page.goto(f"/c/{ids['consultation']}/participation")
    assert html_lang(page) == locale
    check_fits(page)
    # Men (2) and, with them, women are too few to show: drawn as hidden, never as bars.
    hidden = page.locator("main figure.chart li.bar-row-hidden")
    assert hidden.count() >= 2
    assert hidden.locator("rect").count() == 0

    page.goto(f"/p/{ids['unfunded']}")
    assert html_lang(page) == locale
    check_fits(page)
    outcome = page.locator("main section.outcome")
    assert outcome.locator(".verdict-unfunded").count() == 1
    assert outcome.locator("dd.reason").inner_text() == why
