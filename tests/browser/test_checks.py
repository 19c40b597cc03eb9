"""The page checks themselves: each must catch what it is for, or the journeys prove nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import (
    PHONE,
    check_accessibility,
    check_no_horizontal_scroll,
    check_references,
)

pytestmark = pytest.mark.browser

BROKEN = """<!doctype html><html><head><title>Broken</title></head><body>
<main><p style="color:#bbb">Faint text</p><input type="text" aria-describedby="gone">
<div style="width:400px">Too wide</div></main></body></html>"""


@pytest.fixture
def blank(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_content(BROKEN)
    yield page
    context.close()


def test_axe_reports_serious_violations(blank: Any) -> None:
    with pytest.raises(pytest.fail.Exception) as failure:
        check_accessibility(blank)
    message = str(failure.value)
    assert "color-contrast (serious)" in message
    assert "label (critical)" in message
    assert "html-has-lang (serious)" in message


def test_missing_ids_are_reported(blank: Any) -> None:
    with pytest.raises(AssertionError, match='aria-describedby="gone"'):
        check_references(blank)


def test_sideways_scroll_at_320px_is_reported(blank: Any) -> None:
    with pytest.raises(pytest.fail.Exception, match="scrolls sideways at 320px"):
        check_no_horizontal_scroll(blank)
    assert blank.viewport_size == PHONE  # restored for the next check
