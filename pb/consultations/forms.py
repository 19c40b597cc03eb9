from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is for 3.2
from wtforms.validators import NumberRange, Optional

from pb.confirming import ConfirmForm
from pb.consultations.services import DATE_FIELDS, MAX_BUDGET, date_order_errors
from pb.forms import DayField, Form, add_error, empty_to_none, length, required, strip
from pb.labels import STANDARD_CATEGORIES


class CheckboxListField(SelectMultipleField):
    """A list of checkboxes; a value that is not among them gets our own translated message."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", _l("Not a valid choice."))
        super().__init__(*args, **kwargs)


def _date(label: LazyString) -> DayField:
    return DayField(label, validators=[required()])


class ConsultationForm(Form):
    title_ky = StringField(
        _l("Title in Kyrgyz"), validators=[Optional(), length(max=200)], filters=[empty_to_none]
    )
    title_ru = StringField(
        _l("Title in Russian"), validators=[Optional(), length(max=200)], filters=[empty_to_none]
    )
    title_en = StringField(
        _l("Title in English"), validators=[Optional(), length(max=200)], filters=[empty_to_none]
    )
    description_ky = TextAreaField(
        _l("Description in Kyrgyz"),
        validators=[Optional(), length(max=10000)],
        filters=[empty_to_none],
        render_kw={"rows": 5},
    )
    description_ru = TextAreaField(
        _l("Description in Russian"),
        validators=[Optional(), length(max=10000)],
        filters=[empty_to_none],
        render_kw={"rows": 5},
    )
    description_en = TextAreaField(
        _l("Description in English"),
        validators=[Optional(), length(max=10000)],
        filters=[empty_to_none],
        render_kw={"rows": 5},
    )
    budget = IntegerField(
        _l("Budget put to the residents, in som"),
        validators=[
            required(),
            NumberRange(
                min=1,
                max=MAX_BUDGET,
                message=_l("The budget must be a positive whole number of som."),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    category_keys = CheckboxListField(
        _l("Categories"),
        choices=[SelectChoice(key, label) for key, label in STANDARD_CATEGORIES.items()],
    )
    custom_categories = TextAreaField(
        _l("Other categories"),
        validators=[Optional(), length(max=2000)],
        description=_l("One per line, if the list above lacks one."),
        render_kw={"rows": 3},
    )
    village_ids = CheckboxListField(_l("Villages it covers"), coerce=int)
    proposals_from = _date(_l("Proposals collected from"))
    proposals_until = _date(_l("Proposals collected until"))
    review_until = _date(_l("Review ends on"))
    voting_from = _date(_l("Voting starts on"))
    voting_until = _date(_l("Voting ends on"))
    results_on = _date(_l("Results announced on"))

    def custom_category_names(self) -> list[str]:
        return [
            " ".join(line.split())[:100]
            for line in (self.custom_categories.data or "").splitlines()
            if line.strip()
        ]

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.title_ky.data or self.title_ru.data or self.title_en.data):
            add_error(self.title_ky, _l("Give the title in at least one language."))
            ok = False
        if not self.category_keys.data and not self.custom_category_names():
            add_error(self.category_keys, _l("Choose at least one category."))
            ok = False
        if not self.village_ids.data:
            add_error(self.village_ids, _l("Choose at least one village of the municipality."))
            ok = False
        dates = {name: getattr(self, name).data for name in DATE_FIELDS}
        for name, message in date_order_errors(dates).items():
            add_error(getattr(self, name), message)
            ok = False
        return ok


class PhaseForm(ConfirmForm):
    """A move of phase; those that cannot be undone come back from a confirmation page."""

    expected = StringField(validators=[required(), length(max=20)])
    reason = TextAreaField(
        _l("Why does it go back?"),
        validators=[Optional(), length(max=2000)],
        filters=[strip],
        render_kw={"rows": 2},
    )
