from __future__ import annotations

import secrets
from datetime import date
from typing import cast

import segno
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from pb import printing, throttle
from pb.auth.access import ensure_officer, ensure_role, is_officer
from pb.confirming import ConfirmForm, confirmation_page
from pb.consultations.helpers import visible_consultation_or_404
from pb.demographics import band_keys, band_label
from pb.errors import RuleViolation
from pb.extensions import db
from pb.forms import given
from pb.i18n import group_separator, som_pattern
from pb.logs import without_the_account
from pb.models import BallotKind, CodeBatch, Consultation, Electorate, Proposal, Role
from pb.roll import marks
from pb.urls import kept_args, page_number
from pb.voting import bp, casting, closing, codes, ordering, services
from pb.voting.forms import (
    BallotForm,
    CodeBatchForm,
    PaperBallotForm,
    ReceiptForm,
    VoterDetailsForm,
    VotingSettingsForm,
    sent_choices,
    voter_details,
)
from pb.voting.kinds import KINDS, Selection, read_selection
from pb.voting.sheets import village_choices
from pb.voting.turnout import as_council_sees


def _client_key(kind: str) -> str:
    return f"{kind}:{request.remote_addr or 'unknown'}"


def _code_client() -> throttle.Client:
    """Who sends a code: this device, among the many a village may send from one address. The
    device's id is random and lives in its signed session cookie (pb.throttle says why)."""
    device = session.setdefault("device", secrets.token_urlsafe(12))
    return throttle.Client.device_at(device, request.remote_addr or "unknown", "code")


def _prepare_details(form: VoterDetailsForm, consultation: Consultation) -> None:
    form.age_group.choices = [("", _("Not given"))] + [
        (key, band_label(key)) for key in band_keys(current_app.config["AGE_BANDS"])
    ]
    form.village_id.choices = [("", _("Not given")), *village_choices(consultation.id)]


