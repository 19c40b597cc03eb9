"""Logging: one handler on the ``pb`` logger (``app.logger`` and every ``pb.*`` module's, the
audit trail's ``pb.audit`` among them), writing to standard error, which gunicorn and systemd
keep. Plain text by default, JSON lines with ``PB_LOG_FORMAT=json``.

Every line carries the request's id: the one the trusted proxy sent (``X-Request-ID``, read
only behind ``PB_PROXY_COUNT`` proxies and only if it is a short token), else a new one. It is
sent back in the response's ``X-Request-ID``, so a person's report ("it said 500") finds the
lines. A request that changes something (any method but GET, HEAD and OPTIONS) and any request
answered with a server error gets one line: method, endpoint name, status, duration, user id.
The line of a ballot sent never names the account (``without_the_account``): the database's
WAL holds when each ballot was written, and a line saying who sent one then would tell which.

What is never written: a URL (its query might carry a code from a slip printed before the QR
link moved it to the fragment), a form's content (codes, receipts, passwords, reset codes), a
session, cookie or login token. Only endpoint names, numbers and ids.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy.exc import DBAPIError

# The handler this module puts on the ``pb`` logger: replaced, not added again, when another
# app is created in the same process (the tests create hundreds).
_HANDLER_NAME = "pb"
# A request id as a proxy makes it (nginx's $request_id is 32 hex digits): anything else
# sent in the header is ignored, so a client cannot write what it likes into the logs.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a request line carries besides its message, for the JSON lines.
_REQUEST_FIELDS = ("method", "endpoint", "status", "duration_ms", "user_id")

requests_log = logging.getLogger("pb.requests")


class StandardError(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is when a line is written, not when the app was made:
    gunicorn and pytest replace it. ``setStream`` still fixes another stream."""

    def __init__(self) -> None:
        super().__init__()
        self._fixed: Any = None

    @property
    def stream(self) -> Any:
        return getattr(self, "_fixed", None) or sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        self._fixed = None if value is sys.stderr else value


class RequestIdFilter(logging.Filter):
    """Puts the request's id on every record the handler writes ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = (has_request_context() and g.get("request_id")) or "-"
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for field in _REQUEST_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(line, ensure_ascii=False)


_View = TypeVar("_View", bound=Callable[..., Any])


def configure(app: Flask) -> None:
    """Set up the ``pb`` logger and the request ids for ``app``. Called by ``create_app``
    before anything asks for ``app.logger``: Flask then adds no handler of its own to it, as
    ours is there."""
    log_format = str(app.config.get("LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        raise RuntimeError("LOG_FORMAT must be text or json")
    handler = StandardError()
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    logger = logging.getLogger("pb")
    for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(str(app.config.get("LOG_LEVEL") or "INFO").upper())
    trust_header = int(app.config.get("PROXY_COUNT") or 0) > 0

    @app.before_request
    def name_the_request() -> None:
        g.request_started = time.perf_counter()
        sent = request.headers.get("X-Request-ID", "") if trust_header else ""
        g.request_id = sent if _REQUEST_ID.fullmatch(sent) else secrets.token_hex(16)

    @app.after_request
    def log_the_request(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id is None:  # a response made before the request was named
            return response
        response.headers["X-Request-ID"] = request_id
        if request.method in _READING_METHODS and response.status_code < 500:
            return response
        fields = {
            "method": request.method,
            # The endpoint's name, never the URL: see the module's doc.
            "endpoint": request.endpoint or "-",
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
            "user_id": "-" if _unnamed(request.endpoint) else _user_id(),
        }
        requests_log.log(
            logging.ERROR if response.status_code >= 500 else logging.INFO,
            "%(method)s %(endpoint)s %(status)s %(duration_ms)s ms user %(user_id)s",
            fields,
            extra=fields,
        )
        return response


def without_the_account(view: _View) -> _View:
    """A view whose log line never names the account that sent the request: the vote's."""
    view.pb_log_without_account = True  # type: ignore[attr-defined]
    return view


def _unnamed(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint or "")
    return bool(getattr(view, "pb_log_without_account", False))


def _user_id() -> int | str:
    """The id of the account that sent the request, or "-": its number, never its login token
    (which is what the session holds, and which would let a reader of the logs log in)."""
    from flask_login import current_user

    try:
        if current_user.is_authenticated:
            return int(current_user.id)
    except DBAPIError:
        pass  # the database did not answer: the line is written all the same
    return "-"
