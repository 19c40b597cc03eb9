from __future__ import annotations

from flask import abort, redirect, render_template
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from pb import notices
from pb.auth.access import ensure_officer, ensure_role
from pb.forms import given
from pb.models import Notice, Role
from pb.municipalities.helpers import municipality_or_404
from pb.municipalities.services import municipality_name
from pb.todo import bp, lists
from pb.todo.forms import NoticesReadForm
from pb.urls import safe_next


@bp.app_template_global()
def waiting_notices() -> list[Notice]:
    """The signed-in resident's unread notices, for the top of every page."""
    if not current_user.is_authenticated:
        return []
    try:
        return notices.waiting_for(current_user)
    except SQLAlchemyError:
        # An error page after a failed query: it must still render, without notices.
        return []


def _staff_links() -> tuple[list[object], list[object]]:
    """The municipalities where she is an officer, and where she sits on the council."""
    return (
        sorted(current_user.municipalities_with_role(Role.OFFICER), key=municipality_name),
        sorted(current_user.municipalities_with_role(Role.COUNCIL), key=municipality_name),
    )


@bp.route("/account/next")
@login_required
def mine() -> str:
    officer_of, council_of = _staff_links()
    return render_template(
        "todo/mine.html",
        proposals=lists.own_proposals(current_user),
        votes=lists.open_votes(current_user),
        officer_of=officer_of,
        council_of=council_of,
    )


@bp.route("/m/<slug>/tasks")
@login_required
def officer(slug: str) -> str:
    municipality = municipality_or_404(slug)
    ensure_officer(current_user, municipality.id)
    return render_template(
        "todo/officer.html",
        municipality=municipality,
        tasks=lists.officer_tasks(municipality),
        due_notes=lists.PHASE_DUE,
    )


@bp.route("/m/<slug>/awaiting-decision")
@login_required
def council(slug: str) -> str:
    municipality = municipality_or_404(slug)
    ensure_role(current_user, municipality.id, Role.COUNCIL)
    return render_template(
        "todo/council.html",
        municipality=municipality,
        consultations=lists.awaiting_decision(municipality),
    )


@bp.route("/account/notices/read", methods=["POST"])
@login_required
def read_notices() -> Response:
    form = NoticesReadForm()
    if not form.validate():
        abort(400)
    notices.mark_read(current_user, given(form.up_to.data))
    return redirect(safe_next(form.next.data))