def _tally_texts() -> dict[str, str]:
    """The running tally's sentences, with placeholders that ballot.js fills in, and how to
    write amounts: the browser's own number formats may not know the reader's language."""
    return {
        "group": group_separator(),
        "som": som_pattern(),
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


def _paper_context(consultation: Consultation) -> dict[str, object]:
    """The ballot as the officer types paper ballots in: numbered as the printed ballot is."""
    context = _ballot_context(consultation)
    proposals = cast(list[Proposal], context["proposals"])
    context["proposals"] = ordering.in_paper_order(proposals, consultation.paper_order_seed)
    return context


@bp.route("/c/<int:consultation_id>/voting-setup", methods=["GET", "POST"])
@login_required
def setup(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    form = VotingSettingsForm(obj=consultation)
    if request.method == "GET":
        form.ballot_kind.data = consultation.ballot_kind.value
        form.counting_rule.data = consultation.counting_rule
        form.electorate.data = consultation.electorate.value
    locked = consultation.ballot_locked
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
            electorate=Electorate(form.electorate.data),
            min_age=form.min_age.data,
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
@without_the_account
def vote(consultation_id: int) -> str | Response:
    if request.method == "GET" and "code" in request.args:
        # A slip printed when its QR link carried the code in the query string, which access
        # logs keep: the code moves to the fragment, which browsers never send, and the page's
        # script fills the field from there (codes.slip_link).
        code = codes.group(codes.normalise(request.args.get("code", "")))
        vote_url = url_for("voting.vote", consultation_id=consultation_id)
        return redirect(codes.slip_link(vote_url, code) if code else vote_url, 303)
    form: BallotForm | None = None
    if request.method == "POST":
        form = BallotForm()
        if form.validate():
            try:
                result = casting.cast_ballot(
                    consultation_id, _submission(form), current_user, client=_code_client()
                )
            except casting.NotVoting:
                pass  # the page below says why
            except RuleViolation as error:
                flash(str(error.message), "error")
            else:
                _keep_receipt(consultation_id, result)
                return redirect(url_for("voting.voted", consultation_id=consultation_id))
    consultation = visible_consultation_or_404(consultation_id)
    if not consultation.voting_open:
        return render_template("voting/closed.html", consultation=consultation)
    by_account = services.may_vote_with_account(consultation, current_user)
    standing = None
    if by_account and consultation.roll_required:
        standing = marks.standing(consultation, current_user)
        by_account = standing is marks.Standing.MAY_VOTE
    by_code = consultation.allow_codes and not by_account
    if not by_account and not by_code:
        return render_template(
            "voting/closed.html", consultation=consultation, no_way=True, standing=standing
        )
    if form is None:
        form = BallotForm(formdata=None)
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
        standing=standing,
        receipt=_kept_receipt(consultation),
        selection=_shown_again(consultation),
        has_voted=by_account and services.has_voted(consultation, current_user),
        **_ballot_context(consultation),
    )


def _submission(form: BallotForm) -> casting.Submission:
    """The ballot as sent: its fields as the form read them, and its choices."""
    return casting.Submission(
        choices=sent_choices(request.form),
        details=voter_details(form),
        code=form.code.data or "",
        earlier_receipt=form.earlier_receipt.data or "",
    )


def _shown_again(consultation: Consultation) -> Selection:
    """The choices of a ballot sent and not recorded, to show it again as it was sent."""
    if request.method != "POST":
        return {}
    try:
        return read_selection(
            sent_choices(request.form), KINDS[consultation.ballot_kind].uses_points
        )
    except RuleViolation:
        return {}


# The voter's receipts, by consultation, in her session (on her device only): a reload, the
# Back button or a language switch must not lose one, and she may come back for it until
# voting closes. A receipt says that a ballot was counted, never what it said.
RECEIPTS = "receipts"


def _keep_receipt(consultation_id: int, result: casting.CastResult) -> None:
    receipts = dict(session.get(RECEIPTS) or {})
    receipts[str(consultation_id)] = {"number": result.receipt, "replaced": result.replaced}
    session[RECEIPTS] = receipts


def _kept_receipt(consultation: Consultation) -> dict[str, object] | None:
    """The receipt of this visitor's last ballot in a consultation still voting, if any."""
    receipt = (session.get(RECEIPTS) or {}).get(str(consultation.id))
    return receipt if consultation.voting_open and isinstance(receipt, dict) else None


@bp.route("/c/<int:consultation_id>/voted")
def voted(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    receipt = _kept_receipt(consultation)
    if receipt is None:
        if str(consultation.id) in (session.get(RECEIPTS) or {}):
            # Voting has closed: the number is checked on the receipt page from now on.
            receipts = dict(session[RECEIPTS])
            receipts.pop(str(consultation.id))
            session[RECEIPTS] = receipts
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
                current_user, consultation, given(form.size.data), form.label.data
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
def void(consultation_id: int, batch_id: int) -> str | Response:
    """Voiding cannot be undone: the first POST shows what it will do, the second does it."""
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    batch = _batch_or_404(consultation, batch_id)
    back = url_for("voting.code_batches", consultation_id=consultation.id)
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    if batch.voided_at is not None:
        flash(_("The batch is voided: its unused codes no longer work."), "success")
        return redirect(back)
    if not form.confirmed:
        return confirmation_page(
            heading=_("Void the unused codes of this batch?"),
            consequences=closing.what_voiding_does(batch),
            action=url_for("voting.void", consultation_id=consultation.id, batch_id=batch.id),
            confirm_label=_("Void the unused codes"),
            cancel_url=back,
        )
    services.void_batch(current_user, batch)
    flash(_("The batch is voided: its unused codes no longer work."), "success")
    return redirect(back)


@bp.route("/c/<int:consultation_id>/codes/<int:batch_id>/slips")
@login_required
@printing.print_view
def slips(consultation_id: int, batch_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    batch = _batch_or_404(consultation, batch_id)
    choice = printing.print_choice(request.args.get("lang"))
    languages = printing.CHOICES[choice]
    # Each column prints the address in its own language; the QR code opens the first.
    texts = [
        printing.render_in_each(
            (language,),
            "voting/_slip_text.html",
            consultation=consultation,
            vote_url=url_for(
                "voting.vote", consultation_id=consultation.id, lang=language, _external=True
            ),
        )[0]
        for language in languages
    ]
    vote_url = url_for(
        "voting.vote", consultation_id=consultation.id, lang=languages[0], _external=True
    )
    # A page of slips at a time: a city's batch of thousands is megabytes of QR codes and
    # takes longer to draw than a request may.
    pagination = services.batch_codes_page(
        batch, page_number(), current_app.config["SLIPS_PER_PAGE"]
    )
    if not pagination.items and pagination.page > 1:
        abort(404)
    slips = []
    for code in pagination.items:
        link = codes.slip_link(vote_url, code)
        # The QR code is drawn here, as SVG; the markup is ours, not user content.
        svg = segno.make(link, error="m").svg_inline(scale=3, border=2, omitsize=True)
        slips.append({"code": code, "qr": Markup(svg)})
    return render_template(
        "voting/slips.html",
        consultation=consultation,
        batch=batch,
        slips=slips,
        pagination=pagination,
        args=kept_args(),
        texts=list(zip(languages, texts, strict=True)),
        bilingual=len(languages) > 1,
        choice=choice,
        printing=printing,
    )


@bp.route("/c/<int:consultation_id>/paper-ballots", methods=["GET", "POST"])
@login_required
def paper_ballots(consultation_id: int) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    form = PaperBallotForm()
    _prepare_paper(form, consultation)
    context = _paper_context(consultation)
    selection: Selection = {}
    if request.method == "GET":
        form.meeting_village_id.data = request.args.get("village", type=int)
        form.meeting_date.data = request.args.get("date", type=_parse_date)
    elif form.validate_on_submit():
        try:
            selection = read_selection(
                sent_choices(request.form), KINDS[consultation.ballot_kind].uses_points
            )
            services.add_paper_ballot(
                current_user,
                consultation,
                form.meeting_village_id.data,
                given(form.meeting_date.data),
                selection,
                voter_details(form),
            )
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
                    date=given(form.meeting_date.data).isoformat(),
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
        can_change=consultation.voting_open,
    )


@bp.route("/c/<int:consultation_id>/paper-ballots/<ballot_id>", methods=["GET", "POST"])
@login_required
def edit_paper_ballot(consultation_id: int, ballot_id: str) -> str | Response:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    ballot = services.paper_ballot(consultation, ballot_id[:32])
    if ballot is None:
        abort(404)
    details = services.paper_ballot_details(ballot)
    form = VoterDetailsForm(obj=details)
    _prepare_details(form, consultation)
    context = _paper_context(consultation)
    selection: Selection = dict(ballot.choices)
    if request.method == "GET":
        form.gender.data = details.gender.value if details.gender else ""
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
            selection = read_selection(
                sent_choices(request.form), KINDS[consultation.ballot_kind].uses_points
            )
            services.update_paper_ballot(current_user, ballot, selection, voter_details(form))
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
    officer = is_officer(current_user, consultation.municipality_id)
    figures = services.turnout(consultation)
    if not officer:
        # The desk's and the meetings' working figures are the officers'; see pb.voting.turnout.
        return render_template(
            "voting/turnout.html",
            consultation=consultation,
            turnout=as_council_sees(figures),
            meetings=[],
            marks=None,
            officer=False,
        )
    return render_template(
        "voting/turnout.html",
        consultation=consultation,
        turnout=figures,
        meetings=services.meetings_with_ballots(consultation),
        marks=marks.mark_counts(consultation) if consultation.roll_required else None,
        officer=True,
    )


@bp.route("/c/<int:consultation_id>/receipt", methods=["GET", "POST"])
def receipt(consultation_id: int) -> str:
    consultation = visible_consultation_or_404(consultation_id)
    # A GET shows the empty form and counts nothing, whatever its query string says.
    form = ReceiptForm()
    found = None
    if consultation.results_public and form.validate_on_submit():
        key = _client_key("receipt")
        throttle.check(key)
        found = services.receipt_was_counted(consultation, given(form.receipt.data))
        if not found:
            throttle.record_failure(key)
    return render_template("voting/receipt.html", consultation=consultation, form=form, found=found)
