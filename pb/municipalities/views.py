from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.audit.reading import may_read as may_read_audit
from pb.auth.access import admin_required, ensure_officer, is_member, is_officer
from pb.consultations.services import consultations_for
from pb.errors import RuleViolation
from pb.extensions import db
from pb.forms import given
from pb.i18n import current_language
from pb.models import Membership, Municipality, Role
from pb.municipalities import bp, services
from pb.municipalities.forms import AppointForm, MunicipalityForm, PopulationForm
from pb.municipalities.helpers import municipality_or_404
from pb.urls import page_number


def _get_or_404(municipality_id: int) -> Municipality:
    municipality = db.session.get(Municipality, municipality_id)
    if municipality is None:
        abort(404)
    return municipality


@bp.route("/m/<slug>")
def show(slug: str) -> str:
    municipality = municipality_or_404(slug)
    officer = is_officer(current_user, municipality.id)
    consultations = consultations_for(municipality, include_drafts=officer)
    is_resident = current_user.is_authenticated and current_user.has_role(
        municipality.id, Role.RESIDENT
    )
    return render_template(
        "municipalities/show.html",
        municipality=municipality,
        consultations=consultations,
        officer=officer,
        council=is_member(current_user, municipality.id, Role.COUNCIL),
        is_resident=is_resident,
        reads_audit=may_read_audit(current_user, municipality.id),
    )


@bp.route("/admin/")
@admin_required
def admin_index() -> str:
    query = request.args.get("q", "", type=str)[:100]
    pagination = services.search(query, page_number(), language=current_language())
    return render_template("admin/index.html", pagination=pagination, query=query)


@bp.route("/admin/municipalities/new", methods=["GET", "POST"])
@admin_required
def admin_new() -> str | Response:
    return _edit(None)


@bp.route("/admin/municipalities/<int:municipality_id>/edit", methods=["GET", "POST"])
@admin_required
def admin_edit(municipality_id: int) -> str | Response:
    return _edit(_get_or_404(municipality_id))


def _edit(municipality: Municipality | None) -> str | Response:
    form = MunicipalityForm(obj=municipality)
    if request.method == "GET" and municipality is not None:
        form.villages.data = "\n".join(v.name for v in municipality.villages)
    if form.validate_on_submit():
        data = services.MunicipalityData(
            slug=given(form.slug.data),
            name_ky=form.name_ky.data,
            name_ru=form.name_ru.data,
            name_en=form.name_en.data,
            region=form.region.data,
            region_ru=form.region_ru.data,
            region_en=form.region_en.data,
            village_names=(form.villages.data or "").splitlines(),
        )
        try:
            saved = services.save_municipality(current_user, data, municipality)
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The municipality is saved."), "success")
            return redirect(url_for("municipalities.admin_staff", municipality_id=saved.id))
    return render_template("admin/municipality_form.html", form=form, municipality=municipality)


@bp.route("/admin/municipalities/<int:municipality_id>/staff", methods=["GET", "POST"])
@admin_required
def admin_staff(municipality_id: int) -> str | Response:
    municipality = _get_or_404(municipality_id)
    form = AppointForm()
    if form.validate_on_submit():
        try:
            services.appoint(
                current_user, municipality, given(form.login.data), Role(form.role.data)
            )
        except RuleViolation as error:
            form.login.errors = [str(error.message)]
        else:
            flash(_("The role is given."), "success")
            return redirect(url_for("municipalities.admin_staff", municipality_id=municipality.id))
    return render_template(
        "admin/staff.html",
        municipality=municipality,
        memberships=services.staff(municipality),
        form=form,
    )


@bp.route("/admin/memberships/<int:membership_id>/revoke", methods=["POST"])
@admin_required
def admin_revoke(membership_id: int) -> Response:
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    municipality_id = membership.municipality_id
    try:
        services.revoke(current_user, membership)
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(_("The role is taken back."), "success")
    return redirect(url_for("municipalities.admin_staff", municipality_id=municipality_id))


@bp.route("/m/<slug>/population", methods=["GET", "POST"])
@login_required
def population(slug: str) -> str | Response:
    municipality = municipality_or_404(slug)
    ensure_officer(current_user, municipality.id)
    form = PopulationForm(obj=services.population(municipality))
    if form.validate_on_submit():
        figures = services.Population(
            adults=given(form.adults.data),
            women=given(form.women.data),
            youth=given(form.youth.data),
            year=form.year.data,
            source=form.source.data,
        )
        try:
            services.save_population(current_user, municipality, figures)
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The population figures are saved."), "success")
            return redirect(url_for("municipalities.show", slug=municipality.slug))
    return render_template("municipalities/population.html", form=form, municipality=municipality)
