from __future__ import annotations

from datetime import date

import segno
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from pb import throttle
from pb.auth.access import ensure_officer, ensure_role, is_officer
from pb.consultations.helpers import visible_consultation_or_404
from pb.demographics import band_keys, band_label
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import BallotKind, CodeBatch, Consultation, Phase, Role
from pb.voting import bp, casting, services
from pb.voting.forms import (
    CODE_MAX_LENGTH,
    BallotFields,
    BallotForm,
    CodeBatchForm,
    PaperBallotForm,
    ReceiptForm,
    SelectionError,
    VoterDetailsForm,
    VotingSettingsForm,
    parse_selection,
    plainly_valid_ballot,
    voter_details,
)
from pb.voting.kinds import KINDS, Selection
from pb.voting.sheets import BallotSheet, village_choices, voting_sheet


def _client_key(kind: str) -> str:
    return f"{kind}:{request.remote_addr or 'unknown'}"


def _prepare_details(form: VoterDetailsForm, consultation: Consultation) -> None:
    form.age_group.choices = [("", _("Not given"))] + [
        (key, band_label(key)) for key in band_keys(current_app.config["AGE_BANDS"])
    ]
    form.village_id.choices = [("", _("Not given")), *village_choices(consultation.id)]


def _tally_texts() -> dict[str, str]:
    """The running tally's sentences, with placeholders that ballot.js fills in."""
    return {
        "som": _("%(amount)s som"),
        "budget-text": _("Chosen: %(total)s. Left: %(left)s."),
        "over-text": _("Over the budget by %(over)s. Untick some proposals."),
        "approval-text": _("Chosen: %(chosen)s of %(limit)s."),
        "points-text": _("Points given: %(given)s of %(total)s."),
    }


def _ballot_context(consultation: Consultation) -> dict[str, object]:
    proposals = services.ballot_proposals(consultation)
    return {
        "consultation": consultation,
        "proposals": proposals,
        "kind": consultation.ballot_kind.value,
        "tally_texts": _tally_texts(),
    }


