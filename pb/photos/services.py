"""Storing uploaded photos and finding them again to serve."""

from __future__ import annotations

from typing import IO, Protocol

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import Photo, PhotoFile, User
from pb.models.reports import ProblemReport
from pb.photos.images import SIZES, BadImage, web_sizes

ALT_TEXT_MAX = 300

REASONS: dict[str, LazyString] = {
    "not_an_image": _l("This file is not a photo. Send a JPEG, PNG or WebP picture."),
    "damaged": _l("This photo is damaged or was not sent whole. Try sending it again."),
    "too_many_pixels": _l("This picture has too many pixels. Send a smaller photo."),
}


class Upload(Protocol):
    """What store_upload needs of Werkzeug's FileStorage."""

    stream: IO[bytes]


def _too_large(max_bytes: int) -> RuleViolation:
    return RuleViolation(
        _l(
            "The photo is larger than %(megabytes)d MB. Send a smaller one.",
            megabytes=max_bytes // (1024 * 1024),
        )
    )


def check_alt_text(alt_text: str | None) -> str:
    """The description of what a photo shows, required, for people who cannot see it."""
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise RuleViolation(_l("Describe what the photo shows, for people who cannot see it."))
    if len(alt_text) > ALT_TEXT_MAX:
        raise RuleViolation(_l("Write at most %(max)d characters.", max=ALT_TEXT_MAX))
    return alt_text


def store_upload(file_storage: Upload, alt_text: str, actor: User) -> Photo:
    """Check an uploaded picture and keep it as its web sizes, with its alt text.

    Raises RuleViolation with a translated message if it is not a whole JPEG, PNG or WebP
    within PHOTO_MAX_BYTES and PHOTO_MAX_PIXELS, or the alt text is missing or too long. The
    photo is added to the session and flushed (it has its id), not committed: the caller
    commits it with the change it belongs to, so nothing is saved if that fails."""
    alt_text = check_alt_text(alt_text)
    max_bytes = current_app.config["PHOTO_MAX_BYTES"]
    # One byte more than allowed is enough to know it is too large.
    data = file_storage.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data:
        raise RuleViolation(REASONS["not_an_image"])
    try:
        sizes = web_sizes(data, current_app.config["PHOTO_MAX_PIXELS"])
    except BadImage as error:
        raise RuleViolation(REASONS[error.reason]) from None
    largest = sizes[-1]
    photo = Photo(
        alt_text=alt_text,
        width=largest.width,
        height=largest.height,
        uploaded_by_id=actor.id,
    )
    photo.files = [
        PhotoFile(
            size=s.size,
            content_type=s.content_type,
            width=s.width,
            height=s.height,
            data=s.data,
        )
        for s in sizes
    ]
    db.session.add(photo)
    db.session.flush()
    return photo


def file_to_serve(photo_id: int, size: str) -> tuple[PhotoFile, Photo] | None:
    """One size of a photo as it may be shown to anyone, or None: unknown photo or size, or
    the photo of a problem report that moderators hid."""
    if size not in SIZES:
        return None
    hidden = exists().where(
        ProblemReport.photo_id == Photo.id, ProblemReport.hidden_at.is_not(None)
    )
    row = db.session.execute(
        select(PhotoFile, Photo)
        .join(Photo, PhotoFile.photo_id == Photo.id)
        .where(PhotoFile.photo_id == photo_id, PhotoFile.size == size, ~hidden)
    ).first()
    return None if row is None else (row[0], row[1])
