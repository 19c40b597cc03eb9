"""pb.printing: the paper's language as the officer chose it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from pb import printing


@pytest.mark.parametrize(
    "asked, languages",
    [
        ("ky", ("ky",)),
        ("ru", ("ru",)),
        ("en", ("en",)),
        ("ky+ru", ("ky", "ru")),
        ("ky ru", ("ky", "ru")),  # "+" typed in an address arrives as a space
        (None, ("en",)),
        ("", ("en",)),
        ("de", ("en",)),
        ("ru+ky", ("en",)),
    ],
)
def test_print_languages(app: Flask, asked: str | None, languages: tuple[str, ...]) -> None:
    with app.test_request_context(), force_locale("en"):
        assert printing.print_languages(asked) == languages


def test_print_view_marks_the_view_through_other_decorators() -> None:
    from pb.printed import views

    assert getattr(views.poster, "prints_in_chosen_language", False)
    assert getattr(views.ballot_order, "prints_in_chosen_language", False)
