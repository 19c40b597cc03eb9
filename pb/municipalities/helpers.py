"""Lookups shared by the views of several blueprints."""

from __future__ import annotations

from flask import abort

from pb.models import Municipality
from pb.municipalities.services import get_by_slug


def municipality_or_404(slug: str) -> Municipality:
    """The municipality at ``/m/<slug>``, or a 404 page."""
    municipality = get_by_slug(slug)
    if municipality is None:
        abort(404)
    return municipality