@bp.route("/c/<int:consultation_id>/voting-setup", methods=["GET", "POST"])
@login_required
def setup(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    form = VotingSettingsForm(obj=consultation)
    if request.method == "GET":
        form.ballot_kind.data = consultation.ballot_kind.value
        form.counting_rule.data = consultation.counting_rule
    locked = consultation.phase not in services.SETUP_PHASES
    if form.validate_on_submit():
        settings = services.VotingSettings(
            ballot_kind=BallotKind(form.ballot_kind.data),
            approval_limit=form.approval_limit.data,
            points_total=form.points_total.data,
            allow_accounts=form.allow_accounts.data,
            allow_codes=form.allow_codes.data,
            allow_paper=form.allow_paper.data,
            counting_rule=form.counting_rule.data,
            complete_with_greedy=form.complete_with_greedy.data,
        )
        try:
            services.save_settings(current_user, consultation, settings)
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The voting settings are saved."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id))
    return render_template("voting/setup.html", form=form, consultation=consultation, locked=locked)


@bp.route("/c/<int:consultation_id>/vote", methods=["GET", "POST"])
def vote(consultation_id: int) -> str | Response:
    form: BallotForm | None = None
    selection: Selection = {}
    if request.method == "POST":
        # While voting runs the ballot is fixed, and the worker may already hold its sheet.
        # Without one (no such consultation, voting not running) the page below says why.
        sheet = voting_sheet(consultation_id)
        if sheet is not None:
            submitted = _submit_ballot(sheet)
            if isinstance(submitted, Response):
                return submitted
            if submitted is not None:
                form, selection = submitted
    consultation = visible_consultation_or_404(consultation_id)
    if consultation.phase != Phase.VOTING:
        return render_template("voting/closed.html", consultation=consultation)
    by_account = services.may_vote_with_account(consultation, current_user)
    by_code = consultation.allow_codes and not by_account
    if not by_account and not by_code:
        return render_template("voting/closed.html", consultation=consultation, no_way=True)
    if form is None:
        form = BallotForm(formdata=None)
        form.code.data = request.args.get("code", "")[:CODE_MAX_LENGTH]
        if by_account:
            profile = services.details_from_profile(current_user)
            form.gender.data = profile.gender.value if profile.gender else ""
            form.age_group.data = profile.age_group or ""
            form.village_id.data = profile.village_id
    _prepare_details(form, consultation)
    return render_template(
        "voting/ballot.html",
        form=form,
        by_account=by_account,
        by_code=by_code,
        selection=selection,
        has_voted=by_account and services.has_voted(consultation, current_user),
        **_ballot_context(consultation),
    )


def _submit_ballot(sheet: BallotSheet) -> Response | tuple[BallotForm, Selection] | None:
    """Check and record a submitted ballot: a redirect to the receipt once it is recorded, else
    the form and the choices to show again (with the reasons flashed or on the form), or None
    when this visitor has no way to vote here."""
    by_account = services.may_vote_with_account(sheet, current_user)
    if not by_account and not sheet.allow_codes:
        return None
    selection: Selection = {}
    # The form itself is built only to say what is wrong, or to show the ballot again.
    fields = plainly_valid_ballot(request.form)
    if fields is None:
        form = BallotForm()
        if not form.validate():
            return form, selection
        fields = BallotFields.of(form)
    try:
        selection = parse_selection(request.form, sheet.costs, sheet.kind.uses_points)
    except SelectionError:
        flash(_("Points must be whole numbers above zero."), "error")
        return BallotForm(), selection
    details = fields.details
    try:
        if by_account:
            result = casting.cast_ballot(sheet, selection, details, current_user)
        elif not fields.code:
            raise RuleViolation(_("Type the code from your slip."))
        else:
            result = casting.cast_with_code(
                sheet, selection, details, fields.code, client=_client_key("code")
            )
    except RuleViolation as error:
        flash(str(error.message), "error")
        return BallotForm(), selection
    session["receipt"] = {
        "consultation": sheet.consultation_id,
        "number": result.receipt,
        "replaced": result.replaced,
    }
    return redirect(url_for("voting.voted", consultation_id=sheet.consultation_id))


@bp.route("/c/<int:consultation_id>/voted")
def voted(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    receipt = session.pop("receipt", None)
    if not receipt or receipt.get("consultation") != consultation.id:
        return redirect(url_for("consultations.show", consultation_id=consultation.id))
    return render_template("voting/voted.html", consultation=consultation, receipt=receipt)


@bp.route("/c/<int:consultation_id>/codes", methods=["GET", "POST"])
@login_required
def code_batches(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    form = CodeBatchForm()
    if form.validate_on_submit():
        try:
            batch = services.generate_codes(
                current_user, consultation, form.size.data, form.label.data
            )
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The codes are ready to print."), "success")
            return redirect(
                url_for("voting.slips", consultation_id=consultation.id, batch_id=batch.id)
            )
    return render_template(
        "voting/codes.html",
        consultation=consultation,
        form=form,
        batches=services.batches(consultation),
    )


def _batch_or_404(consultation: Consultation, batch_id: int) -> CodeBatch:
    batch = db.session.get(CodeBatch, batch_id)
    if batch is None or batch.consultation_id != consultation.id:
        abort(404)
    return batch


@bp.route("/c/<int:consultation_id>/codes/<int:batch_id>/void", methods=["POST"])
@login_required
def void(consultation_id: int, batch_id: int) -> Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    services.void_batch(current_user, _batch_or_404(consultation, batch_id))
    flash(_("The batch is voided: its unused codes no longer work."), "success")
    return redirect(url_for("voting.code_batches", consultation_id=consultation.id))


@bp.route("/c/<int:consultation_id>/codes/<int:batch_id>/slips")
@login_required
def slips(consultation_id: int, batch_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    batch = _batch_or_404(consultation, batch_id)
    vote_url = url_for("voting.vote", consultation_id=consultation.id, _external=True)
    slips = []
    for code in services.batch_codes(batch):
        link = f"{vote_url}?code={code}"
        # The QR code is drawn here, as SVG; the markup is ours, not user content.
        svg = segno.make(link, error="m").svg_inline(scale=3, border=2, omitsize=True)
        slips.append({"code": code, "qr": Markup(svg)})
    return render_template(
        "voting/slips.html", consultation=consultation, batch=batch, slips=slips, vote_url=vote_url
    )


@bp.route("/c/<int:consultation_id>/paper-ballots", methods=["GET", "POST"])
@login_required
def paper_ballots(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    form = PaperBallotForm()
    _prepare_paper(form, consultation)
    context = _ballot_context(consultation)
    selection: dict[int, int] = {}
    if request.method == "GET":
        form.meeting_village_id.data = request.args.get("village", type=int)
        form.meeting_date.data = request.args.get("date", type=_parse_date)
    elif form.validate_on_submit():
        try:
            selection = parse_selection(
                request.form,
                [p.id for p in context["proposals"]],
                KINDS[consultation.ballot_kind].uses_points,
            )  # type: ignore[attr-defined]
            services.add_paper_ballot(
                current_user,
                consultation,
                form.meeting_village_id.data,
                form.meeting_date.data,
                selection,
                voter_details(form),
            )
        except SelectionError:
            flash(_("Points must be whole numbers above zero."), "error")
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The paper ballot is saved. Enter the next one."), "success")
            # The next ballot is most likely from the same meeting.
            return redirect(
                url_for(
                    "voting.paper_ballots",
                    consultation_id=consultation.id,
                    village=form.meeting_village_id.data,
                    date=form.meeting_date.data.isoformat(),
                )
            )
    return render_template(
        "voting/paper.html",
        form=form,
        selection=selection,
        meetings=services.meetings_with_ballots(consultation),
        **context,
    )


def _parse_date(value: str) -> date:
    return date.fromisoformat(value)


def _prepare_paper(form: PaperBallotForm, consultation: Consultation) -> None:
    _prepare_details(form, consultation)
    form.meeting_village_id.choices = [("", _("Choose…"))] + [
        (v.id, v.name) for v in consultation.villages
    ]


@bp.route("/c/<int:consultation_id>/meetings/<int:meeting_id>/ballots")
@login_required
def meeting_ballots(consultation_id: int, meeting_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    ballots = services.meeting_ballots(consultation, meeting_id)
    if not ballots:
        abort(404)
    proposals = {p.id: p for p in services.ballot_proposals(consultation)}
    return render_template(
        "voting/meeting_ballots.html",
        consultation=consultation,
        ballots=ballots,
        proposals=proposals,
        meeting=ballots[0].meeting,
        can_change=consultation.phase == Phase.VOTING,
    )


@bp.route("/c/<int:consultation_id>/paper-ballots/<ballot_id>", methods=["GET", "POST"])
@login_required
def edit_paper_ballot(consultation_id: int, ballot_id: str) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    ballot = services.paper_ballot(consultation, ballot_id[:32])
    if ballot is None:
        abort(404)
    form = VoterDetailsForm(obj=ballot)
    _prepare_details(form, consultation)
    context = _ballot_context(consultation)
    selection = {c.proposal_id: c.points for c in ballot.choices}
    if request.method == "GET":
        form.gender.data = ballot.gender.value if ballot.gender else ""
    elif request.form.get("action") == "delete":
        if form.validate_on_submit():
            try:
                services.delete_paper_ballot(current_user, ballot)
            except RuleViolation as error:
                flash(str(error.message), "error")
            else:
                flash(_("The paper ballot is deleted."), "success")
            return redirect(url_for("voting.paper_ballots", consultation_id=consultation.id))
    elif form.validate_on_submit():
        try:
            selection = parse_selection(
                request.form,
                [p.id for p in context["proposals"]],
                KINDS[consultation.ballot_kind].uses_points,
            )  # type: ignore[attr-defined]
            services.update_paper_ballot(current_user, ballot, selection, voter_details(form))
        except SelectionError:
            flash(_("Points must be whole numbers above zero."), "error")
        except RuleViolation as error:
            flash(str(error.message), "error")
        else:
            flash(_("The paper ballot is corrected."), "success")
            return redirect(
                url_for(
                    "voting.meeting_ballots",
                    consultation_id=consultation.id,
                    meeting_id=ballot.meeting_id,
                )
            )
    return render_template(
        "voting/paper_edit.html", form=form, ballot=ballot, selection=selection, **context
    )


@bp.route("/c/<int:consultation_id>/turnout")
@login_required
def turnout(consultation_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_role(current_user, consultation.municipality_id, Role.OFFICER, Role.COUNCIL)
    return render_template(
        "voting/turnout.html",
        consultation=consultation,
        turnout=services.turnout(consultation),
        meetings=services.meetings_with_ballots(consultation),
        officer=is_officer(current_user, consultation.municipality_id),
    )


@bp.route("/c/<int:consultation_id>/receipt")
def receipt(consultation_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    form = ReceiptForm(request.args)
    found = None
    if consultation.phase == Phase.PUBLISHED and request.args and form.validate():
        key = _client_key("receipt")
        throttle.check(key)
        found = services.receipt_was_counted(consultation, form.receipt.data)
        if not found:
            throttle.record_failure(key)
    return render_template("voting/receipt.html", consultation=consultation, form=form, found=found)
