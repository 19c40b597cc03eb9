"""After the vote: an officer posts an update with a photo in Russian, residents read it on the
"What became of it" page, and the execution report prints on numbered A4 pages in Kyrgyz and
Russian.

Elements are found by ids, hrefs and names, never by translated text; expected words come from
the catalogs (under ``force_locale``) and differ from the English.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from pb.extensions import db
from pb.labels import IMPLEMENTATION_STATUSES
from pb.models import Channel, Phase
from pb.models.implementation import Implementation, ImplementationStatus, ImplementationUpdate
from pb.results.counting import count_and_store
from tests import factories
from tests.browser.conftest import LiveServer, check_page, follow, html_lang
from tests.implementation.helpers import jpeg_bytes, publish_with_funded

pytestmark = pytest.mark.browser

A4 = (595.28, 841.89)  # points
TEXT = "Завезли трубы и начали копать траншею вдоль улицы."
ALT = "Трубы сложены у дороги в Кара-Булаке"


def _log_in(page: Any, login: str) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.locator("#login").fill(login)
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    assert page.locator('header a[href$="/account"]').count() == 1


def _seed(world: factories.World) -> tuple[int, int]:
    p1, *_ = publish_with_funded(world.consultation)
    return world.consultation.id, p1.id


def test_an_officer_posts_an_update_with_a_photo_in_russian(
    new_page: Callable[..., Any], live_server: LiveServer, tmp_path: Any
) -> None:
    consultation_id, project_id = live_server.run(_seed)
    picture = tmp_path / "truby.jpg"
    picture.write_bytes(jpeg_bytes((800, 600)))

    officer = new_page(locale="ru-RU")
    _log_in(officer, "officer")
    officer.goto(f"/c/{consultation_id}/implementation")
    follow(officer, officer.locator("header form.languages").get_by_role("button", name="Русский"))
    assert html_lang(officer) == "ru"
    check_page(officer)
    follow(officer, officer.locator(f'main a[href$="/c/{consultation_id}/implementation/keep"]'))
    check_page(officer)
    follow(officer, officer.locator(f'main a[href$="/p/{project_id}/implementation"]'))
    check_page(officer)

    # First the status: under way, with a start date typed as people write it.
    state = officer.locator(f'main form[action$="/p/{project_id}/implementation"]')
    state.locator("#status").select_option("under_way")
    state.locator("#started_on").fill("2026-05-04")
    state.locator("#contractor").fill("ОсОО «Курулуш»")
    follow(officer, state.locator("button[type=submit]"))
    assert officer.locator("main .flash-success").count() == 1

    post = officer.locator(f'main form[action$="/p/{project_id}/implementation/updates"]')
    assert post.locator("#language").input_value() == "ru"  # her language, chosen for her
    post.locator("#text").fill(TEXT)
    post.locator("#photo").set_input_files(str(picture))
    post.locator("#alt_text").fill(ALT)
    follow(officer, post.locator("button[type=submit]"))
    assert officer.locator("main .flash-success").count() == 1, officer.locator("main").inner_text()
    check_page(officer)

    def stored(world: factories.World) -> tuple[str, str, int, str]:
        update = db.session.scalars(db.select(ImplementationUpdate)).one()
        row = db.session.get(Implementation, update.implementation_id)
        return update.language, update.text, len(update.photos), row.status.value

    assert live_server.run(stored) == ("ru", TEXT, 1, ImplementationStatus.UNDER_WAY.value)

    # A resident reading Kyrgyz sees the update marked as written in Russian, with the photo.
    reader = new_page(locale="ky-KG")
    reader.goto(f"/c/{consultation_id}/implementation")
    follow(reader, reader.locator("header form.languages").get_by_role("button", name="Кыргызча"))
    assert html_lang(reader) == "ky"
    check_page(reader)
    update = reader.locator("main ol.updates li").first
    assert update.locator(".prose").inner_text() == TEXT
    assert update.locator(".prose").get_attribute("lang") == "ru"
    assert update.locator(".fallback").count() == 1
    thumb = update.locator("img[loading=lazy]")
    assert thumb.get_attribute("alt") == ALT
    thumb.scroll_into_view_if_needed()
    reader.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    with live_server.app.test_request_context(), force_locale("ky"):
        under_way = str(IMPLEMENTATION_STATUSES[ImplementationStatus.UNDER_WAY])
    assert under_way != "Under way" and under_way in reader.locator("main").inner_text()
    # The same update on the municipality's page and on the proposal's own page.
    for path in (f"/m/{live_server.slug}/implementation", f"/p/{project_id}"):
        reader.goto(path)
        assert reader.locator("main ol.updates .prose").first.inner_text() == TEXT
        check_page(reader)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _seed_report(world: factories.World) -> int:
    c = world.consultation
    costs = tuple(20_000 + 1_000 * i for i in range(30))
    proposals = factories.open_voting(c, costs=costs)
    for _ in range(4):
        factories.make_ballot(c, Channel.ONLINE, [(p.id, 1) for p in proposals])
    c.phase = Phase.CLOSED
    count_and_store(c)
    c.phase = Phase.PUBLISHED
    for p in proposals[:10]:
        db.session.add(
            Implementation(
                proposal_id=p.id,
                status=ImplementationStatus.COMPLETED,
                planned_cost=p.cost,
                actual_cost=p.cost - 500,
                community_labour="Ашар: 20 киши эки күн иштеди",
            )
        )
    db.session.commit()
    return c.id


@pytest.mark.parametrize("choice", ["ky", "ru", "ky+ru"])
def test_the_execution_report_prints_on_numbered_a4_pages(
    page: Any, live_server: LiveServer, choice: str
) -> None:
    consultation_id = live_server.run(_seed_report)
    _log_in(page, "council")
    page.goto(f"/c/{consultation_id}/execution-report")
    check_page(page)
    page.locator("#print-lang").select_option(choice)
    follow(page, page.locator("form.print-language button[type=submit]"))
    assert html_lang(page) == "en"
    check_page(page)

    reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    pages = [_squeezed(sheet.extract_text()) for sheet in reader.pages]
    total = len(pages)
    assert total >= 2, "the report was expected to run over more than one page"
    for sheet in reader.pages:
        width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1, (width, height)
    for number, text in enumerate(pages, start=1):
        assert f"{number}/{total}" in text, (number, text[-200:])
    everything = "".join(pages)
    for lang in choice.split("+"):
        with live_server.app.test_request_context():
            with force_locale(lang):
                heading = gettext("Execution report of the participatory budget")
                completed = str(IMPLEMENTATION_STATUSES[ImplementationStatus.COMPLETED])
            with force_locale("en"):
                assert heading != gettext("Execution report of the participatory budget")
        assert _squeezed(heading) in everything, lang
        assert _squeezed(completed) in everything, lang
    assert "Execution report" not in "".join(reader.pages[0].extract_text())
