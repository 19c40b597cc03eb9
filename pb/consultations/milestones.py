"""When a consultation's phases really began, read from its phase log, for the protocol.

The dates announced beforehand (``Consultation.phase_dates``) are what was planned; the phase log
(``PhaseChange``) records the day each move was made. A milestone the log does not record yet (the
results not yet published, or a consultation imported from a file) falls back to its planned
date, marked as planned so that nobody signs a plan as a fact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from flask_babel import to_user_timezone

from pb.models import Consultation, Phase, PhaseChange


class Milestone(StrEnum):
    PROPOSALS_OPENED = "proposals_opened"
    REVIEW_BEGAN = "review_began"
    VOTING_OPENED = "voting_opened"
    VOTING_CLOSED = "voting_closed"
    RESULTS_PUBLISHED = "results_published"


@dataclass(frozen=True)
class MilestoneDate:
    milestone: Milestone
    on: date
    #: True when no phase change records it: the date announced beforehand.
    planned: bool


# Each milestone: the phase entered, whether the first or the last move into it counts, and the
# planned date. Proposals opened when they first did (a step back to the draft does not undo
# what residents saw); review began when proposals last closed, after any step back.
_MILESTONES: tuple[tuple[Milestone, Phase, bool, Callable[[Consultation], date]], ...] = (
    (Milestone.PROPOSALS_OPENED, Phase.COLLECTING, True, lambda c: c.proposals_from),
    (Milestone.REVIEW_BEGAN, Phase.REVIEW, False, lambda c: c.proposals_until),
    (Milestone.VOTING_OPENED, Phase.VOTING, True, lambda c: c.voting_from),
    (Milestone.VOTING_CLOSED, Phase.CLOSED, False, lambda c: c.voting_until),
    (Milestone.RESULTS_PUBLISHED, Phase.PUBLISHED, False, lambda c: c.results_on),
)


def local_day(moment: datetime) -> date:
    """The day a stored (UTC) moment fell on where the municipality is."""
    return to_user_timezone(moment).date()


def milestone_dates(consultation: Consultation) -> list[MilestoneDate]:
    """Each milestone's day: from the phase log where it records one, else the planned day."""
    forward: list[PhaseChange] = [
        change
        for change in consultation.phase_changes  # ordered by changed_at
        if change.to_phase.order > change.from_phase.order
    ]
    dates = []
    for milestone, phase, first, planned in _MILESTONES:
        moves = [change for change in forward if change.to_phase == phase]
        if moves:
            move = moves[0] if first else moves[-1]
            dates.append(MilestoneDate(milestone, local_day(move.changed_at), planned=False))
        else:
            dates.append(MilestoneDate(milestone, planned(consultation), planned=True))
    return dates
