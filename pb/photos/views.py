from __future__ import annotations

from datetime import UTC

from flask import Response, abort, request

from pb.photos import bp, services

# The content of a photo's id never changes (a new picture is a new id): caches keep it a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"


@bp.route("/photos/<int:photo_id>/<size>")
def show(photo_id: int, size: str) -> Response:
    found = services.file_to_serve(photo_id, size)
    if found is None:
        abort(404)
    file, photo = found
    response = Response(file.data, mimetype=file.content_type)
    response.headers["Cache-Control"] = CACHE_CONTROL
    # The same for every visitor, in every language.
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(f"{photo.id}-{file.size}-{file.id}-{photo.created_at:%Y%m%d%H%M%S%f}")
    response.last_modified = photo.created_at.replace(tzinfo=UTC)
    response.make_conditional(request)
    return response
