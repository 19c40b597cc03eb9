"""Proposals: submission by residents, entry from village meetings, review and merging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from pb import notices
from pb.alphabet import fold
from pb.audit import trail as audit
from pb.auth.access import ensure_officer, ensure_role, is_member, is_officer
from pb.collation import folded, in_kyrgyz_order
from pb.config import LANGUAGES
from pb.consultations.services import local_today
from pb.demographics import age_group, band_keys
from pb.errors import PermissionDenied, RuleViolation
from pb.extensions import db
from pb.models import (
    Beneficiary,
    Consultation,
    Gender,
    Meeting,
    NoticeKind,
    Proposal,
    ProposalBeneficiary,
    ProposalStatus,
    Role,
    User,
)
from pb.models.base import utcnow
from pb.models.implementation import Photo, proposal_photos
from pb.photos.services import Upload, store_upload

PUBLIC_STATUSES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.ACCEPTED,
    ProposalStatus.REJECTED,
    ProposalStatus.MERGED,
)


@dataclass
class ProposalData:
    title: str
    description: str
    estimated_cost: int
    category_id: int
    village_id: int
    beneficiaries: list[Beneficiary]
    language: str = "ky"


@dataclass
class PaperOrigin:
    """Where a proposal brought on paper came from, and who brought it."""

    village_id: int
    held_on: date
    proposer_name: str | None = None
    proposer_gender: Gender | None = None
    proposer_age_group: str | None = None


@dataclass
class ProposalFilters:
    category_id: int | None = None
    village_id: int | None = None
    status: ProposalStatus | None = None
    mine: bool = False
    # Words each found in the title or the description (pb.alphabet.fold: "суу" finds "Суу").
    text: str = ""


def _check_data(consultation: Consultation, data: ProposalData) -> None:
    if not data.title.strip() or not data.description.strip():
        raise RuleViolation(_l("This field is required."))
    if not 0 < data.estimated_cost <= consultation.budget:
        raise RuleViolation(_l("The cost must be more than 0 som and at most the budget."))
    if data.category_id not in {c.id for c in consultation.categories}:
        raise RuleViolation(_l("Choose a category of this consultation."))
    if data.village_id not in {v.id for v in consultation.villages}:
        raise RuleViolation(_l("Choose a village this consultation covers."))
    if not data.beneficiaries:
        raise RuleViolation(_l("Choose whom the proposal mainly serves."))
    if data.language not in LANGUAGES:
        raise RuleViolation(_l("Not a valid choice."))


def _apply(proposal: Proposal, data: ProposalData) -> None:
    proposal.title = data.title.strip()
    proposal.description = data.description.strip()
    proposal.estimated_cost = data.estimated_cost
    proposal.category_id = data.category_id
    proposal.village_id = data.village_id
    proposal.language = data.language
    wanted = list(dict.fromkeys(data.beneficiaries))
    proposal.beneficiary_rows = [row for row in proposal.beneficiary_rows if row.group in wanted]
    have = {row.group for row in proposal.beneficiary_rows}
    proposal.beneficiary_rows.extend(
        ProposalBeneficiary(group=group) for group in wanted if group not in have
    )


def submit_proposal(actor: User, consultation: Consultation, data: ProposalData) -> Proposal:
    """A resident's own proposal, while the consultation collects them."""
    ensure_role(actor, consultation.municipality_id, Role.RESIDENT)
    if not consultation.takes_proposals:
        raise RuleViolation(_l("Proposals are not being collected now."))
    _check_data(consultation, data)
    proposal = Proposal(
        consultation_id=consultation.id,
        author_id=actor.id,
        proposer_gender=actor.gender,
        proposer_age_group=age_group(
            actor.birth_year, utcnow().year, current_app.config["AGE_BANDS"]
        ),
    )
    _apply(proposal, data)
    db.session.add(proposal)
    db.session.commit()
    return proposal


