"""What withdrawing a proposal will do, for its author to confirm first (pb.confirming): a
withdrawn proposal cannot be sent again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pb.i18n import format_day
from pb.models import Proposal, ProposalStatus


def what_withdrawing_does(proposal: Proposal) -> list[object]:
    said: list[object] = [
        _l("It will no longer be shown to residents, reviewed or put on the ballot."),
    ]
    if proposal.status == ProposalStatus.ACCEPTED:
        said.append(_l("Officers have accepted it for the ballot: that acceptance is given up."))
    said.append(
        _l(
            "Withdrawing cannot be undone; you can send a new proposal until %(date)s.",
            date=format_day(proposal.consultation.proposals_until),
        )
    )
    return said
