"""Help, the privacy notice, each role's "what's next" page and a resident's notice, in real
Chromium on a 320 px phone: axe, CSP, id references, no sideways scroll.

Elements are found by ids, hrefs and names, never by translated text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pb.extensions import db
from pb.proposals.services import reject
from tests import factories
from tests.browser.conftest import LiveServer, Network, check_page, follow, html_lang

pytestmark = pytest.mark.browser


def _log_in(page: Any, login: str) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.locator("#login").fill(login)
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    assert page.locator('header a[href$="/account"]').count() == 1


def _switch(page: Any, name: str) -> None:
    follow(page, page.locator("header form.languages").get_by_role("button", name=name))


def test_help_privacy_and_registration_in_kyrgyz_and_russian(
    new_page: Callable[..., Any], live_server: LiveServer, network: Network
) -> None:
    def seed(world: factories.World) -> None:
        world.municipality.contact_name = "Айгүл Асанова"
        world.municipality.contact_phone = "0 3945 5 12 34"
        world.municipality.contact_office = "Ак-Суу айыл өкмөтү, 2-бөлмө, Ленин көчөсү, 12"
        world.municipality.contact_hours = "Дүйшөмбү–жума, 9:00–17:00"
        db.session.commit()

    live_server.run(seed)
    page = new_page()
    page.goto("/")
    for language in ("Кыргызча", "Русский"):
        _switch(page, language)
        follow(page, page.locator('footer a[href="/help"]'))
        check_page(page)
        follow(page, page.locator('footer a[href="/privacy"]'))
        check_page(page)
        page.goto("/register")
        assert page.locator('main a[href="/privacy"]').count() == 1
        check_page(page)
        page.goto(f"/m/{live_server.slug}")
        assert "Айгүл Асанова" in page.locator("main").inner_text()
        check_page(page)
        page.goto(f"/c/{live_server.consultation_id}")
        assert "0 3945 5 12 34" in page.locator("main").inner_text()
        check_page(page)
    network.assert_only_from(live_server.url)
    network.assert_no_errors()


def test_a_resident_reads_her_notice_once_and_each_role_its_page(
    new_page: Callable[..., Any], live_server: LiveServer, network: Network
) -> None:
    def seed(world: factories.World) -> int:
        proposal = factories.make_proposal(world.consultation, world.resident, title="Кудук")
        with live_server.app.test_request_context():
            reject(world.officer, proposal, "Жер тилкеси жеке менчикте.")
        factories.make_proposal(world.consultation, title="Көпүрө")
        return proposal.id

    proposal_id = live_server.run(seed)
    page = new_page()
    _log_in(page, "0555 123 456")
    _switch(page, "Кыргызча")
    assert html_lang(page) == "ky"
    notices = page.locator("main section.notices")
    assert notices.count() == 1 and "Жер тилкеси жеке менчикте." in notices.inner_text()
    assert notices.locator(f'a[href$="/p/{proposal_id}"]').count() == 1
    check_page(page)
    follow(page, notices.locator("button[type=submit]"))
    assert page.locator("main section.notices").count() == 0
    page.goto("/account")
    follow(page, page.locator('main a[href$="/account/next"]'))
    assert page.locator("main section.notices").count() == 0
    assert page.locator(f'main a[href$="/p/{proposal_id}"]').count() == 1
    check_page(page)

    officer = new_page()
    _log_in(officer, "officer")
    _switch(officer, "Русский")
    officer.goto(f"/m/{live_server.slug}")
    follow(officer, officer.locator(f'main a[href$="/m/{live_server.slug}/tasks"]'))
    assert officer.locator(f'main a[href$="/c/{live_server.consultation_id}/review"]').count()
    check_page(officer)

    council = new_page()
    _log_in(council, "council")
    council.goto(f"/m/{live_server.slug}")
    follow(council, council.locator(f'main a[href$="/m/{live_server.slug}/awaiting-decision"]'))
    check_page(council)
    network.assert_only_from(live_server.url)
    network.assert_no_errors()
