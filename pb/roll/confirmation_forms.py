from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is for 3.2
from wtforms.validators import Optional

from pb.forms import MAX_ID, Form, empty_to_none, id_or_none, length, number_range, required, strip
from pb.roll.confirmations import ALL, CONFIRMED, CONTACT_LENGTHS, UNCONFIRMED

STATUS_LABELS = {
    ALL: _l("All accounts"),
    UNCONFIRMED: _l("Accounts not confirmed"),
    CONFIRMED: _l("Confirmed accounts"),
}


class AccountSearchForm(Form):
    """The list of residents' accounts: found by name, phone or user name, in a village."""

    q = StringField(
        _l("Name, phone number or user name"),
        validators=[Optional(), length(max=100)],
        filters=[strip],
    )
    village = SelectField(_l("Village"), coerce=id_or_none, validators=[Optional()])
    status = SelectField(
        _l("Confirmed on the voter roll"),
        choices=[SelectChoice(key, label) for key, label in STATUS_LABELS.items()],
        default=ALL,
        validators=[Optional()],
        filters=[strip],
    )


class RollSearchForm(Form):
    """Finding the account's person on the roll."""

    q = StringField(
        _l("Name, phone or household number"),
        validators=[Optional(), length(max=100)],
        filters=[strip],
    )
    village = SelectField(_l("Village"), coerce=id_or_none, validators=[Optional()])


class ConfirmForm(Form):
    entry_id = IntegerField(validators=[required(), number_range(1, MAX_ID)])


class ContactsForm(Form):
    contact_name = StringField(
        _l("Officer's name"),
        validators=[Optional(), length(max=CONTACT_LENGTHS["name"])],
        filters=[empty_to_none],
        description=_l("Whom residents ask for."),
    )
    contact_office = StringField(
        _l("Office"),
        validators=[Optional(), length(max=CONTACT_LENGTHS["office"])],
        filters=[empty_to_none],
        description=_l("Where to come: the address, and the room."),
    )
    contact_phone = StringField(
        _l("Phone number"),
        validators=[Optional(), length(max=CONTACT_LENGTHS["phone"])],
        filters=[empty_to_none],
        render_kw={"inputmode": "tel"},
    )
    contact_hours = StringField(
        _l("Hours"),
        validators=[Optional(), length(max=CONTACT_LENGTHS["hours"])],
        filters=[empty_to_none],
        description=_l("For example: Monday to Friday, 9:00 to 17:00."),
    )
