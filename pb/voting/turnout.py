"""How many ballots so far, as council members see them: the same figures as the participation
page, with small channels hidden by the same rule (``pb.disclosure``).

Officers see the plain counts: they type in every paper ballot, hand out every slip and see each
person's mark at the desk, and need the exact numbers to check the meetings' ballots against
their desk lists; hiding them from officers would protect no one. Council members handle no
ballot, so what they see must not give away a figure the participation page hides.
"""

from __future__ import annotations

from dataclasses import dataclass

from pb.disclosure import hide
from pb.models import Channel
from pb.voting.services import Turnout


@dataclass(frozen=True)
class ShownTurnout:
    total: int
    by_channel: dict[Channel, int | None]  # None: too few to show
    codes_issued: int
    codes_used: int | None  # None when the code ballots are hidden: it would tell them


def as_council_sees(turnout: Turnout) -> ShownTurnout:
    by_channel = hide(turnout.by_channel)
    return ShownTurnout(
        total=turnout.total,
        by_channel=by_channel,
        codes_issued=turnout.codes_issued,
        codes_used=turnout.codes_used if by_channel[Channel.CODE] is not None else None,
    )
