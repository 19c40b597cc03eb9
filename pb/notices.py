"""What a resident is told about her proposals on her next visit, on whichever device.

A review writes the notice in the transaction that records it (``pb.proposals.services``);
pages only read notices, and the resident's "OK" (a POST) deletes them. Nothing here touches
the request: the views pass the user.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from pb.extensions import db
from pb.models import Notice, NoticeKind, Proposal, ProposalStatus, User

#: The status a notice speaks of: one whose proposal has moved on since says nothing true.
STATUS_OF = {
    NoticeKind.ACCEPTED: ProposalStatus.ACCEPTED,
    NoticeKind.REJECTED: ProposalStatus.REJECTED,
    NoticeKind.MERGED: ProposalStatus.MERGED,
}


def proposal_reviewed(actor: User, proposal: Proposal, kind: NoticeKind) -> None:
    """Tell the author of a reviewed proposal, unless she reviewed it herself. An earlier
    notice about the same proposal gives way to this one. The caller commits."""
    forget(proposal)
    if proposal.author_id is None or proposal.author_id == actor.id:
        return
    db.session.add(Notice(user_id=proposal.author_id, proposal_id=proposal.id, kind=kind))


def forget(proposal: Proposal) -> None:
    """Drop what the author has not read yet about this proposal (it went back to review,
    or was reviewed again). The caller commits."""
    if proposal.id is not None:
        db.session.execute(delete(Notice).where(Notice.proposal_id == proposal.id))


def waiting_for(user: User) -> list[Notice]:
    """The notices the user has not read yet, oldest first; those whose proposal has moved on
    since are left out (her "OK" deletes them too)."""
    found = db.session.scalars(
        select(Notice)
        .where(Notice.user_id == user.id)
        .options(joinedload(Notice.proposal).joinedload(Proposal.merged_into))
        .order_by(Notice.id)
    )
    return [n for n in found if n.proposal.status == STATUS_OF[n.kind]]


def mark_read(user: User, up_to: int) -> None:
    """Delete the user's notices up to the last one her page showed (a newer one, arrived
    meanwhile, waits for her next page)."""
    db.session.execute(delete(Notice).where(Notice.user_id == user.id, Notice.id <= up_to))
    db.session.commit()
