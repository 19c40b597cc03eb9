"""Printed matter for village meetings, printed by Chromium to PDF and read back with pypdf:
voting code slips, the blank paper ballot, the blank proposal form and the poster, each in
Kyrgyz, in Russian and in both side by side, chosen on the print page while the officer's
interface stays in English.

Expected words come from the catalogs (under ``force_locale``), and each is checked to differ
from the English, so a missing translation fails too.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask_babel import force_locale, gettext, ngettext
from pypdf import PdfReader

from pb.extensions import db
from pb.i18n import format_day, format_som
from pb.labels import BENEFICIARIES
from pb.models import BallotKind, Beneficiary
from pb.voting import services
from tests import factories
from tests.browser.conftest import LiveServer, check_page, follow, html_lang

pytestmark = pytest.mark.browser

A4 = (595.28, 841.89)  # points
LANGUAGE_CHOICES = {"ky": ("ky",), "ru": ("ru",), "ky+ru": ("ky", "ru")}
LONG_TITLE = ("Жаңы суу түтүгү, мектептин чатыры жана жолдор " * 8)[:300]


def _squeezed(text: str) -> str:
    """Text without whitespace: a sentence wrapped on paper reads the same."""
    return re.sub(r"\s+", "", text)


def _pdf(page: Any) -> PdfReader:
    page.emulate_media(media="print")
    return PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))


def _assert_a4(reader: PdfReader) -> None:
    for sheet in reader.pages:
        width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1, (width, height)


def _translated(language: str, make: Callable[[], str], live_server: LiveServer) -> str:
    with live_server.app.test_request_context():
        with force_locale(language):
            text = make()
        with force_locale("en"):
            english = make()
    assert text != english, f"no {language} translation of {english!r}"
    return text


def _log_in(page: Any) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.locator("#login").fill("officer")
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    assert page.locator('header a[href$="/account"]').count() == 1


def _choose(page: Any, choice: str) -> None:
    """The officer picks the paper's language with the page's own form (a GET, no script)."""
    page.locator("#print-lang").select_option(choice)
    follow(page, page.locator("form.print-language button[type=submit]"))
    assert html_lang(page) == "en"  # her interface did not change


def _seed(kind: BallotKind = BallotKind.APPROVAL, title: str | None = None) -> Callable[..., Any]:
    def seed(world: factories.World) -> dict[str, Any]:
        consultation = world.consultation
        if title:
            consultation.title_ky = consultation.title_ru = consultation.title_en = title
        world.municipality.contact_office = "Ак-Суу, Ленин көчөсү 12, 3-бөлмө"
        proposals = factories.open_voting(
            consultation, costs=(400_000, 300_000, 250_000), kind=kind, approval_limit=2
        )
        batch = services.generate_codes(world.officer, consultation, 9, None)
        db.session.commit()
        return {"batch": batch.id, "titles": [p.title for p in proposals]}

    return seed


def test_slips_print_whole_in_each_language_even_with_a_300_character_title(
    page: Any, live_server: LiveServer
) -> None:
    seeded = live_server.run(_seed(title=LONG_TITLE))
    consultation_id = live_server.consultation_id
    voting_until = live_server.run(lambda w: w.consultation.voting_until)
    _log_in(page)
    page.goto(f"/c/{consultation_id}/codes/{seeded['batch']}/slips")
    check_page(page)
    for choice, languages in LANGUAGE_CHOICES.items():
        _choose(page, choice)
        check_page(page)
        page.emulate_media(media="print")
        # On paper every slip keeps its instructions inside its own box, in 9 pt or more.
        problems = page.evaluate(
            """() => [...document.querySelectorAll('.slip')].flatMap((slip, i) => {
                const box = slip.getBoundingClientRect();
                const out = [];
                for (const how of slip.querySelectorAll('.how, .code, .qr')) {
                  const r = how.getBoundingClientRect();
                  if (r.height === 0 || r.bottom > box.bottom - 1 || r.top < box.top
                      || r.right > box.right || r.left < box.left) out.push(`slip ${i}: ${how.className} outside`);
                }
                for (const el of slip.querySelectorAll('p, li, strong')) {
                  const size = parseFloat(getComputedStyle(el).fontSize);
                  if (size < 12) out.push(`slip ${i}: ${el.className || el.tagName} at ${size}px`);
                }
                return out;
            })"""
        )
        assert problems == [], problems
        reader = _pdf(page)
        _assert_a4(reader)
        per_page = 4 if len(languages) > 1 else 8
        assert len(reader.pages) == math.ceil(9 / per_page)
        for language in languages:
            rules = [
                _translated(language, lambda: gettext("One code, one ballot."), live_server),
                _translated(language, lambda: gettext("Keep it secret."), live_server),
                _translated(
                    language,
                    lambda: gettext("Last day of voting: %(date)s.", date=format_day(voting_until)),
                    live_server,
                ),
                f"/c/{consultation_id}/vote?lang={language}",
            ]
            for number, sheet in enumerate(reader.pages):
                text = _squeezed(sheet.extract_text())
                on_this_page = min(per_page, 9 - number * per_page)
                for rule in rules:
                    assert text.count(_squeezed(rule)) == on_this_page, (choice, rule, text)
        page.emulate_media(media="screen")


def _check_printed(
    page: Any,
    live_server: LiveServer,
    url: str,
    expected: Callable[[str], list[str]],
    literal: list[str],
    pages: int | None = None,
) -> None:
    page.goto(url)
    check_page(page)
    for choice, languages in LANGUAGE_CHOICES.items():
        _choose(page, choice)
        check_page(page)
        reader = _pdf(page)
        _assert_a4(reader)
        if pages is not None:
            assert len(reader.pages) == pages, choice
        text = _squeezed("".join(sheet.extract_text() for sheet in reader.pages))
        for language in languages:
            for words in expected(language):
                assert _squeezed(words) in text, (choice, words, text)
        for words in literal:
            assert _squeezed(words) in text, (choice, words, text)
        page.emulate_media(media="screen")


def test_blank_ballot_prints_numbered_proposals_and_the_rule(
    page: Any, live_server: LiveServer
) -> None:
    seeded = live_server.run(_seed(kind=BallotKind.APPROVAL))
    consultation_id = live_server.consultation_id
    voting_until = live_server.run(lambda w: w.consultation.voting_until)
    _log_in(page)

    def expected(language: str) -> list[str]:
        return [
            _translated(
                language,
                lambda: ngettext(
                    "Put a tick in the box of at most %(num)d proposal.",
                    "Put a tick in the boxes of at most %(num)d proposals.",
                    2,
                ),
                live_server,
            ),
            _translated(
                language,
                lambda: gettext("Last day of voting: %(date)s.", date=format_day(voting_until)),
                live_server,
            ),
            _translated(language, lambda: gettext("Paper ballot"), live_server),
        ]

    _check_printed(
        page, live_server, f"/c/{consultation_id}/print/ballot", expected, seeded["titles"]
    )
    with live_server.app.test_request_context(), force_locale("ky"):
        cost = format_som(400_000)
    assert "сом" in cost
    # The rows: "1 Project 1 ... 400 000 сом", numbered from 1.
    text = _squeezed("".join(s.extract_text() for s in _pdf(page).pages))
    assert _squeezed(cost) in text


def test_blank_ballot_of_each_kind_says_how_to_fill_it_in(
    page: Any, live_server: LiveServer
) -> None:
    live_server.run(_seed(kind=BallotKind.POINTS))
    live_server.run(lambda w: setattr(w.consultation, "points_total", 10) or db.session.commit())
    consultation_id = live_server.consultation_id
    _log_in(page)

    def expected(language: str) -> list[str]:
        return [
            _translated(
                language,
                lambda: ngettext(
                    "Write points in the boxes: %(num)d point in all, more points for what "
                    "matters more to you.",
                    "Write points in the boxes: %(num)d points in all, more points for what "
                    "matters more to you.",
                    10,
                ),
                live_server,
            )
        ]

    _check_printed(page, live_server, f"/c/{consultation_id}/print/ballot", expected, [])


def test_blank_proposal_form_prints_the_fields_to_fill_by_hand(
    page: Any, live_server: LiveServer
) -> None:
    live_server.run(_seed())
    consultation_id = live_server.consultation_id
    proposals_until = live_server.run(lambda w: w.consultation.proposals_until)
    _log_in(page)

    def expected(language: str) -> list[str]:
        return [
            _translated(language, lambda: gettext("Title of the proposal"), live_server),
            _translated(language, lambda: gettext("Estimated cost, in som"), live_server),
            _translated(language, lambda: str(BENEFICIARIES[Beneficiary.WOMEN]), live_server),
            _translated(
                language,
                lambda: gettext(
                    "Last day for proposals: %(date)s.", date=format_day(proposals_until)
                ),
                live_server,
            ),
        ]

    _check_printed(
        page,
        live_server,
        f"/c/{consultation_id}/print/proposal-form",
        expected,
        ["Ак-Суу", "Кара-Булак", "Ленин көчөсү 12"],
    )


def test_poster_prints_on_one_a4_page_with_dates_qr_and_where_to_bring_paper(
    page: Any, live_server: LiveServer
) -> None:
    live_server.run(_seed(title=LONG_TITLE))
    consultation_id = live_server.consultation_id
    voting_until = live_server.run(lambda w: w.consultation.voting_until)
    _log_in(page)

    def expected(language: str) -> list[str]:
        return [
            _translated(language, lambda: format_day(voting_until), live_server),
            _translated(
                language,
                lambda: gettext("Where to bring paper proposals and ballots:"),
                live_server,
            ),
            f"/c/{consultation_id}?lang={language}",
        ]

    _check_printed(
        page,
        live_server,
        f"/c/{consultation_id}/print/poster",
        expected,
        ["Ленин көчөсү 12"],
        pages=1,
    )
    assert page.locator(".poster .qr svg").count() == 1


def test_a_long_blank_ballot_runs_over_pages_without_splitting_a_proposal(
    page: Any, live_server: LiveServer
) -> None:
    costs = tuple(range(1000, 41000, 1000))
    live_server.run(lambda w: factories.open_voting(w.consultation, costs=costs))
    _log_in(page)
    page.goto(f"/c/{live_server.consultation_id}/print/ballot?lang=ru")
    reader = _pdf(page)
    _assert_a4(reader)
    assert len(reader.pages) > 1
    texts = [_squeezed(sheet.extract_text()) for sheet in reader.pages]
    with live_server.app.test_request_context(), force_locale("ru"):
        amounts = [_squeezed(format_som(cost)) for cost in costs]
    # Each row whole on one page: its title, village and cost together.
    for project, amount in enumerate(amounts, start=1):
        row = re.compile(rf"Project{project}Ак-Суу{re.escape(amount)}")
        assert sum(bool(row.search(text)) for text in texts) == 1, (project, texts)
    # Numbered from 1 to 40, in order, across the pages.
    numbers = [int(n) for n in re.findall(r"(\d+)Project\d+Ак-Суу", "".join(texts))]
    assert numbers == list(range(1, len(costs) + 1))
