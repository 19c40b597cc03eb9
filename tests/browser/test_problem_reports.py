"""A resident reports a problem with a funded project in Kyrgyz, with a photo; an officer
answers it in public; a visitor reads both.

Elements are found by ids, hrefs and names, never by translated text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pb.extensions import db
from pb.models import ProblemReport
from tests import factories
from tests.browser.conftest import LiveServer, Network, check_page, follow, html_lang
from tests.photos import images

pytestmark = pytest.mark.browser

PROBLEM = "Жаңы жолдо мектептин жанында чуңкурлар пайда болду, балдар ал жерден өтө албай жатышат."
ANSWER = "Рахмат. Подрядчик чуңкурларды жума күнүнө чейин оңдойт."


def log_in(page: Any, login: str) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.locator("#login").fill(login)
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    assert page.locator('header a[href$="/account"]').count() == 1, page.locator(
        "main"
    ).inner_text()


def test_a_resident_reports_in_kyrgyz_and_an_officer_answers(
    new_page: Callable[..., Any], live_server: LiveServer, network: Network, tmp_path: Any
) -> None:
    def seed(world: factories.World) -> tuple[int, str]:
        funded, _ = factories.funded_and_unfunded(world.consultation)
        return funded.id, world.resident.phone or ""

    project_id, phone = live_server.run(seed)
    picture = tmp_path / "IMG_2031.jpg"
    picture.write_bytes(images.with_gps())

    resident = new_page(locale="ky-KG")
    log_in(resident, phone)
    resident.goto(f"/p/{project_id}")
    follow(
        resident, resident.locator("header form.languages").get_by_role("button", name="Кыргызча")
    )
    assert html_lang(resident) == "ky"
    check_page(resident)
    follow(resident, resident.locator(f'main a[href$="/p/{project_id}/report"]'))
    assert html_lang(resident) == "ky"
    check_page(resident)
    form = resident.locator("main form")
    form.locator("#text").fill(PROBLEM)
    form.locator("#photo").set_input_files(str(picture))
    form.locator("#alt_text").fill("Жолдогу чуңкур, мектептин дарбазасынын алдында")
    follow(resident, form.locator("button[type=submit]"))
    assert f"/p/{project_id}" in resident.url, resident.locator("main").inner_text()
    assert resident.locator("main .flash-success").count() == 1
    report = resident.locator("main article.report")
    assert report.locator(".prose").inner_text() == PROBLEM
    assert report.locator(".prose").get_attribute("lang") == "ky"
    thumb = report.locator("img[loading=lazy]")
    assert thumb.count() == 1
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    check_page(resident)

    officer = new_page(locale="ru-RU")
    log_in(officer, "officer")
    officer.goto(f"/p/{project_id}")
    follow(officer, officer.locator("header form.languages").get_by_role("button", name="Русский"))
    assert html_lang(officer) == "ru"
    check_page(officer)
    answer = officer.locator("main form[action$='/answer']")
    answer.locator("textarea[name=text]").fill(ANSWER)
    answer.locator("select[name=language]").select_option("ky")
    follow(officer, answer.locator("button[type=submit]"))
    assert officer.locator("main .flash-success").count() == 1, officer.locator("main").inner_text()
    check_page(officer)

    visitor = new_page(locale="ky-KG")
    visitor.goto(f"/p/{project_id}")
    assert html_lang(visitor) == "ky"
    reply = visitor.locator("main article.report .answer .prose")
    assert reply.inner_text() == ANSWER
    assert visitor.locator("main article.report form").count() == 0
    check_page(visitor)

    def stored(world: factories.World) -> tuple[object, ...]:
        row = db.session.query(ProblemReport).one()
        return (row.text, row.language, len(row.answers), row.photo_id is not None)

    assert live_server.run(stored) == (PROBLEM, "ky", 1, True)
    network.assert_no_errors()
    network.assert_only_from(live_server.url)


def test_an_officer_adds_a_photo_at_review_and_residents_see_it(
    new_page: Callable[..., Any], live_server: LiveServer, network: Network, tmp_path: Any
) -> None:
    proposal_id = live_server.run(
        lambda world: factories.make_proposal(world.consultation, author=world.resident).id
    )
    picture = tmp_path / "bridge.png"
    picture.write_bytes(images.png(1200, 900, mode="RGB"))

    officer = new_page(locale="ru-RU")
    log_in(officer, "officer")
    officer.goto(f"/p/{proposal_id}/review")
    follow(officer, officer.locator("header form.languages").get_by_role("button", name="Русский"))
    check_page(officer)
    form = officer.locator("main form[action$='/photos']")
    form.locator("#photo-photo").set_input_files(str(picture))
    form.locator("#photo-alt_text").fill("Сломанный мост через арык")
    follow(officer, form.locator("button[type=submit]"))
    assert officer.locator("main .flash-success").count() == 1, officer.locator("main").inner_text()
    assert officer.locator("main figure.photo img").count() == 1
    check_page(officer)

    visitor = new_page(locale="ky-KG")
    visitor.goto(f"/p/{proposal_id}")
    thumb = visitor.locator("main ul.photos img[loading=lazy]")
    assert thumb.get_attribute("alt") == "Сломанный мост через арык"
    assert thumb.evaluate("img => img.complete && img.naturalWidth === 320")
    link = visitor.locator("main ul.photos a").get_attribute("href") or ""
    assert link.endswith("/large")
    check_page(visitor)
    network.assert_no_errors()
    network.assert_only_from(live_server.url)
