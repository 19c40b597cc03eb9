from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from pb.forms import Form, length, strip


class DeskSearchForm(Form):
    """Finding a person at the desk: by name, phone or household number, in a village."""

    q = StringField(
        _l("Name, phone or household number"),
        validators=[Optional(), length(max=100)],
        filters=[strip],
    )
    village = SelectField(_l("Village"), validators=[Optional()])
