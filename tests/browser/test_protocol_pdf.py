"""The protocol a council signs, printed by Chromium to PDF and read back with pypdf, in Kyrgyz,
in Russian and in both side by side, chosen on the print page while the council member's
interface stays in English: A4 pages, the protocol's number and "page X of Y" on every page,
the session, the council's vote, and the signatures whole on one page.

Expected words come from the catalogs (under ``force_locale``), and each is checked to differ
from the English, so a missing translation fails too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from pb.consultations.milestones import Milestone
from pb.extensions import db
from pb.i18n import format_day
from pb.models import Channel, Decision, Phase, PhaseChange
from pb.results import protocol as printed
from pb.results.counting import count_and_store
from pb.results.services import SessionRecord, record_decision
from tests import factories
from tests.browser.conftest import LiveServer, check_page, follow, html_lang

pytestmark = pytest.mark.browser

A4 = (595.28, 841.89)  # points
CHOICES = {"ky": ("ky",), "ru": ("ru",), "ky+ru": ("ky", "ru")}
NUMBER = "12/2026"
SESSION = "XII сессия"
COMMISSION = ["Асанова Гүлнара", "Токтогулов Бакыт", "Осмонова Жыпар", "Ибраимов Нурлан"]
# Enough proposals that the protocol runs over two pages, in one language or in two, and that
# the signatures come where a page ends: without "break-inside: avoid" Chromium splits them
# there, in all three layouts (checked by removing the rule; 34 and 36 do the same).
PROPOSALS = 35


def _squeezed(text: str) -> str:
    """Text without whitespace: a line wrapped on paper reads the same."""
    return re.sub(r"\s+", "", text)


def _translated(live_server: LiveServer, language: str, make: Callable[[], str]) -> str:
    with live_server.app.test_request_context():
        with force_locale(language):
            text = make()
        with force_locale("en"):
            english = make()
    assert text != english, f"no {language} translation of {english!r}"
    return text


def _seed(world: factories.World) -> int:
    """A closed consultation, its phases run through on known days, counted, and decided."""
    c = world.consultation
    costs = tuple(20_000 + 1_000 * i for i in range(PROPOSALS))
    proposals = factories.open_voting(c, costs=costs)
    for i in range(6):
        factories.make_ballot(c, Channel.ONLINE, [(p.id, 1) for p in proposals[i % 3 :: 3]])
    for i, (from_phase, to_phase) in enumerate(
        [
            (Phase.DRAFT, Phase.COLLECTING),
            (Phase.COLLECTING, Phase.REVIEW),
            (Phase.REVIEW, Phase.VOTING),
            (Phase.VOTING, Phase.CLOSED),
        ]
    ):
        c.phase_changes.append(
            PhaseChange(
                from_phase=from_phase,
                to_phase=to_phase,
                changed_by_id=world.officer.id,
                changed_at=datetime(2026, 11, 3 + 7 * i, 6, 0),
            )
        )
    c.phase = Phase.CLOSED
    factories.seal_ballots(c)
    count_and_store(c)
    db.session.commit()
    record_decision(
        world.council,
        c,
        Decision.APPROVED,
        date(2026, 11, 30),
        None,
        SessionRecord(NUMBER, SESSION, 11, 1, 2, 15, COMMISSION),
    )
    return c.id


def _log_in(page: Any) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.locator("#login").fill("council")
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    assert page.locator('header a[href$="/account"]').count() == 1


def _pdf(page: Any) -> PdfReader:
    return PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))


@pytest.mark.parametrize("choice", list(CHOICES))
def test_the_protocol_prints_whole_on_numbered_a4_pages(
    page: Any, live_server: LiveServer, choice: str
) -> None:
    consultation_id = live_server.run(_seed)
    languages = CHOICES[choice]
    _log_in(page)
    page.goto(f"/c/{consultation_id}/protocol")
    check_page(page)
    # She chooses the paper's languages on the page itself; her interface stays English.
    page.locator("#print-lang").select_option(choice)
    follow(page, page.locator("form.print-language button[type=submit]"))
    assert html_lang(page) == "en"
    check_page(page)

    reader = _pdf(page)
    pages = [_squeezed(sheet.extract_text()) for sheet in reader.pages]
    total = len(pages)
    assert total >= 2, "the protocol was expected to run over more than one page"
    for sheet in reader.pages:
        width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1, (width, height)

    head = _squeezed(
        " / ".join(
            dict.fromkeys(
                _translated(
                    live_server, lang, lambda: gettext("Protocol No. %(number)s", number=NUMBER)
                )
                for lang in languages
            )
        )
    )
    for number, text in enumerate(pages, start=1):
        # The protocol's number and "X / Y" on every page, in its margins.
        assert head in text, (number, text[:200])
        assert f"{number}/{total}" in text, (number, text[-200:])

    everything = "".join(pages)
    for lang in languages:
        for label, value in (
            ("Number of the protocol", NUMBER),
            ("Votes for", "11"),
            ("Votes against", "1"),
            ("Abstained", "2"),
            ("Deputies present", "15"),
        ):
            word = _squeezed(_translated(live_server, lang, lambda label=label: gettext(label)))
            assert word + value in everything, (lang, label)
        session = _translated(live_server, lang, lambda: gettext("Session of the council"))
        with live_server.app.test_request_context(), force_locale(lang):
            held = format_day(date(2026, 11, 30))
            voting_opened = format_day(date(2026, 11, 17))
        assert _squeezed(f"{session}{SESSION}, {held}") in everything, lang
        # The day voting really opened (from the phase log), not the day it was planned.
        opened = _translated(
            live_server, lang, lambda: str(printed.MILESTONES[Milestone.VOTING_OPENED])
        )
        assert _squeezed(opened + voting_opened) in everything, lang

    # The signatures: every line on one page, with the date line that ends them.
    with live_server.app.test_request_context():
        signers = printed.signers(languages, None)
        roles = [
            _squeezed(printed.bilingual(languages, lambda: printed.CHAIR)),
            _squeezed(printed.bilingual(languages, lambda: printed.SECRETARY)),
            *(
                _squeezed(printed.bilingual(languages, lambda: printed.COMMISSION_MEMBER) + name)
                for name in COMMISSION
            ),
            _squeezed(printed.bilingual(languages, lambda: printed.OFFICER)),
        ]
        heading = _squeezed(printed.bilingual(languages, lambda: gettext("Signatures")))
    assert len(signers) == 2 + printed.BLANK_COMMISSION_LINES + 1
    holding = [i for i, text in enumerate(pages) if heading in text]
    assert len(holding) == 1, f"the signatures' heading is on pages {holding}"
    signed = pages[holding[0]]
    signatures = signed[signed.index(heading) :]
    for role in roles:
        assert role.replace(":", "") in signatures.replace(":", ""), (role, signatures)
    for other, text in enumerate(pages):
        if other != holding[0]:
            assert roles[0] not in text and roles[-1] not in text
