from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns

from pb import printing
from pb.auth.access import ensure_officer, ensure_role
from pb.consultations.helpers import visible_consultation_or_404
from pb.consultations.milestones import milestone_dates
from pb.consultations.services import local_today, timeline_notes
from pb.counting_rules import COUNTING_RULES
from pb.demographics import band_keys, band_label
from pb.errors import RuleViolation
from pb.extensions import db
from pb.forms import given
from pb.i18n import current_language
from pb.jobs import files
from pb.jobs import services as job_services
from pb.labels import GENDERS
from pb.models import Consultation, Decision, Role, StoredFile
from pb.municipalities.helpers import municipality_or_404
from pb.results import ballots_file, bp, exports, import_job, services
from pb.results import protocol as printed
from pb.results.counting import result_for
from pb.results.explain import how_shared, result_rows, served_budget
from pb.results.forms import DecisionForm, ImportForm
from pb.results.participation import participation as participation_figures


@bp.route("/c/<int:consultation_id>/decision", methods=["GET", "POST"])
@login_required
def decision(consultation_id: int) -> str | BaseResponse:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_role(current_user, consultation.municipality_id, Role.COUNCIL)
    form = DecisionForm()
    if request.method == "GET":
        form.decided_on.data = local_today()
    if form.validate_on_submit():
        try:
            services.record_decision(
                current_user,
                consultation,
                Decision(form.decision.data),
                given(form.decided_on.data),
                form.reason.data,
                services.SessionRecord(
                    protocol_number=given(form.protocol_number.data),
                    session=given(form.session.data),
                    votes_for=given(form.votes_for.data),
                    votes_against=given(form.votes_against.data),
                    votes_abstained=given(form.votes_abstained.data),
                    deputies_present=form.deputies_present.data,
                    commission=form.commission_members(),
                ),
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
        can_decide=consultation.voting_over,
    )


@bp.route("/c/<int:consultation_id>/participation")
def participation(consultation_id: int) -> str | tuple[str, int]:
    consultation = visible_consultation_or_404(consultation_id)
    if not services.may_see_figures(current_user, consultation):
        return render_template("results/not_yet.html", consultation=consultation), 403
    return render_template(
        "results/participation.html",
        consultation=consultation,
        figures=participation_figures(consultation),
        labels_for=_labels_for(consultation),
    )


def _labels_for(consultation: Consultation) -> dict[str, dict[str, str]]:
    not_given = _("Not given")
    return {
        "gender": {**{g.value: str(label) for g, label in GENDERS.items()}, "": not_given},
        "age": {
            **{k: band_label(k) for k in band_keys(current_app.config["AGE_BANDS"])},
            "": not_given,
        },
        "village": {**{str(v.id): v.name for v in consultation.villages}, "": not_given},
        "channel": {
            "online": _("Online, with an account"),
            "code": _("With a code from a slip"),
            "paper": _("On paper, at village meetings"),
            "meeting": _("At village meetings"),
            "": not_given,
        },
    }


@bp.route("/c/<int:consultation_id>/results")
def results(consultation_id: int) -> str | tuple[str, int]:
    consultation = visible_consultation_or_404(consultation_id)
    if not services.may_see_figures(current_user, consultation):
        return render_template("results/not_yet.html", consultation=consultation), 403
    stored = result_for(consultation)
    rows = result_rows(consultation, stored)
    funded = [r for r in rows if r.funded]
    return render_template(
        "results/results.html",
        consultation=consultation,
        result=stored,
        rule=COUNTING_RULES[stored.rule],
        funded=funded,
        unfunded=[r for r in rows if not r.funded],
        max_votes=max((r.votes for r in rows), default=0),
        served=served_budget(funded),
        how_shared=how_shared(stored),
        decisions=services.decisions(consultation),
    )


