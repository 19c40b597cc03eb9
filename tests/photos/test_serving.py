"""Photos are served to anyone with long caching: the content of a photo's id never changes."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from pb.extensions import db
from pb.photos.services import store_upload
from tests.photos import images


@pytest.fixture
def photo(app, world):
    stored = store_upload(
        FileStorage(io.BytesIO(images.jpeg(2000, 1000)), "x.jpg"), "A bridge", world.officer
    )
    db.session.commit()
    return stored


@pytest.mark.parametrize(("size", "width"), [("thumb", 320), ("medium", 800), ("large", 1600)])
def test_each_size_is_served_as_a_jpeg_with_long_caching(client, photo, size, width):
    response = client.get(f"/photos/{photo.id}/{size}")
    assert response.status_code == 200
    assert response.content_type == "image/jpeg"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]
    assert response.data == next(f.data for f in photo.files if f.size == size)
    assert max(f.width for f in photo.files if f.size == size) == width


def test_a_cached_copy_is_confirmed_with_304(client, photo):
    first = client.get(f"/photos/{photo.id}/thumb")
    again = client.get(
        f"/photos/{photo.id}/thumb", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""
    since = client.get(
        f"/photos/{photo.id}/thumb", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    other = client.get(f"/photos/{photo.id}/thumb", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_sizes_differ_in_their_etags(client, photo):
    tags = {client.get(f"/photos/{photo.id}/{s}").headers["ETag"] for s in ("thumb", "large")}
    assert len(tags) == 2


@pytest.mark.parametrize("path", ["/photos/{id}/huge", "/photos/999999/thumb", "/photos/{id}/"])
def test_unknown_photos_and_sizes_are_404(client, photo, path):
    response = client.get(path.format(id=photo.id))
    assert response.status_code == 404
