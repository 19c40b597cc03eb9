from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is for 3.2
from wtforms.validators import Optional

from pb.auth.forms import validate_phone_field
from pb.forms import Form, empty_to_none, id_or_none, length, number_range, required, strip
from pb.labels import GENDERS
from pb.roll.reading import FIRST_YEAR, HOUSEHOLD_MAX, NAME_MAX


class RollFileForm(Form):
    # Any file is taken: the reader says what it can read, and why not (one definition of a
    # readable roll file, not a second one here by the name's ending).
    file = FileField(
        _l("The household register as a CSV or Excel (.xlsx) file"),
        validators=[FileRequired(message=_l("Choose a file."))],
        render_kw={"accept": ".csv,.xlsx"},
    )


class ConfirmImportForm(Form):
    add_duplicates = BooleanField(
        _l("Also add the likely duplicates"),
        description=_l(
            "Only if they are other people with the same name, year of birth and village."
        ),
    )


class EntryForm(Form):
    full_name = StringField(
        _l("Full name"),
        validators=[required(), length(max=NAME_MAX)],
        filters=[strip],
        description=_l("As in the household register: surname, name, patronymic."),
    )
    birth_year = IntegerField(
        _l("Year of birth"),
        validators=[required()],
        render_kw={"inputmode": "numeric"},
    )
    gender = RadioField(
        _l("Gender"),
        choices=[SelectChoice(g.value, label) for g, label in GENDERS.items()],
        validators=[required()],
    )
    village_id = SelectField(_l("Village"), coerce=id_or_none, validators=[required()])
    household = StringField(
        _l("Household number"),
        validators=[required(), length(max=HOUSEHOLD_MAX)],
        filters=[strip],
    )
    phone = StringField(
        _l("Phone (optional)"),
        validators=[Optional(), validate_phone_field],
        filters=[empty_to_none],
        description=_l("A Kyrgyz number, for example 0555 123 456."),
        render_kw={"inputmode": "tel"},
    )
    allow_duplicate = BooleanField(_l("This is another person: add anyway"))

    def validate_birth_year(self, field: IntegerField) -> None:
        # Up to this year, which the class, built once, cannot know.
        if field.data is not None:
            number_range(FIRST_YEAR, date.today().year)(self, field)


class EntrySearchForm(Form):
    """Finding people on the roll: by name, phone or household number, in a village."""

    q = StringField(
        _l("Name, phone or household number"),
        validators=[Optional(), length(max=100)],
        filters=[strip],
    )
    village = SelectField(_l("Village"), coerce=id_or_none, validators=[Optional()])
