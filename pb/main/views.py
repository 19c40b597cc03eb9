from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import abort, current_app, redirect, render_template, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

from pb.alphabet import sort_key
from pb.auth.forms import LanguageForm
from pb.auth.services import set_locale
from pb.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGE_COOKIE_AGE,
    current_language,
    language_asked_in_link,
)
from pb.main import bp, readiness
from pb.models import Role
from pb.municipalities import services as municipalities
from pb.urls import page_number, safe_next


@bp.route("/")
def index() -> str:
    query = request.args.get("q", "", type=str)[:100]
    mine = []
    if current_user.is_authenticated:
        mine = sorted(
            {m.municipality_id: m.municipality for m in current_user.memberships}.values(),
            key=lambda m: sort_key(municipalities.municipality_name(m)),
        )
    return render_template(
        "main/index.html",
        pagination=municipalities.search(query, page_number(), language=current_language()),
        query=query,
        mine=mine,
        Role=Role,
    )


@bp.route("/language", methods=["POST"])
def set_language() -> Response:
    form = LanguageForm()
    if not form.validate():
        abort(400)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        set_locale(current_user, form.locale.data)
    # Back to the page, without a ``?lang=`` it was opened with: that would win over this choice.
    response = redirect(without_lang(safe_next(form.next.data)))
    _keep_language(response, form.locale.data)
    return response


def without_lang(path: str) -> str:
    """``path`` without its ``lang`` query parameter, the rest kept as it was."""
    parts = urlsplit(path)
    if not parts.query:
        return path
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _keep_language(response: Response, language: str) -> None:
    """The visitor's language in a long-lived cookie: a phone shared in a family, or a browser
    closed between two visits, opens the site in it again."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


@bp.after_app_request
def keep_language_from_link(response: Response) -> Response:
    """A link that names a language (``?lang=ky`` on a slip's QR code) sets the visitor's
    language for this visit and this device, as the language switcher does."""
    asked = language_asked_in_link() if request.endpoint else None
    if asked is not None:
        session["locale"] = asked
        if request.cookies.get(LANGUAGE_COOKIE) != asked:
            _keep_language(response, asked)
    return response


@bp.route("/health")
def health() -> dict[str, str]:
    """Liveness, for process managers and the benchmarks' trivial endpoint: the process
    answers. Whether it can serve is ``/ready``'s to say."""
    return {"status": "ok"}


@bp.route("/ready")
def ready() -> tuple[dict[str, str], int]:
    """Readiness, for load balancers: 200 when the database answers, its schema is the
    migrations' head and this host's vote key is the site's (``pb.keys``), else 503 with which
    is wrong (never a connection string)."""
    problem = readiness.problem()
    if problem is None:
        return {"status": "ready"}, 200
    return {"status": "unavailable", "problem": problem}, 503