def _download(body: str | bytes, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stored_download(file_id: int) -> Response:
    """A stored file, sent a chunk at a time as it is read from the database."""
    stored = db.get_or_404(StoredFile, file_id)
    response = Response(stream_with_context(files.chunks_of(file_id)), mimetype=stored.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.name}"'
    response.headers["Content-Length"] = str(stored.size)
    return response


@bp.route("/c/<int:consultation_id>/export/<what>.<fmt>")
def export(consultation_id: int, what: str, fmt: str) -> Response | tuple[str, int]:
    """Results or participation as CSV or XLSX; the anonymous ballots as a pabulib .pb file."""
    consultation = visible_consultation_or_404(consultation_id)
    if not services.may_see_figures(current_user, consultation):
        return render_template("results/not_yet.html", consultation=consultation), 403
    name = f"pb-{consultation.id}-{what}"
    if what == "ballots" and fmt == "pb":
        file_id = ballots_file.stored_file_id(consultation)
        if file_id is None:
            # Closed by an older pb, not yet published: no file is stored, and a page must not
            # write one. Written for this download alone.
            return _download(
                exports.ballots_pb(consultation), f"{name}.pb", ballots_file.CONTENT_TYPE
            )
        return _stored_download(file_id)
    tables = {
        "results": lambda: exports.results_table(consultation, result_for(consultation)),
        "participation": lambda: exports.participation_table(
            participation_figures(consultation), _labels_for(consultation)
        ),
    }
    if what not in tables or fmt not in ("csv", "xlsx"):
        abort(404)
    table = tables[what]()
    if fmt == "csv":
        return _download(
            exports.to_csv(table, current_language()), f"{name}.csv", "text/csv; charset=utf-8"
        )
    return _download(
        exports.to_xlsx([(str(exports.SHEET_NAMES[what]), table)]),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/c/<int:consultation_id>/protocol")
@printing.print_view
def protocol(consultation_id: int) -> str | tuple[str, int]:
    """The printable protocol for the council's signatures, in the language(s) chosen with
    ``?lang=`` (Kyrgyz and Russian side by side on request), whatever the reader's interface
    language."""
    consultation = visible_consultation_or_404(consultation_id)
    if not services.may_see_figures(current_user, consultation):
        return render_template("results/not_yet.html", consultation=consultation), 403
    choice = printing.print_choice(request.args.get("lang"))
    languages = printing.CHOICES[choice]
    stored = result_for(consultation)
    decisions = services.decisions(consultation)
    latest = decisions[0] if decisions else None
    parts = printing.render_in_each(
        languages,
        "results/_protocol.html",
        consultation=consultation,
        result=stored,
        rule=COUNTING_RULES[stored.rule],
        rows=result_rows(consultation, stored),
        figures=participation_figures(consultation),
        decisions=decisions,
        latest=latest,
        milestones=milestone_dates(consultation),
        milestone_labels=printed.MILESTONES,
        notes=timeline_notes(consultation),
        no_number=printed.NO_NUMBER,
    )
    return render_template(
        "results/protocol.html",
        consultation=consultation,
        parts=list(zip(languages, parts, strict=True)),
        signers=printed.signers(languages, latest),
        signatures_label=printed.bilingual(languages, lambda: _("Signatures")),
        date_label=printed.bilingual(languages, lambda: _("Date")),
        choice=choice,
        printing=printing,
    )


@bp.route("/c/<int:consultation_id>/protocol.css")
@printing.print_view
def protocol_css(consultation_id: int) -> Response | tuple[str, int]:
    """The protocol's printed margins: its number on every page, and the page numbers."""
    consultation = visible_consultation_or_404(consultation_id)
    if not services.may_see_figures(current_user, consultation):
        return render_template("results/not_yet.html", consultation=consultation), 403
    languages = printing.print_languages(request.args.get("lang"))
    decisions = services.decisions(consultation)
    head = printed.running_head(languages, decisions[0] if decisions else None)
    response = Response(printed.stylesheet(head), mimetype="text/css")
    # The number changes when the council records its decision.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/m/<slug>/import", methods=["GET", "POST"])
@login_required
def import_file(slug: str) -> str | BaseResponse:
    municipality = municipality_or_404(slug)
    ensure_officer(current_user, municipality.id)
    form = ImportForm()
    form.village_id.choices = [(v.id, v.name) for v in municipality.villages]
    if form.validate_on_submit():
        # Stored as it arrives, a chunk at a time, and imported by a worker (pb.results.import_job):
        # the officer follows it on its page.
        upload = form.file.data
        job = job_services.start(
            current_user,
            import_job.KIND,
            municipality.id,
            params={"village_id": given(form.village_id.data)},
            upload=(upload.stream, (upload.filename or "import.pb")[:200], "text/plain"),
        )
        return redirect(url_for("jobs.show", job_id=job.id))
    return render_template("results/import.html", form=form, municipality=municipality)
