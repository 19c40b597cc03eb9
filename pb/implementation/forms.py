from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3
from wtforms.validators import Optional

from pb.forms import DayField, Form, add_error, length, number_range, required, strip
from pb.implementation.services import (
    CONTRACTOR_MAX,
    COST_MAX,
    NEEDS_REASON,
    TEXT_MAX,
)
from pb.implementation.status import STATUSES
from pb.models.implementation import ImplementationStatus

UPDATE_LANGUAGES = [
    SelectChoice("ky", "Кыргызча"),
    SelectChoice("ru", "Русский"),
    SelectChoice("en", "English"),
]
ALT_MAX = 300


def _som(label: LazyString, needed: bool = False) -> IntegerField:
    return IntegerField(
        label,
        validators=[required() if needed else Optional(), number_range(0, COST_MAX)],
        render_kw={"inputmode": "numeric"},
    )


class ImplementationForm(Form):
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, label) for s, label in STATUSES.items()],
        validators=[required()],
    )
    status_reason = TextAreaField(
        _l("Reason (public)"),
        validators=[Optional(), length(max=TEXT_MAX)],
        filters=[strip],
        description=_l("Required when the project is postponed or cancelled."),
        render_kw={"rows": 3},
    )
    planned_cost = _som(_l("Planned cost, som"), needed=True)
    actual_cost = _som(_l("Actual cost, som (optional)"))
    community_money = _som(_l("Money the community put in, som (optional)"))
    community_labour = TextAreaField(
        _l("Ashar: work the community did (optional)"),
        validators=[Optional(), length(max=TEXT_MAX)],
        filters=[strip],
        description=_l("For example: 40 residents dug the trench in two days."),
        render_kw={"rows": 2},
    )
    contractor = StringField(
        _l("Contractor (optional)"),
        validators=[Optional(), length(max=CONTRACTOR_MAX)],
        filters=[strip],
    )
    started_on = DayField(_l("Start date (optional)"), validators=[Optional()])
    finished_on = DayField(_l("End date (optional)"), validators=[Optional()])
    changes = TextAreaField(
        _l("What changed from the proposal (optional)"),
        validators=[Optional(), length(max=TEXT_MAX)],
        filters=[strip],
        render_kw={"rows": 3},
    )

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        valid = super().validate(extra_validators)
        needs_reason = ImplementationStatus(self.status.data) in NEEDS_REASON if valid else False
        if needs_reason and not self.status_reason.data:
            add_error(
                self.status_reason,
                _l("Write the public reason why the project is postponed or cancelled."),
            )
            valid = False
        started, finished = self.started_on.data, self.finished_on.data
        if valid and started and finished and finished < started:
            add_error(self.finished_on, _l("The end date cannot be before the start date."))
            valid = False
        return valid


class UpdateForm(Form):
    posted_on = DayField(_l("Date"), validators=[required()])
    language = SelectField(
        _l("Language of the text"), choices=UPDATE_LANGUAGES, validators=[required()]
    )
    text = TextAreaField(
        _l("What happened"),
        validators=[required(), length(max=TEXT_MAX)],
        filters=[strip],
        render_kw={"rows": 4},
    )
    photo = FileField(
        _l("Photo (optional)"),
        description=_l("JPEG, PNG or WebP."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    alt_text = StringField(
        _l("What the photo shows"),
        validators=[Optional(), length(max=ALT_MAX)],
        filters=[strip],
        description=_l("For people who cannot see it. Required with a photo."),
    )

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        valid = super().validate(extra_validators)
        if valid and self.has_photo and not self.alt_text.data:
            add_error(self.alt_text, _l("Say in a few words what the photo shows."))
            valid = False
        return valid

    @property
    def has_photo(self) -> bool:
        data = self.photo.data
        return bool(data is not None and getattr(data, "filename", None))
