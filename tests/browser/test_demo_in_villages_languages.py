"""The demo that `make run` loads, read in Chromium as a Kyrgyz- and a Russian-speaking
resident would (issue 16, "Done when"): searching the home page for "суу" finds Ак-Суу on
SQLite; no amount on the pages she opens is grouped with a comma, and "сом" stays with its
number; no date has an abbreviated month or a doubled full stop; the ballot's running total
groups digits as the server does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pb import create_app
from pb.demo import load_demo_data
from pb.extensions import db
from pb.models import Consultation, Phase
from tests.browser.conftest import check_page, follow, html_lang, serving

pytestmark = pytest.mark.browser

NBSP = "\u00a0"
ABBREVIATED_MONTH = re.compile(
    r"\b(янв|фев|мар|апр|июн|июл|авг|сен|сент|окт|ноя|дек)\.", re.IGNORECASE
)
COMMA_GROUPED = re.compile(r"\d,\d{3}\b")


@pytest.fixture
def demo_url(tmp_path: Path) -> Iterator[str]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "demo-browser-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite'}",
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        db.create_all()
        load_demo_data()
        db.session.remove()
    with serving(app) as url:
        yield url


def _voting_consultation(url: str) -> int:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        found = db.session.query(Consultation.id).filter_by(phase=Phase.VOTING).scalar()
        db.engine.dispose()
    return int(found)


def _read_as_villagers_do(page: Any) -> str:
    text = page.locator("body").inner_text()
    assert not ABBREVIATED_MONTH.search(text), ABBREVIATED_MONTH.search(text)
    assert ".." not in text.replace("...", "")
    assert not COMMA_GROUPED.search(text), COMMA_GROUPED.search(text)
    # "сом" never alone at the start of a line: always bound to its number.
    assert not re.search(r"\d сом", text)
    return text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_demo_reads_as_villagers_write(
    new_page: Any, demo_url: str, tmp_path: Path, lang: str
) -> None:
    page = new_page(locale="en-US")  # the browser's own locale data must not matter
    page.set_default_timeout(15_000)
    page.goto(f"{demo_url}/?lang={lang}")
    assert html_lang(page) == lang
    _read_as_villagers_do(page)
    page.locator("#q").fill("суу")
    follow(page, page.locator("form.search button[type=submit]"))
    results = page.locator("main").inner_text()
    assert "Ак-Суу" in results or "Ак-Суй" in results
    check_page(page)

    consultation_id = _voting_consultation(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    page.goto(f"{demo_url}/c/{consultation_id}")
    text = _read_as_villagers_do(page)
    assert re.search(r"\d{3}" + NBSP + r"\d{3}" + NBSP + "сом", text), "no amount on the page"

    page.goto(f"{demo_url}/c/{consultation_id}/vote")
    _read_as_villagers_do(page)
    ballot = page.locator("main fieldset.ballot")
    tally = ballot.locator(".tally")
    tally.wait_for(state="visible")
    assert "600" + NBSP + "000" + NBSP + "сом" in tally.inner_text()
    ballot.locator("input[name=choice]").first.check()
    after = tally.inner_text()
    assert re.search(r"\d" + NBSP + r"\d{3}" + NBSP + "сом", after), after
    assert not COMMA_GROUPED.search(after)
    check_page(page)
