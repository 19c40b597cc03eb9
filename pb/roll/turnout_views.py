"""Turnout against the voter roll, for officers and the council; erasing who voted once the
results are final."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.auth.access import ensure_officer, ensure_role, is_officer
from pb.consultations.helpers import visible_consultation_or_404
from pb.demographics import band_keys, band_label
from pb.errors import RuleViolation
from pb.labels import GENDERS
from pb.models import Role
from pb.roll import bp, confirmations
from pb.roll import turnout as turnout_figures
from pb.roll.marks import MARK_LABELS


def _labels_for(figures_villages: dict[str, str]) -> dict[str, dict[str, str]]:
    bands = current_app.config["AGE_BANDS"]
    return {
        "village": figures_villages,
        "gender": {g.value: str(label) for g, label in GENDERS.items()},
        "age": {
            turnout_figures.YOUNGER: _(
                "Younger than %(age)d", age=min(low for low, _high in bands)
            ),
            **{key: band_label(key) for key in band_keys(bands)},
            turnout_figures.OTHER_AGE: _("Other ages"),
        },
    }


@bp.route("/c/<int:consultation_id>/roll-turnout")
@login_required
def turnout(consultation_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_role(current_user, consultation.municipality_id, Role.OFFICER, Role.COUNCIL)
    if not consultation.voting_started:
        abort(404)
    figures = turnout_figures.roll_turnout(consultation) if consultation.roll_required else None
    return render_template(
        "roll/turnout.html",
        consultation=consultation,
        figures=figures,
        labels_for=_labels_for(figures.village_names) if figures else {},
        channel_labels=MARK_LABELS,
        officer=is_officer(current_user, consultation.municipality_id),
    )


@bp.route("/c/<int:consultation_id>/roll-marks/erase", methods=["GET", "POST"])
@login_required
def erase_marks(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    if not consultation.roll_required or not consultation.voting_started:
        abort(404)
    if request.method == "GET":
        return render_template("roll/erase_marks.html", consultation=consultation)
    try:
        erased = confirmations.erase_roll_marks(current_user, consultation)
    except RuleViolation as error:
        flash(str(error.message), "error")
        return redirect(url_for("roll.erase_marks", consultation_id=consultation.id))
    if erased:
        flash(_("Who voted is erased. The ballots and the results stay."), "success")
    else:
        flash(_("Who voted was already erased."), "info")
    return redirect(url_for("roll.turnout", consultation_id=consultation.id))