def enter_paper_proposal(
    actor: User, consultation: Consultation, data: ProposalData, origin: PaperOrigin
) -> Proposal:
    """An officer types in a proposal brought on paper to a village meeting."""
    ensure_officer(actor, consultation.municipality_id)
    if not consultation.reviews_proposals:
        raise RuleViolation(_l("Proposals are not being collected now."))
    _check_data(consultation, data)
    if origin.village_id not in {v.id for v in consultation.villages}:
        raise RuleViolation(_l("Choose a village this consultation covers."))
    if origin.held_on > local_today():
        raise RuleViolation(_l("The meeting date cannot be in the future."))
    if origin.proposer_age_group and origin.proposer_age_group not in band_keys(
        current_app.config["AGE_BANDS"]
    ):
        raise RuleViolation(_l("Not a valid choice."))
    meeting = get_or_create_meeting(actor, consultation, origin.village_id, origin.held_on)
    proposal = Proposal(
        consultation_id=consultation.id,
        entered_by_id=actor.id,
        meeting_id=meeting.id,
        proposer_name=origin.proposer_name,
        proposer_gender=origin.proposer_gender,
        proposer_age_group=origin.proposer_age_group,
    )
    _apply(proposal, data)
    db.session.add(proposal)
    audit.record(
        actor,
        "proposal.paper",
        municipality_id=consultation.municipality_id,
        target=("proposal", proposal),
        after={
            "consultation": consultation.id,
            "title": proposal.title,
            "meeting": meeting.id,
            "village": origin.village_id,
            "held_on": origin.held_on,
        },
    )
    db.session.commit()
    return proposal


def get_or_create_meeting(
    actor: User, consultation: Consultation, village_id: int, held_on: date
) -> Meeting:
    find = select(Meeting).where(
        Meeting.consultation_id == consultation.id,
        Meeting.village_id == village_id,
        Meeting.held_on == held_on,
    )
    meeting = db.session.scalar(find)
    if meeting is not None:
        return meeting
    meeting = Meeting(
        consultation_id=consultation.id,
        village_id=village_id,
        held_on=held_on,
        recorded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(meeting)
    except IntegrityError:
        # Another officer recorded the same meeting a moment ago: use theirs.
        meeting = db.session.scalars(find).one()
    return meeting


def may_propose(user: User | None, consultation: Consultation) -> bool:
    """Whether the user may send a proposal now: a resident, while proposals are collected."""
    return consultation.takes_proposals and is_member(
        user, consultation.municipality_id, Role.RESIDENT
    )


def can_edit(user: User | None, proposal: Proposal) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and proposal.author_id == user.id
        and proposal.consultation.takes_proposals
        and proposal.status
        in (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED)
    )


def update_proposal(actor: User, proposal: Proposal, data: ProposalData) -> None:
    """The author changes their proposal; it goes back to review, since the check was of the old text."""
    if proposal.author_id != actor.id:
        raise PermissionDenied()
    if not can_edit(actor, proposal):
        raise RuleViolation(_l("This proposal can no longer be changed."))
    _check_data(proposal.consultation, data)
    _apply(proposal, data)
    _clear_review(proposal)
    db.session.commit()


def withdraw(actor: User, proposal: Proposal) -> None:
    if proposal.author_id != actor.id:
        raise PermissionDenied()
    if not can_edit(actor, proposal):
        raise RuleViolation(_l("This proposal can no longer be withdrawn."))
    before = proposal.status
    proposal.status = ProposalStatus.WITHDRAWN
    _audit_review(actor, proposal, "proposal.withdraw", {"status": before})
    db.session.commit()


REVIEWED_FIELDS = ("status", "approved_cost", "rejection_reason")


def _audit_review(actor: User, proposal: Proposal, action: str, before: dict[str, object]) -> None:
    old, new = audit.changes(before, audit.snapshot(proposal, *before))
    audit.record(
        actor,
        action,
        municipality_id=proposal.consultation.municipality_id,
        target=("proposal", proposal.id),
        before=old,
        after=new,
    )


def _clear_review(proposal: Proposal) -> None:
    notices.forget(proposal)
    proposal.status = ProposalStatus.SUBMITTED
    proposal.approved_cost = None
    proposal.rejection_reason = None
    proposal.reviewed_by_id = None
    proposal.reviewed_at = None


def _ensure_reviewable(actor: User, proposal: Proposal) -> None:
    ensure_officer(actor, proposal.consultation.municipality_id)
    if not proposal.consultation.reviews_proposals:
        raise RuleViolation(_l("Proposals can be reviewed only before voting starts."))
    if proposal.status not in (
        ProposalStatus.SUBMITTED,
        ProposalStatus.ACCEPTED,
        ProposalStatus.REJECTED,
    ):
        raise RuleViolation(_l("This proposal can no longer be reviewed."))


