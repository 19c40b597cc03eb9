"""A visitor's language is kept on her device (a long-lived cookie, not only the session that
ends when the browser closes), and a link naming a language (``?lang=ky`` on a printed slip's
QR code) sets it on any public page, but not on a print page, where it names the paper's."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from pb.i18n import LANGUAGE_COOKIE
from tests import factories


def html_lang(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'<html lang="(\w+)"', response.get_data(as_text=True))
    assert match
    return match.group(1)


def _cookie(response) -> str:  # type: ignore[no-untyped-def]
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(LANGUAGE_COOKIE)]
    assert len(found) == 1, response.headers.getlist("Set-Cookie")
    return found[0]


def _max_age(cookie: str) -> int:
    match = re.search(r"Max-Age=(\d+)", cookie)
    assert match, cookie
    return int(match.group(1))


def test_the_language_switch_keeps_the_choice_in_a_long_lived_cookie(
    app: Flask, client: FlaskClient, world: factories.World
) -> None:
    response = client.post("/language", data={"locale": "ru", "next": "/"})
    cookie = _cookie(response)
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=ru;")
    assert _max_age(cookie) >= 180 * 24 * 3600
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    # The browser closed: the session is gone, the cookie is not.
    later = app.test_client()
    later.set_cookie(LANGUAGE_COOKIE, "ru", domain="pb.test")
    assert html_lang(later.get("/", headers={"Accept-Language": "en"})) == "ru"


def test_the_cookie_is_read_only_for_a_language_pb_speaks(
    app: Flask, world: factories.World
) -> None:
    client = app.test_client()
    client.set_cookie(LANGUAGE_COOKIE, "de", domain="pb.test")
    assert html_lang(client.get("/", headers={"Accept-Language": "ru"})) == "ru"


def test_a_link_with_lang_sets_the_language_for_the_visit_and_the_device(
    client: FlaskClient, world: factories.World
) -> None:
    c = world.consultation.id
    response = client.get(f"/c/{c}?lang=ky", headers={"Accept-Language": "ru"})
    assert response.status_code == 200 and html_lang(response) == "ky"
    assert _cookie(response).startswith(f"{LANGUAGE_COOKIE}=ky;")
    # The next pages, without ?lang=, stay in Kyrgyz.
    assert html_lang(client.get("/", headers={"Accept-Language": "ru"})) == "ky"


def test_a_slip_link_opens_the_ballot_in_its_language(
    client: FlaskClient, world: factories.World
) -> None:
    factories.open_voting(world.consultation)
    response = client.get(
        f"/c/{world.consultation.id}/vote?lang=ru", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200 and html_lang(response) == "ru"


def test_a_bad_lang_in_a_link_changes_nothing(client: FlaskClient, world: factories.World) -> None:
    for bad in ("de", "", "ky+ru", "KY", "x" * 300):
        response = client.get("/", query_string={"lang": bad}, headers={"Accept-Language": "en"})
        assert response.status_code == 200 and html_lang(response) == "en"
        assert not any(
            c.startswith(LANGUAGE_COOKIE) for c in response.headers.getlist("Set-Cookie")
        )


def test_a_print_pages_lang_is_the_papers_not_the_officers(
    officer_client: FlaskClient, world: factories.World
) -> None:
    c = world.consultation.id
    response = officer_client.get(f"/c/{c}/print/poster?lang=ru")
    assert html_lang(response) == "en"
    assert not any(c.startswith(LANGUAGE_COOKIE) for c in response.headers.getlist("Set-Cookie"))
    assert html_lang(officer_client.get(f"/c/{c}")) == "en"


def test_switching_language_drops_the_lang_the_page_was_opened_with(
    client: FlaskClient, world: factories.World
) -> None:
    c = world.consultation.id
    client.get(f"/c/{c}/vote?lang=ky")
    response = client.post(
        "/language", data={"locale": "ru", "next": f"/c/{c}/vote?lang=ky&page=2"}
    )
    assert response.headers["Location"].endswith(f"/c/{c}/vote?page=2")
    assert html_lang(client.get(response.headers["Location"])) == "ru"
