from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.auth.access import ensure_officer, is_member, is_officer
from pb.confirming import ConfirmForm, confirmation_page
from pb.consultations.helpers import visible_consultation_or_404
from pb.demographics import band_keys, band_label
from pb.errors import PermissionDenied, RuleViolation
from pb.forms import given
from pb.i18n import current_language
from pb.labels import GENDERS, PROPOSAL_STATUSES, category_name
from pb.models import Beneficiary, Consultation, Gender, Proposal, ProposalStatus, Role
from pb.photos.forms import PhotoForm
from pb.proposals import bp, services
from pb.proposals.forms import (
    AcceptForm,
    FilterForm,
    MergeForm,
    PaperProposalForm,
    ProposalForm,
    RejectForm,
)
from pb.proposals.withdrawing import what_withdrawing_does
from pb.urls import kept_args, page_number


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = services.get_proposal(proposal_id)
    if proposal is None or not services.can_see(current_user, proposal):
        abort(404)
    return proposal


def _prepare(form: ProposalForm, consultation: Consultation) -> None:
    choose = [("", _("Choose…"))]
    form.category_id.choices = choose + [(c.id, category_name(c)) for c in consultation.categories]
    form.village_id.choices = choose + [(v.id, v.name) for v in consultation.villages]
    if isinstance(form, PaperProposalForm):
        form.meeting_village_id.choices = choose + [(v.id, v.name) for v in consultation.villages]
        form.proposer_gender.choices = [("", _("Not known"))] + [
            (g.value, label) for g, label in GENDERS.items()
        ]
        form.proposer_age_group.choices = [("", _("Not known"))] + [
            (key, band_label(key)) for key in band_keys(current_app.config["AGE_BANDS"])
        ]


def _data_from(form: ProposalForm) -> services.ProposalData:
    return services.ProposalData(
        title=given(form.title.data),
        description=given(form.description.data),
        estimated_cost=given(form.estimated_cost.data),
        category_id=form.category_id.data,
        village_id=form.village_id.data,
        beneficiaries=[Beneficiary(b) for b in given(form.beneficiaries.data)],
        language=form.language.data,
    )


