"""Participation figures: who voted and who proposed, by gender, age group, village and channel,
set against the municipality's population. Small groups are never shown, nor any figure they
could be worked out from: the rule is ``pb.disclosure``, shared by the pages, the protocol and the
exports. Voters' figures come from the counts made when voting closed (``pb.voting.details``):
ballots keep no details once sealed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from flask import current_app
from sqlalchemy import ColumnExpressionArgument, SQLColumnExpression, func, select

from pb.collation import in_kyrgyz_order
from pb.demographics import band_keys
from pb.disclosure import cells_to_hide, hide, known_sum
from pb.extensions import db
from pb.models import (
    ChoiceFigure,
    Consultation,
    PopulationFigures,
    Proposal,
    ProposalStatus,
    VoterFigure,
)

NOT_GIVEN = ""


@dataclass
class Breakdown:
    """One table of figures: group → count (None when hidden), in display order. Only what
    may be shown is kept: the hidden counts are not here to leak into a share or a bar."""

    counts: dict[str, int | None]
    total: int

    def share(self, key: str) -> Fraction | None:
        n = self.counts.get(key)
        if n is None or not self.total:
            return None
        return Fraction(n, self.total)

    def share_of(self, keys: Sequence[str], among: Sequence[str]) -> Fraction | None:
        """The part of ``keys`` among ``among`` (women among those who gave their gender),
        only when a reader could compute both from the shown counts anyway
        (``pb.disclosure.known_sum``)."""
        part = known_sum(self.counts, keys, self.total)
        whole = known_sum(self.counts, among, self.total)
        if part is None or not whole:
            return None
        return Fraction(part, whole)


def _breakdown(raw: Mapping[str | None, int], order: Sequence[str]) -> Breakdown:
    counts = dict.fromkeys(order, 0)
    for key, n in raw.items():
        counts[key if key is not None else NOT_GIVEN] = (
            counts.get(key if key is not None else NOT_GIVEN, 0) + n
        )
    counts.setdefault(NOT_GIVEN, 0)
    return Breakdown(hide(counts), sum(counts.values()))


@dataclass
class Share:
    """Part of a group among those who said, set against its part of the population."""

    among: Fraction | None  # None: too few people said, or nobody
    population: Fraction | None


@dataclass
class Participation:
    voters: int
    voters_by: dict[str, Breakdown]
    proposers: int
    proposers_by: dict[str, Breakdown]
    women: dict[str, Share]  # "voters", "proposers"
    youth: dict[str, Share]
    village_names: dict[str, str]
    has_population: bool
    # What women and young people voted for: one row per proposal on the ballot.
    chosen_by: list[ChosenBy] = field(default_factory=list)


@dataclass
class ChosenBy:
    """How many ballots chose a proposal, and how many of them were women's and young
    people's: each hidden (None) when too few, by the same rule as every figure, over that
    proposal's choosers by gender, and by age group."""

    proposal_id: int
    title: str
    ballots: int
    women: int | None
    young: int | None


def youth_bands() -> list[str]:
    low, high = current_app.config["YOUTH_AGES"]
    return [
        key
        for key, (b_low, b_high) in zip(
            band_keys(current_app.config["AGE_BANDS"]),
            current_app.config["AGE_BANDS"],
            strict=False,
        )
        if b_low >= low and b_high is not None and b_high <= high
    ]


def _grouped(
    column: SQLColumnExpression[Any], *where: ColumnExpressionArgument[bool]
) -> dict[Any, int]:
    """How many rows match ``where``, per value of ``column`` (None included)."""
    return dict(
        db.session.execute(select(column, func.count()).where(*where).group_by(column)).all()
    )


def voter_figures(consultation: Consultation) -> dict[str, dict[str | None, int]]:
    """Per detail ("gender", "age", "village", "channel"), the voters per value (None: not
    given), as counted when voting closed."""
    found: dict[str, dict[str | None, int]] = {
        dimension: {} for dimension in ("gender", "age", "village", "channel")
    }
    for dimension, value, ballots in db.session.execute(
        select(VoterFigure.dimension, VoterFigure.value, VoterFigure.ballots).where(
            VoterFigure.consultation_id == consultation.id
        )
    ):
        found.setdefault(dimension, {})[value or None] = ballots
    return found


def _share(breakdown: Breakdown, keys: Sequence[str], population: Fraction | None) -> Share:
    """The part of ``keys`` among those who said (gave their gender, or their age)."""
    said = [key for key in breakdown.counts if key != NOT_GIVEN]
    return Share(breakdown.share_of(keys, said), population)


