from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.auth.access import ensure_officer, is_member, is_officer
from pb.confirming import confirmation_page
from pb.consultations import bp, services
from pb.consultations.forms import ConsultationForm, PhaseForm
from pb.consultations.helpers import visible_consultation_or_404
from pb.consultations.jobs import MOVES_RUN_AS_JOBS
from pb.counting_rules import COUNTING_RULES
from pb.errors import RuleViolation
from pb.forms import given
from pb.jobs import services as job_services
from pb.labels import PHASES
from pb.models import Consultation, Municipality, Phase, Role
from pb.municipalities.helpers import municipality_or_404


def _data_from(form: ConsultationForm) -> services.ConsultationData:
    return services.ConsultationData(
        titles={lang: getattr(form, f"title_{lang}").data for lang in ("ky", "ru", "en")},
        descriptions={
            lang: getattr(form, f"description_{lang}").data for lang in ("ky", "ru", "en")
        },
        budget=given(form.budget.data),
        category_keys=list(form.category_keys.data or []),
        custom_categories=form.custom_category_names(),
        village_ids=list(form.village_ids.data or []),
        **{name: getattr(form, name).data for name in services.DATE_FIELDS},
    )


def _prepare(form: ConsultationForm, municipality: Municipality) -> None:
    form.village_ids.choices = [(v.id, v.name) for v in municipality.villages]


@bp.route("/m/<slug>/consultations/new", methods=["GET", "POST"])
@login_required
def new(slug: str) -> str | Response:
    municipality = municipality_or_404(slug)
    ensure_officer(current_user, municipality.id)
    form = ConsultationForm()
    _prepare(form, municipality)
    if request.method == "GET":
        form.village_ids.data = [v.id for v in municipality.villages]
    if form.validate_on_submit():
        try:
            consultation = services.create_consultation(
                current_user, municipality, _data_from(form)
            )
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The consultation is created as a draft."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id))
    return render_template(
        "consultations/form.html", form=form, municipality=municipality, consultation=None
    )


@bp.route("/c/<int:consultation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    form = ConsultationForm(obj=consultation)
    _prepare(form, consultation.municipality)
    if request.method == "GET":
        form.category_keys.data = [c.key for c in consultation.categories if c.key]
        form.custom_categories.data = "\n".join(
            c.name or "" for c in consultation.categories if not c.key
        )
        form.village_ids.data = [v.id for v in consultation.villages]
    if form.validate_on_submit():
        try:
            services.update_consultation(current_user, consultation, _data_from(form))
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The consultation is saved."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id))
    return render_template(
        "consultations/form.html",
        form=form,
        municipality=consultation.municipality,
        consultation=consultation,
        setup_locked=consultation.ballot_locked,
    )


@bp.route("/c/<int:consultation_id>")
def show(consultation_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    officer = is_officer(current_user, consultation.municipality_id)
    return render_template(
        "consultations/show.html",
        consultation=consultation,
        officer=officer,
        resident=is_member(current_user, consultation.municipality_id, Role.RESIDENT),
        council=is_member(current_user, consultation.municipality_id, Role.COUNCIL),
        timeline=services.timeline(consultation),
        timeline_notes=services.timeline_notes(consultation),
        counts=services.proposal_counts(consultation),
        next_phase=services.next_phase(consultation),
        can_step_back=services.can_step_back(consultation),
        phase_form=PhaseForm(expected=consultation.phase.value) if officer else None,
        decisions=consultation.council_decisions,
        rule=COUNTING_RULES[consultation.counting_rule],
    )


@bp.route("/c/<int:consultation_id>/phase", methods=["POST"])
@login_required
def move_phase(consultation_id: int) -> str | Response:
    """Move a phase; closing, publishing and stepping back go through a confirmation page."""
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    form = PhaseForm()
    direction = request.form.get("direction")
    valid = form.validate()
    if (
        form.expected.errors
        or form.expected.data not in {p.value for p in Phase}
        or direction not in ("advance", "back")
    ):
        abort(400)
    expected = Phase(form.expected.data)
    show_url = url_for("consultations.show", consultation_id=consultation_id)
    if consultation.phase != expected:
        flash(_("The consultation has already moved on. Check it and try again."), "error")
        return redirect(show_url)
    confirming = services.needs_confirmation(consultation, direction)
    if confirming and not (valid and form.confirmed):
        # The page again, with what is wrong with the reason if that is why.
        return _confirm_move(consultation, direction, form)
    if not valid:
        abort(400)
    try:
        if direction == "advance" and services.next_phase(consultation) in MOVES_RUN_AS_JOBS:
            # Checked here, so that what stops it shows on this form; made by a worker.
            target, reason = services.check_advance(
                current_user, consultation, expected, form.reason.data
            )
            job = job_services.start(
                current_user,
                MOVES_RUN_AS_JOBS[target],
                consultation.municipality_id,
                consultation_id=consultation.id,
                params={"expected": expected.value, "reason": reason},
            )
            return redirect(url_for("jobs.show", job_id=job.id))
        if direction == "advance":
            target = services.advance_phase(current_user, consultation, expected, form.reason.data)
        else:
            target = services.step_back(
                current_user, consultation, expected, form.reason.data or ""
            )
    except RuleViolation as error:
        if confirming and consultation.phase == expected:
            # Still the move the officer saw: she corrects it (a reason) on the same page.
            form.reason.errors = [str(error.message)]
            return _confirm_move(consultation, direction, form)
        flash(str(error.message), "error")
    else:
        flash(
            _("The consultation is now in the phase: %(phase)s.", phase=PHASES[target]), "success"
        )
    return redirect(show_url)


def _confirm_move(consultation: Consultation, direction: str, form: PhaseForm) -> str:
    if direction == "back":
        target = services.STEP_BACK_FROM.get(consultation.phase)
        if target is None:
            abort(400)
        heading = _("Go back to the phase “%(phase)s”?", phase=PHASES[target])
        label = _("Go back one phase")
        asks_reason = True
        form.reason.description = _("Going back is shown to everyone with this reason.")
    else:
        target = services.next_phase(consultation)
        if target is None:
            abort(400)
        heading = _("Move to the phase “%(phase)s”?", phase=PHASES[target])
        label = _("Move to the next phase: %(phase)s", phase=PHASES[target])
        asks_reason = target == Phase.CLOSED and services.closes_early(consultation)
        form.reason.label.text = _("Why does voting close early?")
        form.reason.description = _("Everyone will see this reason on the timeline.")
    return _move_page(
        consultation,
        heading=heading,
        consequences=services.what_moving_does(consultation, target),
        confirm_label=label,
        hidden={"expected": consultation.phase.value, "direction": direction},
        reason=form.reason if asks_reason else None,
        form=form,
    )


def _move_page(consultation: Consultation, **page: Any) -> str:
    return confirmation_page(
        action=url_for("consultations.move_phase", consultation_id=consultation.id),
        cancel_url=url_for("consultations.show", consultation_id=consultation.id),
        **page,
    )
