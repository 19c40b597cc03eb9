from __future__ import annotations

from flask import abort, redirect, render_template, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

from pb.auth.forms import LanguageForm
from pb.auth.services import set_locale
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
            key=municipalities.municipality_name,
        )
    return render_template(
        "main/index.html",
        pagination=municipalities.search(query, page_number()),
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
    return redirect(safe_next(form.next.data))


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
