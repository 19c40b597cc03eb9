"""Uploads become a few web sizes with no metadata; bad uploads get a message and leave
nothing behind."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import Photo, PhotoFile
from pb.photos.images import SIZES
from pb.photos.services import store_upload
from tests.photos import images


@pytest.fixture(autouse=True)
def _request(app):
    # Messages are lazy strings: reading them needs a request's locale.
    with app.test_request_context():
        yield


def upload(data: bytes, filename: str = "photo.jpg", content_type: str = "image/jpeg"):
    return FileStorage(io.BytesIO(data), filename=filename, content_type=content_type)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def opened(file: PhotoFile) -> Image.Image:
    return Image.open(io.BytesIO(file.data))


def test_a_photo_is_kept_in_three_web_sizes_with_its_alt_text(app, world):
    photo = store_upload(
        upload(images.jpeg(3000, 2000)), "  The bridge over the river  ", world.officer
    )
    db.session.commit()
    sizes = {f.size: f for f in photo.files}
    assert set(sizes) == set(SIZES)
    for name, longest in SIZES.items():
        image = opened(sizes[name])
        assert image.format == "JPEG"
        assert max(image.size) == longest == max(sizes[name].width, sizes[name].height)
        assert sizes[name].content_type == "image/jpeg"
    assert (photo.width, photo.height) == (1600, 1067)
    assert photo.alt_text == "The bridge over the river"
    assert photo.uploaded_by_id == world.officer.id


@pytest.mark.parametrize(
    ("data", "filename"),
    [(images.png(), "x.png"), (images.webp(), "x.webp"), (images.png(mode="P"), "x.png")],
)
def test_png_and_webp_are_taken_and_never_upscaled(app, world, data, filename):
    original = Image.open(io.BytesIO(data)).size
    photo = store_upload(upload(data, filename, "application/octet-stream"), "Roof", world.officer)
    for file in photo.files:
        image = opened(file)
        assert max(image.size) <= max(original)
        assert max(image.size) == min(SIZES[file.size], max(original))


def test_a_small_photo_keeps_its_own_size_in_every_size(app, world):
    photo = store_upload(upload(images.jpeg(200, 100)), "Small", world.officer)
    assert {(f.width, f.height) for f in photo.files} == {(200, 100)}


def test_location_and_all_exif_are_stripped_and_the_photo_is_turned_upright(app, world):
    data = images.with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(images.GPS_IFD)  # the test's premise
    photo = store_upload(upload(data), "A street", world.officer)
    for file in photo.files:
        image = opened(file)
        assert len(image.getexif()) == 0
        assert "exif" not in image.info and "icc_profile" not in image.info
        assert b"Exif" not in file.data and b"PhoneMaker" not in file.data
        # Taken on its side (800 × 600, orientation 6): shown upright, taller than wide.
        assert image.height > image.width
    large = opened(next(f for f in photo.files if f.size == "large")).convert("RGB")
    # The white corner was top-left as stored; turned 90° clockwise it is top-right.
    assert large.getpixel((large.width - 5, 5))[1] > 200
    assert large.getpixel((5, 5))[1] < 100


BAD = {
    "text renamed .jpg": (b"This is not a picture at all\n" * 20, "not_an_image"),
    "zip renamed .jpg": (images.zip_file(), "not_an_image"),
    "truncated JPEG": (images.jpeg(1200, 900)[:3000], "damaged"),
    "decompression bomb": (images.bomb_png(), "too_many_pixels"),
    "GIF": (b"GIF89a" + b"\x01\x00\x01\x00\x00\x00\x00;", "not_an_image"),
    "empty": (b"", "not_an_image"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_uploads_get_a_message_and_nothing_is_saved(app, world, name):
    from pb.photos.services import REASONS

    data, reason = BAD[name]
    with pytest.raises(RuleViolation) as raised:
        store_upload(upload(data), "Something", world.officer)
    db.session.commit()
    assert str(raised.value.message) == str(REASONS[reason])
    assert (count(Photo), count(PhotoFile)) == (0, 0)


def test_the_bomb_is_refused_before_it_is_decoded(app, world, monkeypatch):
    # Below Pillow's own limit too: our pixel limit is what stops it.
    app.config["PHOTO_MAX_PIXELS"] = 1_000_000
    with pytest.raises(RuleViolation):
        store_upload(upload(images.jpeg(1200, 900)), "Big", world.officer)
    assert count(Photo) == 0


def test_a_file_over_the_size_limit_is_refused_with_its_limit(app, world):
    app.config["PHOTO_MAX_BYTES"] = 1024 * 1024
    data = images.jpeg(100, 100) + b"\x00" * (1024 * 1024)
    with pytest.raises(RuleViolation) as raised, force_locale("en"):
        store_upload(upload(data), "Something", world.officer)
    with force_locale("en"):
        assert str(raised.value.message) == "The photo is larger than 1 MB. Send a smaller one."
    assert count(Photo) == 0


@pytest.mark.parametrize("alt", ["", "   ", "x" * 301])
def test_the_alt_text_is_required_and_short(app, world, alt):
    with pytest.raises(RuleViolation):
        store_upload(upload(images.jpeg()), alt, world.officer)
    assert count(Photo) == 0


def test_messages_are_translated(app, world):
    with pytest.raises(RuleViolation) as raised:
        store_upload(upload(b"hello"), "x", world.officer)
    with force_locale("ky"):
        kyrgyz = str(raised.value.message)
    with force_locale("ru"):
        russian = str(raised.value.message)
    assert "JPEG" in kyrgyz and "JPEG" in russian
    assert kyrgyz != russian
    assert not kyrgyz.startswith("This file")
