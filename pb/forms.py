"""The base form: Flask-WTF, with WTForms' own messages read from pb's catalogs.

WTForms ships no Kyrgyz catalog, so the few built-in messages a form can show are listed below
for extraction and translated in translations/ like every other string.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import LazyString, get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, validators

T = TypeVar("T")

# Messages WTForms raises itself when a value cannot be parsed; listed so pybabel extracts them.
WTFORMS_MESSAGES = (
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("This field is required."),
)


class _CatalogTranslations:
    """What WTForms asks of a translations object, answered from Flask-Babel's catalog."""

    def gettext(self, string: str) -> str:
        return get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ngettext(singular, plural, n)


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        # CSRFProtect checks every POST before any view runs (pb.extensions.csrf), and the
        # templates put its token in each form; a second check per form would only cost time.
        csrf = False

        def get_translations(self, form: object) -> _CatalogTranslations:
            return _CatalogTranslations()


# A browser's date picker sends 2026-12-17; where a browser has none, people type the day as
# they write it, 17.12.2026. Both are taken, and the message says how to write it.
DAY_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
NOT_A_DAY = _l("Write the date as day.month.year, for example 17.12.2026.")


class DayField(DateField):
    """A date in a form: the browser's date picker, or a day typed as 17.12.2026."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", DAY_FORMATS)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(NOT_A_DAY) from None

    def _value(self) -> str:
        # The date picker reads only 2026-12-17, whichever way the day was typed.
        if self.data:
            return self.data.isoformat()
        return " ".join(self.raw_data or ())


def required() -> validators.InputRequired:
    return validators.InputRequired(message=_l("This field is required."))


def optional() -> validators.Optional:
    return validators.Optional()


def length(max: int, min: int = 0) -> validators.Length:
    if min:
        message = _l("Write from %(min)d to %(max)d characters.", min=min, max=max)
    else:
        message = _l("Write at most %(max)d characters.", max=max)
    return validators.Length(min=min or -1, max=max, message=message)


def number_range(min: int, max: int) -> validators.NumberRange:
    """A whole number within bounds, with the bounds said in the message."""
    return validators.NumberRange(
        min=min, max=max, message=_l("Write a number from %(min)d to %(max)d.", min=min, max=max)
    )


# Row ids: whole numbers that every database pb runs on can hold (PostgreSQL's INTEGER).
MAX_ID = 2**31 - 1


def id_or_none(value: str | int | None) -> int | None:
    """A select's value as a row id, or None for "none chosen". Anything else, a huge number
    included (it would overflow the database's integers in the lookup), is refused with
    ValueError, which WTForms shows as an invalid choice."""
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def empty_to_none(value: str | None) -> str | None:
    value = strip(value)
    return value or None


def add_error(field: Field, message: LazyString | str) -> None:
    """Attach a message found after the field's own validators ran (cross-field checks)."""
    field.errors = [*field.errors, message]


def given(data: T | None) -> T:
    """The data of a field with ``required()``, in a form that validated: WTForms types a field's
    data as possibly None, but the validator stopped the form if nothing was sent."""
    if data is None:
        raise ValueError("a required field has no data: was the form validated?")
    return data
