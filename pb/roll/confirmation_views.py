"""Confirming residents' accounts against the roll, and where residents get confirmed: pages
for the municipality's officers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.auth.access import ensure_officer
from pb.errors import RuleViolation
from pb.forms import given
from pb.models import Municipality
from pb.municipalities.helpers import municipality_or_404
from pb.roll import bp, confirmations
from pb.roll.confirmation_forms import AccountSearchForm, ConfirmForm, ContactsForm, RollSearchForm
from pb.roll.search import search_entries


def _officers_municipality(slug: str) -> Municipality:
    municipality = municipality_or_404(slug)
    ensure_officer(current_user, municipality.id)
    return municipality


def _account_or_404(municipality: Municipality, user_id: int) -> confirmations.ResidentAccount:
    account = confirmations.resident_account(municipality, user_id)
    if account is None:
        abort(404)
    return account


def _village_choices(municipality: Municipality) -> list[tuple[object, str]]:
    return [("", _("All villages")), *((v.id, v.name) for v in municipality.villages)]


@bp.route("/m/<slug>/accounts")
@login_required
def accounts(slug: str) -> str:
    municipality = _officers_municipality(slug)
    form = AccountSearchForm(request.args)
    form.village.choices = _village_choices(municipality)
    # Unknown filter values are ignored rather than refused: links get shared and mangled.
    if request.args and form.validate():
        found = confirmations.resident_accounts(
            municipality,
            form.q.data or "",
            form.village.data,
            form.status.data or confirmations.ALL,
        )
    else:
        found = confirmations.resident_accounts(municipality)
    return render_template("roll/accounts.html", municipality=municipality, form=form, found=found)


@bp.route("/m/<slug>/accounts/<int:user_id>")
@login_required
def account(slug: str, user_id: int) -> str:
    municipality = _officers_municipality(slug)
    account = _account_or_404(municipality, user_id)
    likely = []
    entries = []
    form = RollSearchForm(request.args)
    form.village.choices = _village_choices(municipality)
    searched = False
    if account.entry is None and not account.confirmed_elsewhere:
        likely = confirmations.likely_entries(municipality, account.user)
        searched = bool(request.args.get("q")) and form.validate()
        if searched:
            entries = search_entries(municipality.id, form.q.data or "", form.village.data)
    return render_template(
        "roll/account.html",
        municipality=municipality,
        account=account,
        likely=likely,
        form=form,
        searched=searched,
        entries=entries,
    )


@bp.route("/m/<slug>/accounts/<int:user_id>/confirm", methods=["POST"])
@login_required
def confirm(slug: str, user_id: int) -> Response:
    municipality = _officers_municipality(slug)
    account = _account_or_404(municipality, user_id)
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    entry = confirmations.entry_of(municipality, given(form.entry_id.data))
    if entry is None:
        abort(404)
    try:
        confirmations.confirm_account(current_user, account.user, entry)
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(
            _(
                "The account is confirmed as %(name)s on the voter roll.",
                name=entry.full_name,
            ),
            "success",
        )
    return redirect(url_for("roll.account", slug=municipality.slug, user_id=account.user.id))


@bp.route("/m/<slug>/accounts/<int:user_id>/unconfirm", methods=["POST"])
@login_required
def unconfirm(slug: str, user_id: int) -> Response:
    municipality = _officers_municipality(slug)
    account = _account_or_404(municipality, user_id)
    if account.entry is None:
        flash(_("This account is not confirmed on the voter roll."), "info")
    else:
        confirmations.unconfirm_account(current_user, account.entry)
        flash(_("The account is no longer confirmed on the voter roll."), "success")
    return redirect(url_for("roll.account", slug=municipality.slug, user_id=account.user.id))


@bp.route("/m/<slug>/contacts", methods=["GET", "POST"])
@login_required
def contacts(slug: str) -> str | Response:
    municipality = _officers_municipality(slug)
    form = ContactsForm(obj=municipality)
    if form.validate_on_submit():
        try:
            confirmations.save_contacts(
                current_user,
                municipality,
                form.contact_office.data,
                form.contact_phone.data,
                form.contact_hours.data,
                name=form.contact_name.data,
            )
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("Residents now see where to get their accounts confirmed."), "success")
            return redirect(url_for("municipalities.show", slug=municipality.slug))
    return render_template("roll/contacts.html", municipality=municipality, form=form)
