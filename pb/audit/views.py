"""The audit trail's pages: a municipality's (council members, administrators) and the whole
site's (administrators). They only read."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.audit import commands, reading
from pb.audit.actions import ACTIONS, action_label
from pb.audit.forms import AuditFilterForm
from pb.auth.access import admin_required
from pb.i18n import current_language
from pb.models import Municipality
from pb.municipalities.helpers import municipality_or_404
from pb.urls import kept_args, page_number

bp = Blueprint("audit", __name__, cli_group="audit")
commands.register(bp)


def _readable_municipality(slug: str) -> Municipality:
    municipality = municipality_or_404(slug)
    if not reading.may_read(current_user, municipality.id):
        abort(403)
    return municipality


def _filters() -> tuple[AuditFilterForm, reading.Filters]:
    """The filters asked for; none applied if any is wrong, and the form says what is."""
    form = AuditFilterForm(request.args)
    form.action.choices = [("", _("All"))] + [(key, str(label)) for key, label in ACTIONS.items()]
    if request.args and not form.validate():
        return form, reading.Filters()
    return form, reading.Filters(form.action.data or None, form.since.data, form.until.data)


def _page(municipality: Municipality | None) -> str:
    form, filters = _filters()
    pagination = reading.page_of(municipality.id if municipality else None, filters, page_number())
    args = kept_args()
    if municipality is not None:
        args["slug"] = municipality.slug
    return render_template(
        "audit/index.html",
        municipality=municipality,
        form=form,
        pagination=pagination,
        args=args,
        endpoint="audit.index" if municipality else "audit.site_index",
        export_endpoint="audit.export" if municipality else "audit.site_export",
        changes_of=reading.changes_of,
        target_text=reading.target_text,
        action_label=action_label,
    )


def _csv(municipality: Municipality | None) -> Response:
    _form, filters = _filters()
    name = f"audit-{municipality.slug}.csv" if municipality else "audit.csv"
    return Response(
        reading.exported(municipality.id if municipality else None, filters, current_language()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            # Names of staff and residents: not kept by the browser's or a proxy's cache.
            "Cache-Control": "no-store",
        },
    )


@bp.route("/m/<slug>/audit")
@login_required
def index(slug: str) -> str:
    return _page(_readable_municipality(slug))


@bp.route("/m/<slug>/audit.csv")
@login_required
def export(slug: str) -> Response:
    return _csv(_readable_municipality(slug))


@bp.route("/admin/audit")
@admin_required
def site_index() -> str:
    return _page(None)


@bp.route("/admin/audit.csv")
@admin_required
def site_export() -> Response:
    return _csv(None)
