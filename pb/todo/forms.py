from __future__ import annotations

from wtforms import HiddenField, IntegerField

from pb.forms import MAX_ID, Form, number_range, required


class NoticesReadForm(Form):
    """The resident's "OK" under her notices: up to the last one her page showed."""

    up_to = IntegerField(validators=[required(), number_range(1, MAX_ID)])
    next = HiddenField()
