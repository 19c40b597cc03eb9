"""The fields that bring a photo: the file, and what it shows in words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Optional

from pb.forms import Form, length, strip
from pb.photos.services import ALT_TEXT_MAX

# Any file is taken here: pb.photos.images reads what it is from its content.
ACCEPT = "image/jpeg,image/png,image/webp"
PHOTO_HINT = _l("A JPEG, PNG or WebP picture, for example from a phone.")
ALT_LABEL = _l("What the photo shows")
ALT_HINT = _l("In a sentence, for people who cannot see it: what is where, and in what state.")


def alt_text_field() -> StringField:
    return StringField(
        ALT_LABEL,
        validators=[Optional(), length(max=ALT_TEXT_MAX)],
        filters=[strip],
        description=ALT_HINT,
    )


class PhotoForm(Form):
    """A photo that must come with its description (officers at review)."""

    photo = FileField(
        _l("Photo"),
        validators=[FileRequired(message=_l("Choose a file."))],
        description=PHOTO_HINT,
        render_kw={"accept": ACCEPT},
    )
    alt_text = alt_text_field()
