"""Locale selection, formatting in the reader's language, and multilingual field fallback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, SupportsFloat

from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_percent
from flask import current_app, request, session
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}
# How each language is named inside a sentence of the reader's language ("(in Russian)").
LANGUAGE_IN = {"ky": _l("in Kyrgyz"), "ru": _l("in Russian"), "en": _l("in English")}


def languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """An explicit choice first (this visit, then the profile), then the browser, then Kyrgyz."""
    chosen = session.get("locale")
    if chosen in languages():
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages():
        return current_user.locale
    return (
        request.accept_languages.best_match(languages())
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "ky"


def format_som(amount: int | None) -> str:
    """Whole som as people write them: 1 234 567 сом (ky, ru), 1,234,567 som (en).

    Babel's currency formatting prints "KGS" in Russian and adds kopecks; nobody writes that.
    """
    if amount is None:
        return ""
    number = format_decimal(amount, locale=current_language())
    return gettext("%(amount)s som", amount=number)


def format_percent(share: SupportsFloat | None) -> str:
    """A share (a Fraction from 0 to 1) as a whole percentage in the reader's language."""
    if share is None:
        return ""
    return babel_percent(float(share), format="#,##0%", locale=current_language())  # display only


def format_number(value: int) -> str:
    return format_decimal(value, locale=current_language())


@dataclass(frozen=True)
class LocalizedText:
    text: str
    language: str
    #: True when the reader's language had no text and another one stands in.
    fallback: bool

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def localized(obj: Any, field: str) -> LocalizedText:
    """The reader's language version of a ``field_ky/_ru/_en`` text, or the first one there is."""
    reader = current_language()
    order = [reader] + [lang for lang in ("ky", "ru", "en") if lang != reader]
    for lang in order:
        value = getattr(obj, f"{field}_{lang}", None)
        if value:
            return LocalizedText(value, lang, lang != reader)
    return LocalizedText("", reader, False)


def language_in(lang: str) -> str:
    return str(LANGUAGE_IN.get(lang, lang))
