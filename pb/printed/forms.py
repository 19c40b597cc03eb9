from __future__ import annotations

from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired

from pb.forms import Form

RANDOM = "random"
ONLINE = "online"


class PaperOrderForm(Form):
    """Which order the printed ballot lists the proposals in: one button for each."""

    order = StringField(validators=[InputRequired(), AnyOf([RANDOM, ONLINE])])
