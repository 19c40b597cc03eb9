"""Printed matter in the language the village needs, whatever the officer's interface language.

A print view takes ``?lang=`` (``ky``, ``ru``, ``en``, or ``ky+ru`` for Kyrgyz and Russian side
by side) and renders its printable part once per language under Flask-Babel's
``force_locale``: every message, amount, date and multilingual field of that part then reads in
that language, while the page around it (navigation, the officer's buttons) stays in hers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from pb.i18n import current_language

# What an officer may choose, in the order the form offers it.
CHOICES: Mapping[str, tuple[str, ...]] = {
    "ky": ("ky",),
    "ru": ("ru",),
    "en": ("en",),
    "ky+ru": ("ky", "ru"),
}
CHOICE_LABELS: Mapping[str, object] = {
    "ky": "Кыргызча",
    "ru": "Русский",
    "en": "English",
    "ky+ru": _l("Kyrgyz and Russian side by side"),
}


def print_choice(requested: str | None) -> str:
    """The officer's choice as given (``?lang=``), or her interface language."""
    # "ky+ru" typed into an address arrives as "ky ru": a "+" in a query string is a space.
    requested = (requested or "").replace(" ", "+")
    if requested in CHOICES:
        return requested
    return current_language()


def print_languages(requested: str | None) -> tuple[str, ...]:
    """The languages to print in: one, or Kyrgyz and Russian side by side."""
    return CHOICES[print_choice(requested)]


F = TypeVar("F", bound=Callable[..., Any])


def print_view(view: F) -> F:
    """Marks a print view: its ``?lang=`` chooses the language of the paper, and so does not
    change the officer's interface language as it does on other pages (``pb.i18n``). Put it
    under ``@bp.route`` (``functools.wraps`` in the decorators between keeps the mark)."""
    view.prints_in_chosen_language = True  # type: ignore[attr-defined]
    return view


def render_in_each(languages: tuple[str, ...], template: str, **context: object) -> list[Markup]:
    """``template`` rendered once in each language, for the print view to lay out (one column
    a language). The template is a partial: it must not extend ``base.html``."""
    rendered = []
    for language in languages:
        with force_locale(language):
            rendered.append(Markup(render_template(template, print_language=language, **context)))
    return rendered
