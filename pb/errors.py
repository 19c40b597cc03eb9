"""Domain exceptions and the translated error pages."""

from __future__ import annotations

import contextlib

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    session,
)
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException


class PermissionDenied(Exception):
    """The actor's role in this municipality does not allow the action (shown as 403)."""


class RuleViolation(Exception):
    """An action the rules do not allow now (wrong phase, bad state); carries a readable message."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("There is no such page. It may have been moved or deleted.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (_l("Too many tries"), _l("Too many tries. Wait a few minutes and try again.")),
    500: (
        _l("Something went wrong"),
        _l("Something went wrong on our side. Nothing was saved. Please try again later."),
    ),
}


def render_error(code: int, detail: object | None = None) -> tuple[str, int]:
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    return (
        render_template("errors/error.html", code=code, title=title, text=detail or text),
        code,
    )


# How long a client is told to wait when the database does not answer: PostgreSQL restarts in
# seconds, and a page that waits longer than this for a retry loses the voter.
RETRY_AFTER_SECONDS = 10


# SQLite's "busy" results: another connection held the file past the busy timeout.
_SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")


def database_unavailable(error: DBAPIError) -> bool:
    """Whether the database failed to answer rather than refused the statement: it is down,
    restarting, or dropped the connection (which SQLAlchemy then drops from its pool, so the
    next request connects afresh and the site recovers by itself when the server is back).
    psycopg's OperationalError means the server's state (down, shutting down, a conflict to
    retry); sqlite3 raises it for a missing table too, so there only "busy" counts."""
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    sqlite_error = getattr(error.orig, "sqlite_errorname", None)
    if sqlite_error is not None:
        return str(sqlite_error).startswith(_SQLITE_BUSY)
    return True


def _locale_without_database() -> str:
    # The usual selector may read the account's language, and the account is in the database
    # that did not answer: the visitor's choice in this visit, else the browser's.
    languages = tuple(current_app.config["LANGUAGES"])
    chosen = session.get("locale")
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or str(
        current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def render_unavailable() -> Response:
    """503 with Retry-After: a translated page, or JSON for clients that ask for JSON. Touches
    neither the database nor the account (errors/unavailable.html shows no account links)."""
    from pb.api.http import is_api_request

    if is_api_request() or request.accept_mimetypes.best_match(
        ("text/html", "application/json")
    ) == ("application/json"):
        response = jsonify(status="unavailable", problem="database")
    else:
        # Rendered by Jinja itself: Flask's render_template would run the context processors,
        # and Flask-Login's loads the account, from the database that did not answer.
        template = current_app.jinja_env.get_template("errors/unavailable.html")
        with force_locale(_locale_without_database()):
            response = Response(template.render())
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            _l(
                "The form has expired or was sent from another page. "
                "Go back, reload the page and send it again."
            ),
        )

    from pb.throttle import TooManyTries

    @app.errorhandler(TooManyTries)
    def too_many_tries(error: TooManyTries) -> tuple[str, int]:
        return render_error(429)

    @app.errorhandler(PermissionDenied)
    def permission_denied(error: PermissionDenied) -> tuple[str, int]:
        return render_error(403)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> HTTPException | Response:
        if error.code is None or error.code < 400:
            return error
        code = error.code if error.code in ERROR_TEXTS else 400
        from pb.api.http import error_response, is_api_request

        if is_api_request():
            # The open data API answers in JSON; a view's own reason, if it gave one.
            given = error.description != type(error).description
            response = error_response(code, error.description if given else None)
        else:
            response = make_response(render_error(code))
        # What the error says in its headers stays: the methods a 405's resource allows
        # (RFC 9110 requires Allow), a 429's Retry-After.
        response.headers.extend(
            (name, value)
            for name, value in error.get_headers()
            if name.lower() not in ("content-type", "content-length")
        )
        return response

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError) -> Response:
        if not database_unavailable(error):
            raise error  # a fault of ours: a 500, logged as one
        from pb.extensions import db

        # The driver's own words (which server, what failed), never SQLAlchemy's rendering of
        # the statement, whose parameters may hold a code's digest or a password's hash.
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        current_app.logger.warning("The database did not answer: %s", reason)

        # If the connection is gone already, so is what it held; the session is removed after
        # the request either way.
        with contextlib.suppress(DBAPIError):
            db.session.rollback()
        return render_unavailable()

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int] | Response:
        from pb.api.http import error_response, is_api_request
        from pb.extensions import db

        db.session.rollback()
        return error_response(500) if is_api_request() else render_error(500)
