"""What people read for the keys the models store: phases, roles, statuses, groups, categories.

Kept in one registry so that templates and services name things the same way, and so a new
standard category or beneficiary group is one entry here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pb.models import Beneficiary, Gender, Phase, ProposalStatus, Role
from pb.models.implementation import ImplementationStatus

# Verbal nouns, so that a name reads right beside any date, past or future ("Publication of
# results" beside next month's date, where "Results published" would say it happened).
PHASES = {
    Phase.DRAFT: _l("Preparation"),
    Phase.COLLECTING: _l("Collection of proposals"),
    Phase.REVIEW: _l("Review of proposals"),
    Phase.VOTING: _l("Voting"),
    Phase.CLOSED: _l("Counting of votes"),
    Phase.PUBLISHED: _l("Publication of results"),
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

# What became of a funded project (pb.implementation).
IMPLEMENTATION_STATUSES = {
    ImplementationStatus.PLANNED: _l("Planned"),
    ImplementationStatus.PROCUREMENT: _l("Procurement"),
    ImplementationStatus.UNDER_WAY: _l("Under way"),
    ImplementationStatus.COMPLETED: _l("Completed"),
    ImplementationStatus.POSTPONED: _l("Postponed"),
    ImplementationStatus.CANCELLED: _l("Cancelled"),
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


# Categories pb gives itself, never offered to officers: named in the reader's language too.
SYSTEM_CATEGORIES = {
    "imported": _l("Imported"),  # the one category of a consultation read from a .pb file
}


def category_name(category: object) -> str:
    key = getattr(category, "key", None)
    if key and key in STANDARD_CATEGORIES:
        return str(STANDARD_CATEGORIES[key])
    if key and key in SYSTEM_CATEGORIES:
        return str(SYSTEM_CATEGORIES[key])
    return getattr(category, "name", None) or ""
