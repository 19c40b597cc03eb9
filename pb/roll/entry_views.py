"""The roll's own pages, for the municipality's officers: the list and its search, importing the
household register (upload, preview, confirm), adding, correcting and removing people by hand,
and the export."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from pb.auth.access import ensure_officer, is_officer
from pb.errors import RuleViolation, render_error
from pb.forms import given
from pb.i18n import ngettext
from pb.models import Gender, Municipality, RollEntry, RollImport
from pb.municipalities.helpers import municipality_or_404
from pb.municipalities.services import get_by_slug
from pb.roll import bp, entries
from pb.roll.confirmations import entry_of
from pb.roll.entry_forms import ConfirmImportForm, EntryForm, EntrySearchForm, RollFileForm
from pb.roll.reading import COLUMN_EXAMPLES, COLUMN_LABELS, COLUMNS, problem_text
from pb.roll.search import SHOWN_AT_MOST, search_entries

PROBLEMS_SHOWN = 200
DUPLICATES_SHOWN = 200


def _officers_municipality(slug: str) -> Municipality:
    municipality = municipality_or_404(slug)
    ensure_officer(current_user, municipality.id)
    return municipality


def _entry_or_404(municipality: Municipality, entry_id: int) -> RollEntry:
    entry = entry_of(municipality, entry_id)
    if entry is None:
        abort(404)
    return entry


def _village_names(municipality: Municipality) -> dict[int, str]:
    return {village.id: village.name for village in municipality.villages}


@bp.route("/m/<slug>/roll")
@login_required
def index(slug: str) -> str:
    municipality = _officers_municipality(slug)
    form = EntrySearchForm(request.args)
    form.village.choices = [("", _("All villages")), *_village_names(municipality).items()]
    # A mangled filter in a shared link shows the whole roll rather than an error.
    if request.args and form.validate():
        found = search_entries(municipality.id, form.q.data or "", form.village.data)
    else:
        found = search_entries(municipality.id)
    return render_template(
        "roll/index.html",
        municipality=municipality,
        form=form,
        found=found,
        total=entries.roll_size(municipality),
        shown_at_most=SHOWN_AT_MOST if len(found) == SHOWN_AT_MOST else None,
    )


@bp.route("/m/<slug>/roll/import", methods=["GET", "POST"])
@login_required
def import_file(slug: str) -> str | Response:
    municipality = _officers_municipality(slug)
    form = RollFileForm()
    if form.validate_on_submit():
        upload = form.file.data
        roll_import = entries.read_roll_file(
            current_user,
            municipality,
            upload.filename or "",
            # One byte past the limit is enough to tell the file is too large.
            upload.read(current_app.config["ROLL_FILE_MAX_BYTES"] + 1),
        )
        return redirect(
            url_for("roll.import_preview", slug=municipality.slug, import_id=roll_import.id)
        )
    return _import_page(municipality, form)


def _import_page(municipality: Municipality, form: RollFileForm) -> str:
    return render_template(
        "roll/import.html",
        municipality=municipality,
        form=form,
        columns=[(COLUMN_LABELS[c], COLUMN_EXAMPLES[c], c != "phone") for c in COLUMNS],
        max_megabytes=current_app.config["ROLL_FILE_MAX_BYTES"] // (1024 * 1024),
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """An upload past MAX_CONTENT_LENGTH is cut off before any view runs: the import page says
    so in its words; the roll's other pages show the usual page."""
    slug = (request.view_args or {}).get("slug", "")
    municipality = get_by_slug(slug) if request.endpoint == "roll.import_file" else None
    # Raised before the view's own checks ran: the import page only for the officers it is for.
    if municipality is None or not is_officer(current_user, municipality.id):
        return render_error(413)
    form = RollFileForm(formdata=None)
    form.file.errors = [
        _(
            "The file is larger than %(megabytes)d MB. Split it into smaller files.",
            megabytes=current_app.config["ROLL_FILE_MAX_BYTES"] // (1024 * 1024),
        )
    ]
    return _import_page(municipality, form), 413


def _import_or_404(municipality: Municipality, import_id: int) -> RollImport:
    roll_import = entries.roll_import_of(municipality, import_id)
    if roll_import is None:
        abort(404)
    return roll_import


@bp.route("/m/<slug>/roll/import/<int:import_id>")
@login_required
def import_preview(slug: str, import_id: int) -> str:
    municipality = _officers_municipality(slug)
    roll_import = _import_or_404(municipality, import_id)
    if roll_import.imported_at is not None:
        return render_template(
            "roll/preview.html", municipality=municipality, roll_import=roll_import
        )
    seen = entries.preview(current_user, roll_import)
    return render_template(
        "roll/preview.html",
        municipality=municipality,
        roll_import=roll_import,
        preview=seen,
        problems=[(p.line, problem_text(p)) for p in seen.problems[:PROBLEMS_SHOWN]],
        more_problems=max(0, len(seen.problems) - PROBLEMS_SHOWN),
        duplicates=seen.duplicates[:DUPLICATES_SHOWN],
        more_duplicates=max(0, len(seen.duplicates) - DUPLICATES_SHOWN),
        villages=_village_names(municipality),
        genders={g.value: g for g in Gender},
        form=ConfirmImportForm(formdata=None),
    )


