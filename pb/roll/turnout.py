"""Turnout against the voter roll, for officers and the council: of the people on the roll who
may vote in a consultation, how many did, per village, gender and age group, and by channel.

Counted here, from two queries: the people on the roll who may vote (four small columns each)
and the consultation's marks. A mark names its person by a digest keyed with the vote key
(``pb.voting.voters``), so the people's digests are made here, a few thousand in milliseconds,
and matched to the marks. Small groups are hidden by one
rule, ``hide_small_groups`` (``pb.disclosure``, as for every participation figure), so that nobody
can work out whether one person voted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, select

from pb.demographics import age_group, band_keys
from pb.disclosure import SMALL_GROUP, hide, rows_to_hide
from pb.extensions import db
from pb.models import Channel, Consultation, Gender, RollEntry, RollMark, consultation_villages
from pb.voting import voters

#: The age group of people younger than the youngest band (on a roll with no minimum age).
YOUNGER = "younger"
#: Any other age outside the bands (only if the configured bands leave a gap).
OTHER_AGE = ""

DIMENSIONS = ("village", "gender", "age")


@dataclass(frozen=True)
class Turnout:
    """People on the roll in a group, and how many of them voted (by any channel)."""

    on_roll: int
    voted: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.voted, self.on_roll) if self.on_roll else None

    @property
    def smallest_part(self) -> int:
        """The fewer of those who voted and those who did not: what a group's figures say
        about each of its members hangs on it. A part of none tells as much as a part of one
        ("6 of 6 voted": each of the six did; "0 of 7": none did), so it counts as 1. Only a
        group of nobody (0) tells nothing of anyone."""
        if not self.on_roll:
            return 0
        return max(1, min(self.voted, self.on_roll - self.voted))


def hide_small_groups(groups: Mapping[str, Turnout]) -> dict[str, Turnout | None]:
    """The groups of one table, those that would single people out hidden (None).

    A group's figures are hidden when those who voted, or those who did not, number fewer
    than SMALL_GROUP: "1 of 1 voted" tells that the one woman voted, "4 of 5" that all but one
    did, and "6 of 6" or "0 of 7" what each of them did. The table's totals are shown, so more
    groups are hidden beside them until the hidden ones cannot be worked out from the totals
    (``pb.disclosure.rows_to_hide``): at least two, holding together at least SMALL_GROUP
    voters and SMALL_GROUP who did not vote.
    """
    hidden = rows_to_hide(
        {key: (group.voted, group.on_roll - group.voted) for key, group in groups.items()}
    )
    return {key: None if key in hidden else group for key, group in groups.items()}


def _shown(group: Turnout) -> Turnout | None:
    """A single figure (the whole roll's) under the same rule as each group."""
    return None if 0 < group.smallest_part < SMALL_GROUP else group


@dataclass(frozen=True)
class RollTurnout:
    #: When an officer erased who voted: no figures are left to show.
    erased_at: datetime | None = None
    #: Everyone on the roll who may vote in the consultation (None: hidden).
    total: Turnout | None = None
    #: "village" (by village id, as text), "gender", "age": group → figures, None if hidden.
    by: dict[str, dict[str, Turnout | None]] = field(default_factory=dict)
    #: People marked on the roll, by how: voted online, received a code slip (which she may
    #: not have used), given a paper ballot; None if hidden.
    by_channel: dict[Channel, int | None] = field(default_factory=dict)
    village_names: dict[str, str] = field(default_factory=dict)


def _grouped(
    people: Sequence[Any], marked: Mapping[int, Channel], column: str
) -> dict[Any, Turnout]:
    """People on the roll and those of them marked as voting, per value of ``column``."""
    on_roll: dict[Any, int] = defaultdict(int)
    voted: dict[Any, int] = defaultdict(int)
    for person in people:
        key = getattr(person, column)
        on_roll[key] += 1
        voted[key] += person.id in marked
    return {key: Turnout(on_roll[key], voted[key]) for key in on_roll}


def _marked(people: Sequence[Any], consultation: Consultation) -> dict[int, Channel]:
    """The marks of these people in this consultation, by entry id."""
    marks = dict(
        db.session.execute(
            select(RollMark.entry_digest, RollMark.channel).where(
                RollMark.consultation_id == consultation.id
            )
        ).all()
    )
    wanted = voters.entry_marks(consultation.id, (person.id for person in people))
    return {entry_id: marks[digest] for digest, entry_id in wanted.items() if digest in marks}


def roll_turnout(consultation: Consultation) -> RollTurnout:
    """Turnout of the people on the municipality's roll who may vote in this consultation:
    those of the villages it covers, old enough (born in or before its latest year of birth).
    Ages are reached in the year voting closes. Two queries, whatever the roll's size."""
    if consultation.roll_marks_erased_at is not None:
        return RollTurnout(erased_at=consultation.roll_marks_erased_at)
    covered = select(consultation_villages.c.village_id).where(
        consultation_villages.c.consultation_id == consultation.id
    )
    who: list[ColumnElement[bool]] = [
        RollEntry.municipality_id == consultation.municipality_id,
        RollEntry.village_id.in_(covered),
    ]
    latest = consultation.latest_birth_year
    if latest is not None:
        who.append(RollEntry.birth_year <= latest)

    villages = {str(village.id): village.name for village in consultation.villages}
    people = db.session.execute(
        select(RollEntry.id, RollEntry.village_id, RollEntry.gender, RollEntry.birth_year).where(
            *who
        )
    ).all()
    marked = _marked(people, consultation)
    by_village = {str(k): v for k, v in _grouped(people, marked, "village_id").items()}
    by_gender = {Gender(k).value: v for k, v in _grouped(people, marked, "gender").items()}
    by_age = _by_age(_grouped(people, marked, "birth_year"), consultation)
    channels: dict[Channel, int] = defaultdict(int)
    for channel in marked.values():
        channels[channel] += 1

    total = Turnout(
        sum(t.on_roll for t in by_village.values()), sum(t.voted for t in by_village.values())
    )
    shown_total = _shown(total)
    by_channel: dict[Channel, int | None]
    if shown_total is None:
        # The channels add up to those who voted: hidden with them.
        by_channel = dict.fromkeys(Channel)
    else:
        by_channel = hide({channel: channels.get(channel, 0) for channel in Channel})
    empty = Turnout(0, 0)
    return RollTurnout(
        total=shown_total,
        by={
            "village": hide_small_groups({k: by_village.get(k, empty) for k in villages}),
            "gender": hide_small_groups({g.value: by_gender.get(g.value, empty) for g in Gender}),
            "age": hide_small_groups(by_age),
        },
        by_channel=by_channel,
        village_names=villages,
    )


def _by_age(by_year: Mapping[int, Turnout], consultation: Consultation) -> dict[str, Turnout]:
    bands = current_app.config["AGE_BANDS"]
    year = consultation.voting_until.year
    youngest = min(low for low, _high in bands)
    on_roll: dict[str, int] = defaultdict(int)
    voted: dict[str, int] = defaultdict(int)
    for birth_year, group in by_year.items():
        key = age_group(birth_year, year, bands)
        if key is None:
            key = YOUNGER if year - birth_year < youngest else OTHER_AGE
        on_roll[key] += group.on_roll
        voted[key] += group.voted
    keys = [YOUNGER, *band_keys(bands), OTHER_AGE]
    return {
        key: Turnout(on_roll[key], voted[key])
        for key in keys
        if key in on_roll or key not in (YOUNGER, OTHER_AGE)
    }
