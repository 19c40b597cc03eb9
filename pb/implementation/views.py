from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from pb import printing
from pb.auth.access import ensure_officer, is_officer
from pb.consultations.helpers import visible_consultation_or_404
from pb.consultations.services import local_today
from pb.errors import RuleViolation
from pb.extensions import db
from pb.forms import given
from pb.i18n import current_language
from pb.implementation import bp, report, services
from pb.implementation.forms import ImplementationForm, UpdateForm
from pb.implementation.status import STATUSES
from pb.models import Consultation, Proposal
from pb.models.base import utcnow
from pb.models.implementation import ImplementationStatus
from pb.municipalities.helpers import municipality_or_404
from pb.proposals.services import get_proposal
from pb.results.exports import to_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_YEAR, LAST_YEAR = 2000, 2999


def _published_or_403(consultation_id: int) -> Consultation | tuple[str, int]:
    consultation = visible_consultation_or_404(consultation_id)
    if not consultation.results_public:
        return render_template("results/not_yet.html", consultation=consultation), 403
    return consultation


@bp.route("/c/<int:consultation_id>/implementation")
def consultation_page(consultation_id: int) -> str | tuple[str, int]:
    """What became of each funded project of one consultation, for everyone."""
    consultation = _published_or_403(consultation_id)
    if not isinstance(consultation, Consultation):
        return consultation
    return render_template(
        "implementation/consultation.html",
        consultation=consultation,
        projects=services.projects(consultation),
        officer=is_officer(current_user, consultation.municipality_id),
        statuses=STATUSES,
    )


@bp.route("/m/<slug>/implementation")
def municipality_page(slug: str) -> str:
    """What became of the funded projects of every published consultation of a municipality."""
    municipality = municipality_or_404(slug)
    sections = services.projects_by_consultation(services.published_consultations(municipality))
    return render_template(
        "implementation/municipality.html",
        municipality=municipality,
        sections=sections,
        statuses=STATUSES,
    )


@bp.route("/c/<int:consultation_id>/implementation/keep")
@login_required
def keep(consultation_id: int) -> str | tuple[str, int]:
    """The officer's list of the funded projects to keep up to date."""
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    if not consultation.results_public:
        return render_template("results/not_yet.html", consultation=consultation), 403
    return render_template(
        "implementation/keep.html",
        consultation=consultation,
        projects=services.projects(consultation),
        statuses=STATUSES,
    )


def _funded_or_404(proposal_id: int) -> Proposal:
    proposal = get_proposal(proposal_id)
    if proposal is None or not services.is_funded(proposal):
        abort(404)
    return proposal


@bp.route("/p/<int:proposal_id>/implementation", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int) -> str | BaseResponse:
    """An officer edits a funded project's implementation and posts updates on it."""
    proposal = _funded_or_404(proposal_id)
    ensure_officer(current_user, proposal.consultation.municipality_id)
    project = services.project_for(proposal)
    assert project is not None
    form = ImplementationForm(obj=project.implementation)
    if request.method == "GET":
        form.status.data = project.implementation.status.value
    if form.validate_on_submit():
        try:
            services.save_implementation(current_user, proposal, _data_from(form))
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("implementation.edit", proposal_id=proposal.id))
    return _edit_page(proposal, project, form, _update_form())


def _update_form() -> UpdateForm:
    form = UpdateForm(formdata=None)
    form.posted_on.data = local_today()
    form.language.data = current_language()
    return form


def _edit_page(
    proposal: Proposal, project: services.Project, form: ImplementationForm, update_form: UpdateForm
) -> str:
    return render_template(
        "implementation/edit.html",
        proposal=proposal,
        consultation=proposal.consultation,
        project=project,
        form=form,
        update_form=update_form,
        statuses=STATUSES,
    )


def _data_from(form: ImplementationForm) -> services.ImplementationData:
    return services.ImplementationData(
        status=ImplementationStatus(given(form.status.data)),
        status_reason=form.status_reason.data,
        planned_cost=given(form.planned_cost.data),
        actual_cost=form.actual_cost.data,
        community_money=form.community_money.data,
        community_labour=form.community_labour.data,
        contractor=form.contractor.data,
        started_on=form.started_on.data,
        finished_on=form.finished_on.data,
        changes=form.changes.data,
    )


