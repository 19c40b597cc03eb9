from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from pb.auth.resets import municipality_contacts
from pb.help import bp
from pb.models import Municipality
from pb.municipalities.services import get_by_slug, municipality_name


def _contacts() -> list[Municipality]:
    """Whom to ask: the municipality the reader came from, else her own, else every one that
    says who its officer is."""
    slug = request.args.get("m", "", type=str)[:60]
    chosen = get_by_slug(slug) if slug else None
    if chosen is not None:
        return [chosen]
    if current_user.is_authenticated and current_user.memberships:
        own = {m.municipality_id: m.municipality for m in current_user.memberships}
        return sorted(own.values(), key=municipality_name)
    return municipality_contacts()


@bp.route("/help")
def how_it_works() -> str:
    return render_template("help/how.html", contacts=_contacts())


@bp.route("/privacy")
def privacy() -> str:
    return render_template("help/privacy.html", contacts=_contacts())
