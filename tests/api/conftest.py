"""A municipality with everything the API shows and everything it must not: a draft, a
rejected proposal, a paper proposal with its proposer's name, small groups of voters, a funded
project under way with an update and a photo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from pb.extensions import db
from pb.models import (
    Channel,
    Consultation,
    Gender,
    Implementation,
    ImplementationStatus,
    ImplementationUpdate,
    Phase,
    Photo,
    PhotoFile,
    PopulationFigures,
    Proposal,
    ProposalStatus,
)
from pb.results.counting import count_and_store
from tests import factories


@dataclass
class Published:
    world: factories.World
    consultation: Consultation
    draft: Consultation
    funded: Proposal
    rejected: Proposal
    draft_proposal: Proposal
    implementation: Implementation
    photo: Photo


def _ballots(consultation, n, **details):
    for _ in range(n):
        factories.make_ballot(consultation, **details)


@pytest.fixture
def published(world) -> Published:
    c = world.consultation
    first, second, *_ = factories.open_voting(c)
    first.author_id = world.resident.id
    first.proposer_name = world.resident.display_name  # as if typed in from paper
    first.proposer_gender = Gender.FEMALE
    rejected = factories.make_proposal(
        c,
        author=world.resident,
        status=ProposalStatus.REJECTED,
        title="Rejected fence",
        rejection_reason="Asked by her neighbour",
    )
    factories.make_proposal(c, status=ProposalStatus.WITHDRAWN, title="Withdrawn bench")
    factories.make_proposal(
        c, status=ProposalStatus.MERGED, title="Merged well", merged_into_id=first.id
    )
    big, small = c.villages[0], c.villages[1]
    _ballots(
        c, 12, gender=Gender.FEMALE, age_group="18-35", village_id=big.id, choices=[(first.id, 1)]
    )
    _ballots(
        c,
        8,
        gender=Gender.MALE,
        age_group="36-59",
        village_id=big.id,
        choices=[(first.id, 1), (second.id, 1)],
    )
    _ballots(
        c,
        2,
        gender=Gender.MALE,
        age_group="60+",
        village_id=small.id,
        channel=Channel.PAPER,
        choices=[(second.id, 1)],
    )
    db.session.add(
        PopulationFigures(municipality_id=world.municipality.id, adults=1000, women=520, youth=400)
    )
    c.phase = Phase.CLOSED
    factories.seal_ballots(c)
    count_and_store(c)
    c.phase = Phase.PUBLISHED
    db.session.commit()

    draft = factories.make_consultation(world.municipality, phase=Phase.DRAFT, title_en="Draft one")
    draft_proposal = factories.make_proposal(
        draft, status=ProposalStatus.ACCEPTED, title="Draft road"
    )

    photo = Photo(
        alt_text="The new bridge over the canal",
        width=1200,
        height=900,
        uploaded_by_id=world.officer.id,
    )
    photo.files = [
        PhotoFile(size=size, content_type="image/webp", width=w, height=w * 3 // 4, data=b"RIFF")
        for size, w in (("thumb", 320), ("medium", 800), ("large", 1200))
    ]
    implementation = Implementation(
        proposal_id=first.id,
        status=ImplementationStatus.UNDER_WAY,
        planned_cost=400_000,
        actual_cost=380_000,
        community_money=20_000,
        community_labour="Ашар: the village dug the ditch",
        contractor="Курулуш ЖЧК",
        started_on=date(2027, 3, 1),
    )
    implementation.updates = [
        ImplementationUpdate(
            posted_on=date(2027, 4, 2),
            text="Көпүрөнүн пайдубалы куюлду.",
            language="ky",
            author_id=world.officer.id,
            photos=[photo],
        )
    ]
    db.session.add(implementation)
    db.session.commit()
    return Published(world, c, draft, first, rejected, draft_proposal, implementation, photo)
