"""The meeting desk: find a person on the roll, hand her a code slip or a paper ballot."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.auth.access import ensure_officer
from pb.consultations.helpers import visible_consultation_or_404
from pb.errors import RuleViolation
from pb.models import Channel
from pb.roll import bp, marks
from pb.roll.desk_forms import DeskSearchForm
from pb.roll.search import search_entries

HANDED = {"code": Channel.CODE, "paper": Channel.PAPER}


@bp.route("/c/<int:consultation_id>/desk")
@login_required
def desk(consultation_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    if not consultation.roll_required or not consultation.voting_started:
        abort(404)
    form = DeskSearchForm(request.args, meta={"csrf": False})
    form.village.choices = [("", _("All villages"))] + [
        (str(village.id), village.name) for village in consultation.villages
    ]
    entries = []
    searched = bool(request.args) and form.validate()
    if searched:
        entries = search_entries(
            consultation.municipality_id,
            form.q.data or "",
            village_id=int(form.village.data) if form.village.data else None,
        )
    return render_template(
        "roll/desk.html",
        consultation=consultation,
        form=form,
        searched=searched,
        entries=entries,
        marked=marks.marks_of(consultation, entries),
        refused={entry.id: marks.why_not(consultation, entry) for entry in entries},
        handed=marks.ways_handed_out(consultation),
        counts=marks.mark_counts(consultation),
        labels=marks.MARK_LABELS,
    )


@bp.route("/c/<int:consultation_id>/desk/<int:entry_id>/<any(code, paper):way>", methods=["POST"])
@login_required
def hand_out(consultation_id: int, entry_id: int, way: str) -> Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    back = url_for(
        "roll.desk",
        consultation_id=consultation.id,
        q=request.form.get("q", ""),
        village=request.form.get("village", ""),
    )
    try:
        entry = marks.hand_out(current_user, consultation, entry_id, HANDED[way])
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        if way == "code":
            message = _(
                "%(name)s is marked as given a code slip: hand over one from the pile.",
                name=entry.full_name,
            )
        else:
            message = _(
                "%(name)s is marked as given a paper ballot: hand one over.",
                name=entry.full_name,
            )
        flash(message, "success")
    return redirect(back)
