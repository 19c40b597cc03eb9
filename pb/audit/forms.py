"""The audit page's filters, read from the query string."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from pb.forms import DayField, Form


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class AuditFilterForm(Form):
    """Which entries to show; a GET form, so no CSRF token is involved."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validators=[Optional()], filters=[_strip])
    since = DayField(_l("From"), validators=[Optional()])
    until = DayField(_l("Until"), validators=[Optional()])

    def validate_since(self, field: DateField) -> None:
        _plausible(field)

    def validate_until(self, field: DateField) -> None:
        _plausible(field)
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date cannot be before the start date."))


# Far around any entry, and far inside what dates and time zones can be converted within.
FIRST_YEAR, LAST_YEAR = 2000, 2999


def _plausible(field: DateField) -> None:
    if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Not a valid date value."))
