"""What the open data API reads: public rows only, as plain dicts the schemas dump.

Every list here is what the site shows a visitor who is not logged in: no drafts, results,
figures and implementation only once published (``pb.results.services.may_see_figures`` for an
anonymous visitor), participation figures exactly as ``pb.results.participation`` hides them.
The dicts hold no person: authors, proposers, officers and voters are never read into them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from pb.api.schemas import PUBLIC_PROPOSAL_STATUSES
from pb.collation import in_kyrgyz_order
from pb.disclosure import SMALL_GROUP
from pb.extensions import db
from pb.models import (
    Consultation,
    Implementation,
    ImplementationUpdate,
    Municipality,
    Phase,
    Photo,
    PhotoFile,
    Proposal,
    ProposalStatus,
)
from pb.results.counting import result_for
from pb.results.explain import result_rows
from pb.results.participation import NOT_GIVEN, Breakdown, Share, participation

#: Builds a photo's address from its id and size name (pb.api.views points it at the photos'
#: endpoint).
PhotoUrl = Callable[[int, str], str]

_PUBLIC_STATUSES = [ProposalStatus(status) for status in PUBLIC_PROPOSAL_STATUSES]


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int


def _page(stmt: Select[Any], limit: int, offset: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.limit(limit).offset(offset)).unique())
    return Page(items, total or 0)


def _utc(moment: datetime | None) -> datetime | None:
    """Stored naive in UTC (pb.models.base); said with its zone, as RFC 3339 asks."""
    return None if moment is None else moment.replace(tzinfo=UTC)


def _texts(obj: object, field: str) -> dict[str, str | None]:
    return {lang: getattr(obj, f"{field}_{lang}", None) or None for lang in ("ky", "ru", "en")}


# Municipalities


def municipalities(limit: int, offset: int) -> Page:
    return _page(
        select(Municipality)
        .options(selectinload(Municipality.villages))
        .order_by(Municipality.slug, Municipality.id),
        limit,
        offset,
    )


def municipality(slug: str) -> Municipality | None:
    return db.session.scalar(select(Municipality).where(Municipality.slug == slug))


def municipality_dict(municipality: Municipality, urls: dict[str, str]) -> dict[str, Any]:
    # Not the officer's contact (contact_name, contact_phone): a person.
    return {
        "slug": municipality.slug,
        "name": _texts(municipality, "name"),
        "region": _texts(municipality, "region"),
        "villages": [{"id": v.id, "name": v.name} for v in municipality.villages],
        **urls,
    }


# Consultations


def _public_consultations() -> Select[Consultation]:
    return select(Consultation).where(Consultation.phase != Phase.DRAFT)


def consultations(municipality: Municipality, limit: int, offset: int) -> Page:
    return _page(
        _public_consultations()
        .where(Consultation.municipality_id == municipality.id)
        .options(
            joinedload(Consultation.municipality),
            selectinload(Consultation.villages),
            selectinload(Consultation.categories),
        )
        .order_by(Consultation.proposals_from.desc(), Consultation.id.desc()),
        limit,
        offset,
    )


def consultation(consultation_id: int) -> Consultation | None:
    """A consultation everyone may see (not a draft)."""
    return db.session.scalar(_public_consultations().where(Consultation.id == consultation_id))


def consultation_dict(consultation: Consultation, urls: dict[str, str]) -> dict[str, Any]:
    return {
        "id": consultation.id,
        "municipality": consultation.municipality.slug,
        "title": _texts(consultation, "title"),
        "description": _texts(consultation, "description"),
        "budget": consultation.budget,
        "phase": consultation.phase.value,
        "proposals_from": consultation.proposals_from,
        "proposals_until": consultation.proposals_until,
        "review_until": consultation.review_until,
        "voting_from": consultation.voting_from,
        "voting_until": consultation.voting_until,
        "results_on": consultation.results_on,
        "ballot_kind": consultation.ballot_kind.value,
        "counting_rule": consultation.counting_rule,
        "results_public": consultation.results_public,
        "villages": [{"id": v.id, "name": v.name} for v in consultation.villages],
        "categories": [_category(c) for c in consultation.categories],
        **urls,
    }


def _category(category: Any) -> dict[str, str | None]:
    return {"key": category.key, "name": category.name}


# Proposals


def _public_proposals() -> Select[Proposal]:
    return (
        select(Proposal)
        .join(Consultation, Consultation.id == Proposal.consultation_id)
        .where(Consultation.phase != Phase.DRAFT, Proposal.status.in_(_PUBLIC_STATUSES))
        .options(
            joinedload(Proposal.category),
            joinedload(Proposal.village),
            selectinload(Proposal.beneficiary_rows),
            joinedload(Proposal.merged_into),
        )
    )


def proposals(consultation: Consultation, limit: int, offset: int) -> Page:
    return _page(
        _public_proposals()
        .where(Proposal.consultation_id == consultation.id)
        .order_by(Proposal.id),
        limit,
        offset,
    )


def proposal(proposal_id: int) -> Proposal | None:
    return db.session.scalar(_public_proposals().where(Proposal.id == proposal_id))


def proposal_dict(proposal: Proposal) -> dict[str, Any]:
    # Never the author, the proposer's name, gender or age, nor who reviewed it.
    merged_into = proposal.merged_into
    return {
        "id": proposal.id,
        "consultation_id": proposal.consultation_id,
        "title": proposal.title,
        "description": proposal.description,
        "language": proposal.language,
        "status": proposal.status.value,
        "cost": proposal.cost,
        "estimated_cost": proposal.estimated_cost,
        "approved_cost": proposal.approved_cost,
        "category": _category(proposal.category),
        "village": {"id": proposal.village.id, "name": proposal.village.name},
        "beneficiaries": [group.value for group in proposal.beneficiaries],
        "merged_into_id": merged_into.id
        if merged_into is not None and merged_into.status in _PUBLIC_STATUSES
        else None,
        "submitted_on": proposal.created_at.date(),
    }


# Results and participation: what the results and participation pages show everyone.


def result_dict(consultation: Consultation) -> dict[str, Any]:
    stored = result_for(consultation)
    rows = result_rows(consultation, stored)
    return {
        "consultation_id": consultation.id,
        "rule": stored.rule,
        "complete_with_greedy": bool(stored.complete_with_greedy),
        "ballots": stored.ballots,
        "budget": consultation.budget,
        "total_cost": stored.total_cost,
        "counted_at": _utc(stored.counted_at),
        "proposals": [
            {
                "proposal_id": row.proposal.id,
                "title": row.proposal.title,
                "votes": row.votes,
                "cost": row.cost,
                "funded": row.funded,
                "position": row.position,
                "reason": row.reason,
            }
            for row in rows
        ],
    }


def _breakdown(breakdown: Breakdown) -> dict[str, Any]:
    return {
        "total": breakdown.total,
        "groups": [
            {"group": key if key != NOT_GIVEN else "", "count": count}
            for key, count in breakdown.counts.items()
        ],
    }


def _fraction(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _share(share: Share) -> dict[str, float | None]:
    return {"among": _fraction(share.among), "population": _fraction(share.population)}


def participation_dict(consultation: Consultation) -> dict[str, Any]:
    """The participation page's figures, as ``pb.results.participation`` gives them: the
    hidden counts are not in its answer, so they cannot be here."""
    figures = participation(consultation)
    return {
        "consultation_id": consultation.id,
        "small_group": SMALL_GROUP,
        "voters": figures.voters,
        "voters_by": {name: _breakdown(b) for name, b in figures.voters_by.items()},
        "proposers": figures.proposers,
        "proposers_by": {name: _breakdown(b) for name, b in figures.proposers_by.items()},
        "women": {name: _share(s) for name, s in figures.women.items()},
        "youth": {name: _share(s) for name, s in figures.youth.items()},
        "has_population": figures.has_population,
        "chosen_by": [
            {
                "proposal_id": row.proposal_id,
                "title": row.title,
                "ballots": row.ballots,
                "women": row.women,
                "young": row.young,
            }
            for row in figures.chosen_by
        ],
    }


# Implementation


def _public_implementations() -> Select[Implementation]:
    return (
        select(Implementation)
        .join(Proposal, Proposal.id == Implementation.proposal_id)
        .join(Consultation, Consultation.id == Proposal.consultation_id)
        .where(Consultation.phase == Phase.PUBLISHED)
        .options(
            joinedload(Implementation.proposal),
            selectinload(Implementation.updates)
            .selectinload(ImplementationUpdate.photos)
            .selectinload(Photo.files)
            .defer(PhotoFile.data),  # the images' bytes are served by their own addresses
        )
    )


def implementations(consultation: Consultation, limit: int, offset: int) -> Page:
    return _page(
        _public_implementations()
        .where(Proposal.consultation_id == consultation.id)
        .order_by(in_kyrgyz_order(Proposal.title), Implementation.id),
        limit,
        offset,
    )


def implementation(proposal_id: int) -> Implementation | None:
    return db.session.scalar(
        _public_implementations().where(Implementation.proposal_id == proposal_id)
    )


def implementation_dict(implementation: Implementation, photo_url: PhotoUrl) -> dict[str, Any]:
    # Not who posted an update, nor who uploaded a photo.
    return {
        "proposal_id": implementation.proposal_id,
        "consultation_id": implementation.proposal.consultation_id,
        "title": implementation.proposal.title,
        "status": implementation.status.value,
        "status_reason": implementation.status_reason,
        "planned_cost": implementation.planned_cost,
        "actual_cost": implementation.actual_cost,
        "community_money": implementation.community_money,
        "community_labour": implementation.community_labour,
        "contractor": implementation.contractor,
        "started_on": implementation.started_on,
        "finished_on": implementation.finished_on,
        "changes": implementation.changes,
        "updated_at": _utc(implementation.updated_at),
        "updates": [
            {
                "id": update.id,
                "posted_on": update.posted_on,
                "language": update.language,
                "text": update.text,
                "photos": [photo_dict(photo, photo_url) for photo in update.photos],
            }
            for update in implementation.updates
        ],
    }


def photo_dict(photo: Photo, photo_url: PhotoUrl) -> dict[str, Any]:
    return {
        "id": photo.id,
        "alt_text": photo.alt_text,
        "width": photo.width,
        "height": photo.height,
        "files": [
            {
                "size": file.size,
                "width": file.width,
                "height": file.height,
                "url": photo_url(photo.id, file.size),
            }
            for file in sorted(photo.files, key=lambda f: f.width)
        ],
    }


# The Atom feed


def latest_updates(municipality: Municipality, limit: int) -> Sequence[ImplementationUpdate]:
    """The municipality's latest implementation updates, on published consultations."""
    return db.session.scalars(
        select(ImplementationUpdate)
        .join(Implementation, Implementation.id == ImplementationUpdate.implementation_id)
        .join(Proposal, Proposal.id == Implementation.proposal_id)
        .join(Consultation, Consultation.id == Proposal.consultation_id)
        .where(
            Consultation.municipality_id == municipality.id,
            Consultation.phase == Phase.PUBLISHED,
        )
        .options(
            joinedload(ImplementationUpdate.implementation).joinedload(Implementation.proposal)
        )
        .order_by(ImplementationUpdate.created_at.desc(), ImplementationUpdate.id.desc())
        .limit(limit)
    ).all()
