"""What people read for the keys the models store: phases, roles, statuses, groups, categories.

Kept in one registry so that templates and services name things the same way, and so a new
standard category or beneficiary group is one entry here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pb.models import Beneficiary, Gender, Phase, ProposalStatus, Role

PHASES = {
    Phase.DRAFT: _l("Draft"),
    Phase.COLLECTING: _l("Collecting proposals"),
    Phase.REVIEW: _l("Review of proposals"),
    Phase.VOTING: _l("Voting"),
    Phase.CLOSED: _l("Voting closed"),
    Phase.PUBLISHED: _l("Results published"),
}

ROLES = {
    Role.RESIDENT: _l("Resident"),
    Role.OFFICER: _l("Mobilisation officer"),
    Role.COUNCIL: _l("Council member"),
}

PROPOSAL_STATUSES = {
    ProposalStatus.SUBMITTED: _l("Under review"),
    ProposalStatus.ACCEPTED: _l("Accepted for the ballot"),
    ProposalStatus.REJECTED: _l("Rejected"),
    ProposalStatus.WITHDRAWN: _l("Withdrawn"),
    ProposalStatus.MERGED: _l("Merged with another proposal"),
}

GENDERS = {
    Gender.FEMALE: _l("Woman"),
    Gender.MALE: _l("Man"),
}

BENEFICIARIES = {
    Beneficiary.WOMEN: _l("Women and girls"),
    Beneficiary.YOUTH: _l("Youth"),
    Beneficiary.CHILDREN: _l("Children"),
    Beneficiary.ELDERLY: _l("Elderly people"),
    Beneficiary.DISABILITIES: _l("People with disabilities"),
    Beneficiary.EVERYONE: _l("Everyone"),
}

STANDARD_CATEGORIES = {
    "roads": _l("Roads and bridges"),
    "water": _l("Drinking water and irrigation"),
    "schools": _l("Schools"),
    "kindergartens": _l("Kindergartens"),
    "health": _l("Health"),
    "women": _l("Women's initiatives"),
    "youth": _l("Youth"),
    "lighting": _l("Street lighting"),
    "sport_culture": _l("Sport and culture"),
    "environment": _l("Environment and greening"),
    "other": _l("Other"),
}


def age_group_label(band: str | None) -> str:
    """A band key such as "18-35" or "60+" as people read it; the bands come from settings."""
    return band or ""


def category_name(category: object) -> str:
    key = getattr(category, "key", None)
    if key and key in STANDARD_CATEGORIES:
        return str(STANDARD_CATEGORIES[key])
    return getattr(category, "name", None) or ""