@bp.route("/p/<int:proposal_id>/implementation/updates", methods=["POST"])
@login_required
def post_update(proposal_id: int) -> str | BaseResponse:
    """An officer posts a dated update, in the language she chose, with a photo if she has one."""
    proposal = _funded_or_404(proposal_id)
    ensure_officer(current_user, proposal.consultation.municipality_id)
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            photos = []
            if form.has_photo:
                # Here, not at the top: pb.photos is optional for the rest of this module.
                from pb.photos.services import store_upload

                photos.append(
                    store_upload(form.photo.data, given(form.alt_text.data), current_user)
                )
            services.post_update(
                current_user,
                proposal,
                given(form.posted_on.data),
                given(form.text.data),
                given(form.language.data),
                photos,
            )
        except RuleViolation as error:
            # A photo stored before the update was refused goes with it.
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            flash(_("The update is posted."), "success")
            return redirect(url_for("implementation.edit", proposal_id=proposal.id))
    project = services.project_for(proposal)
    assert project is not None
    form_edit = ImplementationForm(formdata=None, obj=project.implementation)
    form_edit.status.data = project.implementation.status.value
    return _edit_page(proposal, project, form_edit, form)


# The execution report, for the council's hearing. Public, as its facts are: the "What became
# of it" pages show every figure in it, and residents' groups check the spending against it.


def _year() -> int:
    raw = request.args.get("year", "")
    if not raw:
        return utcnow().year
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        abort(404)
    return int(raw)


Sections = list[tuple[Consultation, list[services.Project]]]


def _report_page(sections: Sections, heading_args: dict[str, object], **context: object) -> str:
    choice = printing.print_choice(request.args.get("lang"))
    languages = printing.CHOICES[choice]
    everything = [p for _, projects in sections for p in projects]
    parts = printing.render_in_each(
        languages,
        "implementation/_report.html",
        sections=sections,
        totals=report.totals(everything),
        served=report.served,
        statuses=STATUSES,
        **heading_args,
    )
    return render_template(
        "implementation/report.html",
        parts=list(zip(languages, parts, strict=True)),
        choice=choice,
        printing=printing,
        **heading_args,
        **context,
    )


@bp.route("/c/<int:consultation_id>/execution-report")
@printing.print_view
def consultation_report(consultation_id: int) -> str | tuple[str, int]:
    consultation = _published_or_403(consultation_id)
    if not isinstance(consultation, Consultation):
        return consultation
    sections = services.projects_by_consultation([consultation])
    return _report_page(
        sections,
        {"consultation": consultation, "municipality": consultation.municipality, "year": None},
        xlsx=url_for("implementation.consultation_report_xlsx", consultation_id=consultation.id),
    )


@bp.route("/m/<slug>/execution-report")
@printing.print_view
def municipality_report(slug: str) -> str:
    municipality = municipality_or_404(slug)
    year = _year()
    sections = services.projects_by_consultation(
        services.published_consultations(municipality, year)
    )
    return _report_page(
        sections,
        {"consultation": None, "municipality": municipality, "year": year},
        xlsx=url_for("implementation.municipality_report_xlsx", slug=slug, year=year),
    )


def _xlsx(sections: Sections, filename: str) -> Response:
    body = to_xlsx([(str(report.SHEET_NAME), report.table(sections))])
    response = Response(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/c/<int:consultation_id>/execution-report.xlsx")
def consultation_report_xlsx(consultation_id: int) -> Response | tuple[str, int]:
    consultation = _published_or_403(consultation_id)
    if not isinstance(consultation, Consultation):
        return consultation
    return _xlsx(
        services.projects_by_consultation([consultation]),
        f"pb-{consultation.id}-execution-report.xlsx",
    )


@bp.route("/m/<slug>/execution-report.xlsx")
def municipality_report_xlsx(slug: str) -> Response:
    municipality = municipality_or_404(slug)
    year = _year()
    return _xlsx(
        services.projects_by_consultation(services.published_consultations(municipality, year)),
        f"pb-{municipality.slug}-{year}-execution-report.xlsx",
    )


@bp.app_template_global()
def photo_url(photo: object, size: str) -> str:
    """Where a photo is served in one of its web sizes (pb.photos)."""
    return url_for("photos.show", photo_id=photo.id, size=size)  # type: ignore[attr-defined]


@bp.app_context_processor
def implementation_statuses() -> dict[str, object]:
    return {"implementation_statuses": STATUSES}