def accept(actor: User, proposal: Proposal, approved_cost: int | None) -> None:
    """Put the proposal on the ballot, with the officer's cost if it differs from the estimate."""
    _ensure_reviewable(actor, proposal)
    if approved_cost is not None and not 0 < approved_cost <= proposal.consultation.budget:
        raise RuleViolation(_l("The cost must be more than 0 som and at most the budget."))
    before = audit.snapshot(proposal, *REVIEWED_FIELDS)
    proposal.status = ProposalStatus.ACCEPTED
    proposal.approved_cost = (
        approved_cost
        if approved_cost is not None and approved_cost != proposal.estimated_cost
        else None
    )
    proposal.rejection_reason = None
    proposal.reviewed_by_id = actor.id
    proposal.reviewed_at = utcnow()
    _audit_review(actor, proposal, "proposal.accept", before)
    notices.proposal_reviewed(actor, proposal, NoticeKind.ACCEPTED)
    db.session.commit()


def reject(actor: User, proposal: Proposal, reason: str) -> None:
    """Keep the proposal off the ballot; the reason is public, for the author and everyone."""
    _ensure_reviewable(actor, proposal)
    if not reason.strip():
        raise RuleViolation(_l("Write the reason, so the author knows why."))
    before = audit.snapshot(proposal, *REVIEWED_FIELDS)
    proposal.status = ProposalStatus.REJECTED
    proposal.approved_cost = None
    proposal.rejection_reason = reason.strip()
    proposal.reviewed_by_id = actor.id
    proposal.reviewed_at = utcnow()
    _audit_review(actor, proposal, "proposal.reject", before)
    notices.proposal_reviewed(actor, proposal, NoticeKind.REJECTED)
    db.session.commit()


def merge(actor: User, duplicate: Proposal, target: Proposal) -> None:
    """Fold a duplicate into another proposal of the same consultation."""
    _ensure_reviewable(actor, duplicate)
    if (
        target.id == duplicate.id
        or target.consultation_id != duplicate.consultation_id
        or target.status not in (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED)
    ):
        raise RuleViolation(_l("Choose another proposal of this consultation that is still open."))
    before = {**audit.snapshot(duplicate, *REVIEWED_FIELDS), "merged_into": None}
    duplicate.status = ProposalStatus.MERGED
    duplicate.merged_into_id = target.id
    duplicate.approved_cost = None
    duplicate.rejection_reason = None
    duplicate.reviewed_by_id = actor.id
    duplicate.reviewed_at = utcnow()
    # Whom the duplicate served, the merged proposal now serves too.
    have = set(target.beneficiaries)
    target.beneficiary_rows.extend(
        ProposalBeneficiary(group=g) for g in duplicate.beneficiaries if g not in have
    )
    old, new = audit.changes(
        before, {**audit.snapshot(duplicate, *REVIEWED_FIELDS), "merged_into": target.id}
    )
    audit.record(
        actor,
        "proposal.merge",
        municipality_id=duplicate.consultation.municipality_id,
        target=("proposal", duplicate.id),
        before=old,
        after=new,
    )
    notices.proposal_reviewed(actor, duplicate, NoticeKind.MERGED)
    db.session.commit()


def get_proposal(proposal_id: int) -> Proposal | None:
    return db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            joinedload(Proposal.consultation).joinedload(Consultation.municipality),
            joinedload(Proposal.category),
            joinedload(Proposal.village),
            joinedload(Proposal.author),
            joinedload(Proposal.meeting).joinedload(Meeting.village),
            joinedload(Proposal.merged_into),
            selectinload(Proposal.beneficiary_rows),
        )
    )


def can_see(user: User | None, proposal: Proposal) -> bool:
    if proposal.consultation.is_draft:
        return is_officer(user, proposal.consultation.municipality_id)
    if proposal.status in PUBLIC_STATUSES:
        return True
    return is_officer(user, proposal.consultation.municipality_id) or bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and proposal.author_id == user.id
    )