@bp.route("/m/<slug>/roll/import/<int:import_id>", methods=["POST"])
@login_required
def import_confirm(slug: str, import_id: int) -> Response:
    municipality = _officers_municipality(slug)
    roll_import = _import_or_404(municipality, import_id)
    form = ConfirmImportForm()
    try:
        added = entries.import_roll(current_user, roll_import, bool(form.add_duplicates.data))
    except RuleViolation as error:
        flash(str(error.message), "error")
        return redirect(
            url_for("roll.import_preview", slug=municipality.slug, import_id=roll_import.id)
        )
    flash(
        ngettext(
            "%(num)d person is added to the roll.", "%(num)d people are added to the roll.", added
        ),
        "success",
    )
    return redirect(url_for("roll.index", slug=municipality.slug))


def _entry_data(form: EntryForm) -> entries.EntryData:
    return entries.EntryData(
        full_name=given(form.full_name.data),
        birth_year=given(form.birth_year.data),
        gender=Gender(form.gender.data),
        village_id=given(form.village_id.data),
        household=given(form.household.data),
        phone=form.phone.data,
    )


def _entry_page(
    municipality: Municipality, form: EntryForm, entry: RollEntry | None, duplicate: bool
) -> str:
    return render_template(
        "roll/entry_form.html",
        municipality=municipality,
        form=form,
        entry=entry,
        duplicate=duplicate,
    )


@bp.route("/m/<slug>/roll/new", methods=["GET", "POST"])
@login_required
def new_entry(slug: str) -> str | Response:
    municipality = _officers_municipality(slug)
    form = EntryForm()
    form.village_id.choices = list(_village_names(municipality).items())
    duplicate = False
    if form.validate_on_submit():
        try:
            entry = entries.add_entry(
                current_user, municipality, _entry_data(form), form.allow_duplicate.data
            )
        except RuleViolation as error:
            flash(str(error.message), "error")
            # A likely duplicate is saved anyway once the officer ticks the box it shows.
            duplicate = isinstance(error, entries.LikelyDuplicate)
        else:
            flash(_("%(name)s is added to the roll.", name=entry.full_name), "success")
            return redirect(url_for("roll.index", slug=municipality.slug))
    return _entry_page(municipality, form, None, duplicate)


@bp.route("/m/<slug>/roll/<int:entry_id>", methods=["GET", "POST"])
@login_required
def edit_entry(slug: str, entry_id: int) -> str | Response:
    municipality = _officers_municipality(slug)
    entry = _entry_or_404(municipality, entry_id)
    form = EntryForm(obj=entry)
    form.village_id.choices = list(_village_names(municipality).items())
    if request.method == "GET":
        form.gender.data = entry.gender.value
    duplicate = False
    if form.validate_on_submit():
        try:
            entries.update_entry(current_user, entry, _entry_data(form), form.allow_duplicate.data)
        except RuleViolation as error:
            flash(str(error.message), "error")
            # A likely duplicate is saved anyway once the officer ticks the box it shows.
            duplicate = isinstance(error, entries.LikelyDuplicate)
        else:
            flash(_("The entry is saved."), "success")
            return redirect(url_for("roll.index", slug=municipality.slug))
    return _entry_page(municipality, form, entry, duplicate)


@bp.route("/m/<slug>/roll/<int:entry_id>/remove", methods=["GET", "POST"])
@login_required
def remove_entry(slug: str, entry_id: int) -> str | Response:
    municipality = _officers_municipality(slug)
    entry = _entry_or_404(municipality, entry_id)
    if request.method == "GET":
        return render_template(
            "roll/remove.html",
            municipality=municipality,
            entry=entry,
            voting=entries.voting_with_mark(entry),
        )
    name = entry.full_name
    try:
        entries.remove_entry(current_user, entry)
    except RuleViolation as error:
        flash(str(error.message), "error")
        return redirect(url_for("roll.edit_entry", slug=municipality.slug, entry_id=entry.id))
    flash(_("%(name)s is removed from the roll.", name=name), "success")
    return redirect(url_for("roll.index", slug=municipality.slug))


@bp.route("/m/<slug>/roll/export.csv")
@login_required
def export_csv(slug: str) -> Response:
    municipality = _officers_municipality(slug)
    text = entries.export_roll(current_user, municipality)
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{entries.export_filename(municipality)}"'
            ),
            # Personal data: not kept by the browser's or a proxy's cache.
            "Cache-Control": "no-store",
        },
    )