def participation(consultation: Consultation) -> Participation:
    bands = band_keys(current_app.config["AGE_BANDS"])
    villages = {str(v.id): v.name for v in consultation.villages}
    counted = (
        Proposal.consultation_id == consultation.id,
        Proposal.status != ProposalStatus.WITHDRAWN,
    )
    # Voters' details are counted when voting closes (pb.voting.details): the ballots keep none.
    voter = voter_figures(consultation)
    voter_gender, voter_age = voter["gender"], voter["age"]
    voter_village, voter_channel = voter["village"], voter["channel"]
    proposer_gender = _grouped(Proposal.proposer_gender, *counted)
    proposer_age = _grouped(Proposal.proposer_age_group, *counted)
    proposer_village: dict[str | None, int] = {
        str(k): n for k, n in _grouped(Proposal.village_id, *counted).items()
    }
    proposer_channel: dict[str | None, int] = {
        ("meeting" if k else "online"): n
        for k, n in _grouped(Proposal.meeting_id.is_not(None), *counted).items()
    }
    figures = db.session.scalar(
        select(PopulationFigures).where(
            PopulationFigures.municipality_id == consultation.municipality_id
        )
    )
    women_population = Fraction(figures.women, figures.adults) if figures else None
    youth_population = Fraction(figures.youth, figures.adults) if figures else None
    genders = ["female", "male"]
    young = youth_bands()

    def by_value(raw: Mapping[Any, int]) -> dict[str | None, int]:
        return {getattr(k, "value", k): n for k, n in raw.items()}

    voters_by = {
        "gender": _breakdown(by_value(voter_gender), genders),
        "age": _breakdown(voter_age, bands),
        "village": _breakdown(voter_village, list(villages)),
        "channel": _breakdown(by_value(voter_channel), ["online", "code", "paper"]),
    }
    proposers_by = {
        "gender": _breakdown(by_value(proposer_gender), genders),
        "age": _breakdown(proposer_age, bands),
        "village": _breakdown(proposer_village, list(villages)),
        "channel": _breakdown(proposer_channel, ["online", "meeting"]),
    }
    return Participation(
        voters=sum(voter_channel.values()),
        voters_by=voters_by,
        proposers=sum(proposer_channel.values()),
        proposers_by=proposers_by,
        # The shares come from the shown counts only, so they cannot give a hidden one back.
        women={
            "voters": _share(voters_by["gender"], ["female"], women_population),
            "proposers": _share(proposers_by["gender"], ["female"], women_population),
        },
        youth={
            "voters": _share(voters_by["age"], young, youth_population),
            "proposers": _share(proposers_by["age"], young, youth_population),
        },
        village_names=villages,
        has_population=figures is not None,
        # Nothing to show where no voter said her gender or age (an imported file).
        chosen_by=chosen_by(consultation, bands, young)
        if any(key for key, n in [*voter_gender.items(), *voter_age.items()] if n)
        else [],
    )


def chosen_by(
    consultation: Consultation, bands: Sequence[str], young: Sequence[str]
) -> list[ChosenBy]:
    """Per proposal on the ballot, from the counts made when voting closed: how many ballots
    chose it, and how many of those were women's and young people's. Each proposal's choosers
    are one breakdown by gender and one by age group, hidden by ``pb.disclosure.hide`` with
    their total (the proposal's ballots) shown; the young are shown only when their sum can be
    computed from what that rule shows."""
    proposals = db.session.execute(
        select(Proposal.id, Proposal.title)
        .where(
            Proposal.consultation_id == consultation.id,
            Proposal.status == ProposalStatus.ACCEPTED,
        )
        .order_by(in_kyrgyz_order(Proposal.title), Proposal.id)
    ).all()
    by_gender: dict[int, dict[str, int]] = {
        pid: dict.fromkeys(["female", "male", NOT_GIVEN], 0) for pid, _title in proposals
    }
    by_age: dict[int, dict[str, int]] = {
        pid: dict.fromkeys([*bands, NOT_GIVEN], 0) for pid, _title in proposals
    }
    for pid, dimension, value, ballots in db.session.execute(
        select(
            ChoiceFigure.proposal_id,
            ChoiceFigure.dimension,
            ChoiceFigure.value,
            ChoiceFigure.ballots,
        ).where(ChoiceFigure.consultation_id == consultation.id)
    ):
        table = by_gender if dimension == "gender" else by_age
        if pid in table:
            table[pid][value] = table[pid].get(value, 0) + ballots
    rows = []
    for pid, title in proposals:
        total = sum(by_gender[pid].values())
        genders = hide(by_gender[pid])
        ages = hide(by_age[pid])
        rows.append(ChosenBy(pid, title, total, genders["female"], known_sum(ages, young, total)))
    # The proposals' rows together cross proposal and gender (or age): where each ballot
    # chooses one proposal, the women of all proposals add up to the women who voted, shown
    # on the same page, and that sum less the shown cells would give a hidden one back. So
    # each column hides, beside the rows' hidden cells, as many more as the rule asks.
    women = cells_to_hide(
        {pid: by_gender[pid]["female"] for pid, _title in proposals},
        hidden_already={row.proposal_id for row in rows if row.women is None},
    )
    youth = cells_to_hide(
        {pid: sum(by_age[pid][band] for band in young) for pid, _title in proposals},
        hidden_already={row.proposal_id for row in rows if row.young is None},
    )
    for row in rows:
        row.women = None if row.proposal_id in women else row.women
        row.young = None if row.proposal_id in youth else row.young
    rows.sort(key=lambda row: -row.ballots)  # stable: by title among equals
    return rows
