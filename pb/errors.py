"""Domain exceptions and the translated error pages."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
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
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code if error.code in ERROR_TEXTS else 400)

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        from pb.extensions import db

        db.session.rollback()
        return render_error(500)