def list_proposals(
    consultation: Consultation,
    filters: ProposalFilters,
    page: int,
    per_page: int,
    viewer: User | None,
) -> Pagination:
    """One page of proposals, with what the list shows loaded in a fixed number of queries."""
    stmt = (
        select(Proposal)
        .where(Proposal.consultation_id == consultation.id)
        .options(
            joinedload(Proposal.category),
            joinedload(Proposal.village),
            selectinload(Proposal.beneficiary_rows),
        )
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    )
    officer = is_officer(viewer, consultation.municipality_id)
    if filters.mine and viewer is not None and getattr(viewer, "is_authenticated", False):
        stmt = stmt.where(Proposal.author_id == viewer.id)
    elif not officer:
        stmt = stmt.where(Proposal.status.in_(PUBLIC_STATUSES))
    if filters.category_id:
        stmt = stmt.where(Proposal.category_id == filters.category_id)
    if filters.village_id:
        stmt = stmt.where(Proposal.village_id == filters.village_id)
    if filters.status:
        stmt = stmt.where(Proposal.status == filters.status)
    for word in fold(filters.text).split():
        stmt = stmt.where(
            or_(
                folded(Proposal.title).contains(word, autoescape=True),
                folded(Proposal.description).contains(word, autoescape=True),
            )
        )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def review_queue(consultation: Consultation, page: int, per_page: int) -> Pagination:
    """One page of the proposals waiting for a decision, oldest first: first come, first
    checked. A page past the end has no items (the view decides what to show)."""
    stmt = (
        select(Proposal)
        .where(
            Proposal.consultation_id == consultation.id,
            Proposal.status == ProposalStatus.SUBMITTED,
        )
        .options(
            joinedload(Proposal.category),
            joinedload(Proposal.village),
            selectinload(Proposal.beneficiary_rows),
        )
        .order_by(Proposal.created_at, Proposal.id)
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def merge_targets(proposal: Proposal) -> list[Proposal]:
    return list(
        db.session.scalars(
            select(Proposal)
            .where(
                Proposal.consultation_id == proposal.consultation_id,
                Proposal.id != proposal.id,
                Proposal.status.in_([ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED]),
            )
            .order_by(in_kyrgyz_order(Proposal.title), Proposal.id)
        )
    )


def photos_of(proposal: Proposal) -> list[Photo]:
    """The photos officers added to the proposal, in the order they were added."""
    return list(
        db.session.scalars(
            select(Photo)
            .join(proposal_photos, proposal_photos.c.photo_id == Photo.id)
            .where(proposal_photos.c.proposal_id == proposal.id)
            .order_by(Photo.id)
        )
    )


# A handful tells the story; more would make the ballot's pages heavy on slow data.
MAX_PROPOSAL_PHOTOS = 6


def add_photo(actor: User, proposal: Proposal, upload: Upload, alt_text: str) -> Photo:
    """An officer adds a photo to a proposal at review (a picture of the broken bridge helps
    people who read little)."""
    _ensure_reviewable(actor, proposal)
    if len(photos_of(proposal)) >= MAX_PROPOSAL_PHOTOS:
        raise RuleViolation(
            _l("A proposal can have at most %(count)d photos.", count=MAX_PROPOSAL_PHOTOS)
        )
    photo = store_upload(upload, alt_text, actor)
    db.session.execute(proposal_photos.insert().values(proposal_id=proposal.id, photo_id=photo.id))
    audit.record(
        actor,
        "proposal.photo_add",
        municipality_id=proposal.consultation.municipality_id,
        target=("proposal", proposal.id),
        after={"photo": photo.id, "alt_text": photo.alt_text},
    )
    db.session.commit()
    return photo


def remove_photo(actor: User, proposal: Proposal, photo_id: int) -> None:
    """An officer takes a photo off a proposal at review; the photo itself goes too."""
    _ensure_reviewable(actor, proposal)
    photo = next((p for p in photos_of(proposal) if p.id == photo_id), None)
    if photo is None:
        raise RuleViolation(_l("This photo is not on this proposal."))
    audit.record(
        actor,
        "proposal.photo_remove",
        municipality_id=proposal.consultation.municipality_id,
        target=("proposal", proposal.id),
        before={"photo": photo.id, "alt_text": photo.alt_text},
    )
    db.session.delete(photo)
    db.session.commit()
