"""Lookups shared by the views of several blueprints."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from pb.auth.access import is_officer
from pb.consultations import services
from pb.models import Consultation


def visible_consultation_or_404(consultation_id: int) -> Consultation:
    """A consultation the visitor may see: drafts exist only for the municipality's officers."""
    consultation = services.get_consultation(consultation_id)
    if consultation is None:
        abort(404)
    if consultation.is_draft and not is_officer(current_user, consultation.municipality_id):
        abort(404)
    return consultation
