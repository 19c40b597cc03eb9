from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, TextAreaField

from pb.auth.forms import language_choices
from pb.forms import Form, length, required, strip
from pb.photos.forms import ACCEPT, PHOTO_HINT, alt_text_field
from pb.reports.services import REASON_MAX, TEXT_MAX


def _language_field() -> SelectField:
    return SelectField(
        _l("Language of your text"),
        choices=language_choices,
        validators=[required()],
        description=_l("So that phones and computers that read text aloud say it correctly."),
    )


class ReportForm(Form):
    text = TextAreaField(
        _l("What is wrong?"),
        validators=[required(), length(max=TEXT_MAX, min=10)],
        filters=[strip],
        description=_l("What you saw, where and when. Everyone can read it: write no names."),
        render_kw={"rows": 5},
    )
    language = _language_field()
    photo = FileField(_l("Photo (optional)"), description=PHOTO_HINT, render_kw={"accept": ACCEPT})
    alt_text = alt_text_field()


class AnswerForm(Form):
    text = TextAreaField(
        _l("Answer"),
        validators=[required(), length(max=TEXT_MAX, min=2)],
        filters=[strip],
    )
    language = _language_field()


class HideForm(Form):
    reason = TextAreaField(
        _l("Why hide it?"),
        validators=[required(), length(max=REASON_MAX, min=5)],
        filters=[strip],
    )