@bp.route("/c/<int:consultation_id>/proposals")
def index(consultation_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    officer = is_officer(current_user, consultation.municipality_id)
    form = FilterForm(request.args)
    any_ = [("", _("All"))]
    form.category.choices = any_ + [(c.id, category_name(c)) for c in consultation.categories]
    form.village.choices = any_ + [(v.id, v.name) for v in consultation.villages]
    statuses = [s for s in ProposalStatus if officer or s in services.PUBLIC_STATUSES]
    form.status.choices = any_ + [(s.value, PROPOSAL_STATUSES[s]) for s in statuses]
    # Unknown filter values are ignored rather than refused: links get shared and mangled.
    filters = services.ProposalFilters(mine=request.args.get("mine") == "1")
    if form.validate():
        filters.category_id = form.category.data
        filters.village_id = form.village.data
        filters.status = ProposalStatus(form.status.data) if form.status.data else None
        filters.text = form.q.data or ""
    pagination = services.list_proposals(
        consultation, filters, page_number(), current_app.config["PROPOSALS_PER_PAGE"], current_user
    )
    args = kept_args()
    return render_template(
        "proposals/index.html",
        consultation=consultation,
        pagination=pagination,
        form=form,
        filters=filters,
        args=args,
        officer=officer,
        can_submit=services.may_propose(current_user, consultation),
    )


@bp.route("/c/<int:consultation_id>/proposals/new", methods=["GET", "POST"])
@login_required
def new(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    if not is_member(current_user, consultation.municipality_id, Role.RESIDENT):
        raise PermissionDenied()
    if not consultation.takes_proposals:
        flash(_("Proposals are not being collected now."), "error")
        return redirect(url_for("consultations.show", consultation_id=consultation.id))
    form = ProposalForm()
    _prepare(form, consultation)
    if request.method == "GET":
        form.language.data = current_language()
    if request.method == "GET" and current_user.village_id in {v.id for v in consultation.villages}:
        form.village_id.data = current_user.village_id
    if form.validate_on_submit():
        try:
            proposal = services.submit_proposal(current_user, consultation, _data_from(form))
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("Thank you! Your proposal is sent. Officers will check it."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return render_template(
        "proposals/form.html", form=form, consultation=consultation, proposal=None
    )


@bp.route("/c/<int:consultation_id>/proposals/paper", methods=["GET", "POST"])
@login_required
def new_paper(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    if not consultation.reviews_proposals:
        flash(_("Proposals are not being collected now."), "error")
        return redirect(url_for("consultations.show", consultation_id=consultation.id))
    form = PaperProposalForm()
    _prepare(form, consultation)
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        origin = services.PaperOrigin(
            village_id=form.meeting_village_id.data,
            held_on=given(form.meeting_date.data),
            proposer_name=form.proposer_name.data,
            proposer_gender=Gender(form.proposer_gender.data)
            if form.proposer_gender.data
            else None,
            proposer_age_group=form.proposer_age_group.data,
        )
        try:
            proposal = services.enter_paper_proposal(
                current_user, consultation, _data_from(form), origin
            )
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The proposal from the meeting is saved."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return render_template("proposals/paper_form.html", form=form, consultation=consultation)


@bp.route("/p/<int:proposal_id>")
def show(proposal_id: int) -> str:
    # Here, not at the top: pb.results counts what voting stores, and voting needs proposals.
    from pb.implementation.services import project_for
    from pb.reports.services import control_for
    from pb.results.services import proposal_outcome

    proposal = _proposal_or_404(proposal_id)
    return render_template(
        "proposals/show.html",
        proposal=proposal,
        consultation=proposal.consultation,
        can_edit=services.can_edit(current_user, proposal),
        officer=is_officer(current_user, proposal.consultation.municipality_id),
        outcome=proposal_outcome(current_user, proposal),
        photos=services.photos_of(proposal),
        control=control_for(current_user, proposal),
        project=project_for(proposal),
    )


@bp.route("/p/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int) -> str | Response:
    proposal = _proposal_or_404(proposal_id)
    if proposal.author_id != current_user.id:
        raise PermissionDenied()
    if not services.can_edit(current_user, proposal):
        flash(_("This proposal can no longer be changed."), "error")
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    form = ProposalForm(obj=proposal)
    _prepare(form, proposal.consultation)
    if request.method == "GET":
        form.beneficiaries.data = [b.value for b in proposal.beneficiaries]
    if form.validate_on_submit():
        try:
            services.update_proposal(current_user, proposal, _data_from(form))
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("Your proposal is saved. Officers will check it again."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return render_template(
        "proposals/form.html", form=form, consultation=proposal.consultation, proposal=proposal
    )


@bp.route("/p/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int) -> str | Response:
    """Withdrawing cannot be undone: the first POST shows what it will do, the second does it."""
    proposal = _proposal_or_404(proposal_id)
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    if not form.confirmed:
        if proposal.author_id != current_user.id:
            abort(403)
        if services.can_edit(current_user, proposal):
            return confirmation_page(
                heading=_("Withdraw your proposal “%(title)s”?", title=proposal.title),
                consequences=what_withdrawing_does(proposal),
                action=url_for("proposals.withdraw", proposal_id=proposal.id),
                confirm_label=_("Withdraw the proposal"),
                cancel_url=url_for("proposals.show", proposal_id=proposal.id),
            )
        flash(_("This proposal can no longer be withdrawn."), "error")
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    try:
        services.withdraw(current_user, proposal)
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(_("Your proposal is withdrawn."), "success")
    return redirect(url_for("proposals.show", proposal_id=proposal.id))


@bp.route("/c/<int:consultation_id>/review")
@login_required
def review_queue(consultation_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    pagination = services.review_queue(
        consultation, page_number(), current_app.config["REVIEW_QUEUE_PER_PAGE"]
    )
    # A page past the end is a stale or mangled link: no such page, rather than an empty list
    # that reads as "nothing waits".
    if not pagination.items and pagination.page > 1:
        abort(404)
    # Whatever else the address asks for stays on the links to other pages.
    args = kept_args()
    return render_template(
        "proposals/review_queue.html",
        consultation=consultation,
        pagination=pagination,
        args=args,
    )


@bp.route("/p/<int:proposal_id>/review", methods=["GET", "POST"])
@login_required
def review(proposal_id: int) -> str | Response:
    proposal = _proposal_or_404(proposal_id)
    ensure_officer(current_user, proposal.consultation.municipality_id)
    accept_form = AcceptForm(prefix="accept")
    reject_form = RejectForm(prefix="reject")
    merge_form = MergeForm(prefix="merge")
    targets = services.merge_targets(proposal)
    merge_form.target_id.choices = [("", _("Choose…"))] + [(p.id, p.title) for p in targets]
    if request.method == "GET" and proposal.approved_cost:
        accept_form.approved_cost.data = proposal.approved_cost
    decision = request.form.get("decision")
    done = None
    if request.method == "POST":
        form = {"accept": accept_form, "reject": reject_form, "merge": merge_form}.get(
            decision or ""
        )
        if form is None:
            abort(400)
        if form.validate():
            try:
                if decision == "accept":
                    services.accept(current_user, proposal, accept_form.approved_cost.data)
                    done = _("The proposal is accepted for the ballot.")
                elif decision == "reject":
                    services.reject(current_user, proposal, given(reject_form.reason.data))
                    done = _("The proposal is rejected. The reason is shown with it.")
                else:
                    target = next((p for p in targets if p.id == merge_form.target_id.data), None)
                    if target is None:
                        raise RuleViolation(
                            _("Choose another proposal of this consultation that is still open.")
                        )
                    services.merge(current_user, proposal, target)
                    done = _("The proposals are merged.")
            except RuleViolation as error:
                flash(str(error.message), "error")
        if done:
            flash(done, "success")
            return redirect(
                url_for("proposals.review_queue", consultation_id=proposal.consultation_id)
            )
    return render_template(
        "proposals/review.html",
        proposal=proposal,
        consultation=proposal.consultation,
        accept_form=accept_form,
        reject_form=reject_form,
        merge_form=merge_form,
        can_review=proposal.consultation.reviews_proposals
        and proposal.status
        in (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED),
        photo_form=PhotoForm(prefix="photo", formdata=None),
        photos=services.photos_of(proposal),
    )


@bp.route("/p/<int:proposal_id>/photos", methods=["POST"])
@login_required
def add_photo(proposal_id: int) -> Response:
    proposal = _proposal_or_404(proposal_id)
    ensure_officer(current_user, proposal.consultation.municipality_id)
    form = PhotoForm(prefix="photo")
    if form.validate():
        try:
            services.add_photo(current_user, proposal, form.photo.data, form.alt_text.data or "")
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The photo is added. It is shown on the proposal's page."), "success")
    else:
        for messages in form.errors.values():
            flash(str(messages[0]), "error")
    return redirect(url_for("proposals.review", proposal_id=proposal.id, _anchor="photos-h"))


@bp.route("/p/<int:proposal_id>/photos/<int:photo_id>/remove", methods=["POST"])
@login_required
def remove_photo(proposal_id: int, photo_id: int) -> Response:
    proposal = _proposal_or_404(proposal_id)
    ensure_officer(current_user, proposal.consultation.municipality_id)
    try:
        services.remove_photo(current_user, proposal, photo_id)
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(_("The photo is removed."), "success")
    return redirect(url_for("proposals.review", proposal_id=proposal.id))
