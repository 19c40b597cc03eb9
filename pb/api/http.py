"""How the API answers over HTTP: pagination, JSON errors, ETags, CORS and throttling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema
from sqlalchemy import delete, func, select
from werkzeug.wrappers import Response as BaseResponse

from pb.extensions import db
from pb.models import ThrottleEvent
from pb.models.base import utcnow

LIMIT_DEFAULT = 20
LIMIT_MAX = 100
# Far past the end of any list, and well within every database's integers.
OFFSET_MAX = 1_000_000

# How long a client or proxy may keep an answer before asking again (with its ETag).
MAX_AGE_SECONDS = 60

PATH_PREFIX = "/api/"


class BadParameter(Exception):
    """A query parameter out of its bounds: a 400 saying which and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooManyRequests(Exception):
    """More requests from one address within the window than API_REQUESTS_PER_WINDOW."""


def is_api_request() -> bool:
    return request.path.startswith(PATH_PREFIX)


def error_response(code: int, message: object | None = None) -> Response:
    """A JSON error body, in the reader's language, for any status the site has a text for."""
    from pb.errors import ERROR_TEXTS

    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    response = jsonify(error={"status": code, "title": str(title), "message": str(message or text)})
    response.status_code = code
    return response


def _whole_number(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    # Digits only: int() would take " 5", "+5", "٥" and "5_0".
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
    if value is None or not low <= value <= high:
        raise BadParameter(
            _(
                "The parameter “%(name)s” must be a whole number from %(low)d to %(high)d.",
                name=name,
                low=low,
                high=high,
            )
        )
    return value


def paging() -> tuple[int, int]:
    """``limit`` and ``offset`` from the query string, within their bounds."""
    return (
        _whole_number("limit", LIMIT_DEFAULT, 1, LIMIT_MAX),
        _whole_number("offset", 0, 0, OFFSET_MAX),
    )


def page_body(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    following = offset + limit
    next_url = None
    if following < total and following <= OFFSET_MAX:
        next_url = url_for(
            str(request.endpoint),
            **(request.view_args or {}),
            limit=limit,
            offset=following,
            _external=True,
        )
    return {"items": items, "total": total, "limit": limit, "offset": offset, "next": next_url}


def answer(schema: Schema, data: Any) -> BaseResponse:
    """``data`` dumped through ``schema`` (only its fields leave pb), with an ETag: a client
    that sends it back in If-None-Match gets 304 and no body."""
    response = jsonify(schema.dump(data))
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    response.add_etag()
    return response.make_conditional(request)


def allow_any_origin(response: BaseResponse) -> BaseResponse:
    """CORS for reading: any site's scripts may read the open data, never with credentials."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
    response.headers["Access-Control-Max-Age"] = "86400"
    # The answers do not depend on the cookie (the API reads no account); errors are worded
    # in the reader's language.
    response.headers["Vary"] = "Accept-Language"
    return response


def window_seconds() -> int:
    return int(current_app.config["API_WINDOW_SECONDS"])


def count_request(address: str) -> None:
    """Count one request from ``address``, or refuse it past the limit. Counted in the
    database (pb.throttle's table), so that the limit holds across all worker processes."""
    key = f"api:{address}"[:100]
    now = utcnow()
    since = now - timedelta(seconds=window_seconds())
    made = db.session.scalar(
        select(func.count()).where(ThrottleEvent.key == key, ThrottleEvent.at >= since)
    )
    if (made or 0) >= current_app.config["API_REQUESTS_PER_WINDOW"]:
        db.session.rollback()
        raise TooManyRequests()
    # The only write the API makes: the count is the throttle. Older requests identify
    # clients and serve no purpose: dropped as we go.
    db.session.execute(
        delete(ThrottleEvent).where(ThrottleEvent.key == key, ThrottleEvent.at < since)
    )
    db.session.add(ThrottleEvent(key=key, at=now))
    db.session.commit()
