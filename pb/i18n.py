"""Locale selection, formatting in the reader's language, and multilingual field fallback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, SupportsFloat

from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.numbers import format_decimal, get_group_symbol
from babel.numbers import format_percent as babel_percent
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale, get_translations, gettext, to_user_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user

if TYPE_CHECKING:
    from flask import Flask

LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}
# How each language is named inside a sentence of the reader's language ("(in Russian)").
LANGUAGE_IN = {"ky": _l("in Kyrgyz"), "ru": _l("in Russian"), "en": _l("in English")}


def languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


# The visitor's language, kept on her device after the browser closes (the session does not).
LANGUAGE_COOKIE = "pb_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def is_print_page() -> bool:
    """A print view (``pb.printing.print_view``): its ``?lang=`` is the language of the paper,
    not of the officer's interface."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "prints_in_chosen_language", False))


def language_asked_in_link() -> str | None:
    """The language a link names (``?lang=ky``, as on a printed slip's QR code), on any page
    but a print view's; ``pb.main`` keeps it as the visitor's choice."""
    asked = request.args.get("lang")
    if asked in languages() and not is_print_page():
        return asked
    return None


def select_locale() -> str:
    """An explicit choice first (a link's ``?lang=``, this visit, this device, then the
    profile), then the browser, then Kyrgyz. Outside a request (a background job, a command),
    Kyrgyz, unless the work names its language (``force_locale``)."""
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    for chosen in (
        language_asked_in_link(),
        session.get("locale"),
        request.cookies.get(LANGUAGE_COOKIE),
    ):
        if chosen in languages():
            return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in languages():
        return current_user.locale
    return (
        request.accept_languages.best_match(languages())
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "ky"


NBSP = "\u00a0"
# How each language separates groups of three digits. Babel (CLDR) agrees today, but the
# ballot's running total is grouped in the browser, which may know nothing of Kyrgyz: the rule is
# stated here once and handed to the page (pb.voting.views), so both print the same digits.
GROUP_SEPARATORS = {"ky": NBSP, "ru": NBSP, "en": ","}


def group_separator() -> str:
    return GROUP_SEPARATORS.get(current_language(), NBSP)


def group_digits(value: int, separator: str) -> str:
    """1234567 -> "1 234 567": every number of four digits or more is grouped, as ballot.js does."""
    digits = str(abs(value))
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ("-" if value < 0 else "") + separator.join(groups)


def som_pattern() -> str:
    """The reader's "%(amount)s som", its spaces no-break so that "сом" never starts a line."""
    return gettext("%(amount)s som").replace(" ", NBSP)


def format_som(amount: int | None) -> str:
    """Whole som as people write them: 1 234 567 сом (ky, ru), 1,234,567 som (en).

    Babel's currency formatting prints "KGS" in Russian and adds kopecks; nobody writes that.
    """
    if amount is None:
        return ""
    return som_pattern() % {"amount": format_number(amount)}


def format_percent(share: SupportsFloat | None) -> str:
    """A share (a Fraction from 0 to 1) as a whole percentage in the reader's language."""
    if share is None:
        return ""
    return babel_percent(float(share), format="#,##0%", locale=current_language())  # display only


def format_number(value: int | SupportsFloat) -> str:
    """A count in the reader's language: 1 234 (ky, ru), 1,234 (en)."""
    if isinstance(value, int):
        return group_digits(value, group_separator())
    lang = current_language()
    return format_decimal(float(value), locale=lang).replace(
        get_group_symbol(lang), group_separator()
    )


def counted(text: str, num: int) -> str:
    """A plural message with its count written as the reader writes numbers: Python's "%(num)d"
    would print 12345 where the reader writes 12 345. ``install_counted_plurals`` makes every
    template's ngettext do this; Python code calls ``ngettext`` below."""
    count = format_number(num)
    return text.replace("%(num)d", count).replace("%(num)s", count)


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """Flask-Babel's ngettext, with the count and any other whole numbers grouped as in
    ``format_number``."""
    text = counted(get_translations().ungettext(singular, plural, num), num)
    values: dict[str, Any] = {}
    for name, value in variables.items():
        if isinstance(value, int) and not isinstance(value, bool):
            text = text.replace(f"%({name})d", f"%({name})s")
            value = format_number(value)
        values[name] = value
    return text % values


def install_counted_plurals(app: Flask) -> None:
    """Templates' ngettext as Flask-Babel installs it, but with the count grouped (``counted``)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # jinja2.ext.i18n
        gettext=lambda s: get_translations().ugettext(s),
        ngettext=lambda s, p, n: counted(get_translations().ungettext(s, p, n), n),
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: counted(get_translations().unpgettext(c, s, p, n), n),
    )


# The months as Kyrgyz writes a day: "2026-жылдын 17-декабры" (the year's, its 17th of December),
# a form that stands alone after a colon. CLDR has only "17-декабрь" and "17-дек.".
KY_MONTHS = (
    "январы",
    "февралы",
    "марты",
    "апрели",
    "майы",
    "июну",
    "июлу",
    "августу",
    "сентябры",
    "октябры",
    "ноябры",
    "декабры",
)


def _local_day(day: date | datetime) -> date:
    if isinstance(day, datetime):
        return to_user_timezone(day).date()
    return day


def format_day(day: date | datetime | None) -> str:
    """A day with its month written out, the same in a table and inside a sentence:
    "2026-жылдын 17-декабры" (ky), "17 декабря 2026 года" (ru), "17 December 2026" (en).

    None of them ends with a full stop (Babel's Russian "17 дек. 2026 г." did, so a sentence
    ending with the date got two), and none needs a case ending from the sentence around it:
    messages put the day after a colon or where the form reads as it is.
    """
    if day is None:
        return ""
    day = _local_day(day)
    lang = current_language()
    if lang == "ky":
        return f"{day.year}-жылдын {day.day}-{KY_MONTHS[day.month - 1]}"
    if lang == "ru":
        return babel_date(day, f"d{NBSP}MMMM y", locale="ru") + NBSP + "года"
    return babel_date(day, f"d{NBSP}MMMM y", locale=lang)


def format_moment(moment: datetime | None) -> str:
    """A day and a time of day in the municipality's time zone: "17 декабря 2026 года, 14:30"."""
    if moment is None:
        return ""
    local = to_user_timezone(moment)
    return f"{format_day(local.date())}, {babel_time(local, 'HH:mm', locale=current_language())}"


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
