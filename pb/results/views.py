from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.auth.access import ensure_role
from pb.consultations.helpers import visible_consultation_or_404
from pb.errors import RuleViolation
from pb.models import Decision, Role
from pb.models.base import utcnow
from pb.results import bp, services
from pb.results.forms import DecisionForm


@bp.route("/c/<int:consultation_id>/decision", methods=["GET", "POST"])
@login_required
def decision(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_role(current_user, consultation.municipality_id, Role.COUNCIL)
    form = DecisionForm()
    if request.method == "GET":
        form.decided_on.data = utcnow().date()
    if form.validate_on_submit():
        try:
            services.record_decision(
                current_user,
                consultation,
                Decision(form.decision.data),
                form.decided_on.data,
                form.reason.data,
            )
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The council's decision is recorded."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id))
    return render_template(
        "results/decision.html",
        form=form,
        consultation=consultation,
        decisions=services.decisions(consultation),
        can_decide=consultation.phase in services.REVIEW_PHASES,
    )
