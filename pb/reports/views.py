from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.auth.access import is_member, is_officer
from pb.errors import PermissionDenied, RuleViolation
from pb.forms import Form, given
from pb.i18n import current_language
from pb.implementation.services import is_funded
from pb.models import ProblemReport, Proposal, Role
from pb.proposals import services as proposals
from pb.reports import bp, services
from pb.reports.forms import AnswerForm, HideForm, ReportForm
from pb.throttle import TooManyTries


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = proposals.get_proposal(proposal_id)
    if proposal is None or not proposals.can_see(current_user, proposal):
        abort(404)
    return proposal


def _report_or_404(report_id: int) -> ProblemReport:
    report = services.get_report(report_id)
    if report is None:
        abort(404)
    _proposal_or_404(report.proposal_id)
    return report


def _first_error(form: Form) -> str:
    """A form on the project's page has no page of its own to mark its fields on."""
    for name, messages in form.errors.items():
        return f"{form[name].label.text}: {messages[0]}"
    return _("Not a valid choice.")


def _back_to(report: ProblemReport) -> Response:
    return redirect(
        url_for("proposals.show", proposal_id=report.proposal_id, _anchor=f"report-{report.id}")
    )


@bp.route("/p/<int:proposal_id>/report", methods=["GET", "POST"])
@login_required
def new(proposal_id: int) -> str | Response | tuple[str, int]:
    proposal = _proposal_or_404(proposal_id)
    if not is_member(current_user, proposal.consultation.municipality_id, Role.RESIDENT):
        raise PermissionDenied()
    if not is_funded(proposal):
        abort(404)
    form = ReportForm()
    if form.language.data is None:
        form.language.data = current_language()
    if form.validate_on_submit():
        photo = form.photo.data if form.photo.data and form.photo.data.filename else None
        try:
            report = services.report_problem(
                current_user,
                proposal,
                given(form.text.data),
                form.language.data,
                photo,
                form.alt_text.data,
            )
        except RuleViolation as error:
            flash(str(error.message), "error")
        except TooManyTries:
            flash(
                _("You have sent many reports in the last hour. Wait an hour and send it again."),
                "error",
            )
            return render_template("reports/new.html", form=form, proposal=proposal), 429
        else:
            flash(_("Thank you! Your report is published. Officers will answer it."), "success")
            return _back_to(report)
    return render_template("reports/new.html", form=form, proposal=proposal)


@bp.route("/reports/<int:report_id>/answer", methods=["POST"])
@login_required
def answer(report_id: int) -> Response:
    report = _report_or_404(report_id)
    if not is_officer(current_user, services.municipality_of(report)):
        raise PermissionDenied()
    form = AnswerForm()
    if form.validate():
        try:
            services.answer(current_user, report, given(form.text.data), form.language.data)
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("Your answer is published."), "success")
    else:
        flash(_first_error(form), "error")
    return _back_to(report)


@bp.route("/reports/<int:report_id>/hide", methods=["POST"])
@login_required
def hide(report_id: int) -> Response:
    report = _report_or_404(report_id)
    if not is_member(current_user, services.municipality_of(report), Role.OFFICER, Role.COUNCIL):
        raise PermissionDenied()
    form = HideForm()
    if form.validate():
        try:
            services.hide(current_user, report, given(form.reason.data))
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The report is hidden. The reason is shown in its place."), "success")
    else:
        flash(_first_error(form), "error")
    return _back_to(report)
