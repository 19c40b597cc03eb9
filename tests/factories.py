"""Small builders for test data. They write straight to the database, bypassing services,
so each test states only what it is about."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pb.extensions import db
from pb.models import (
    Ballot,
    BallotKind,
    Beneficiary,
    Category,
    Channel,
    Consultation,
    Electorate,
    Gender,
    Membership,
    Municipality,
    Phase,
    Proposal,
    ProposalBeneficiary,
    ProposalStatus,
    Role,
    RollEntry,
    User,
    Village,
)
from pb.voting.sheets import VoterDetails

PASSWORD = "correct horse"
_seq = itertools.count(1)


def make_municipality(
    slug: str | None = None, villages: tuple[str, ...] = ("Ак-Суу", "Кара-Булак")
) -> Municipality:
    n = next(_seq)
    municipality = Municipality(
        slug=slug or f"m-{n}",
        name_ky=f"Айыл өкмөтү {n}",
        name_ru=f"Айыл окмоту {n}",
        name_en=f"Municipality {n}",
    )
    municipality.villages = [Village(name=v) for v in villages]
    db.session.add(municipality)
    db.session.commit()
    return municipality


def make_user(
    municipality: Municipality | None = None,
    *roles: Role,
    username: str | None = None,
    phone: str | None = None,
    **fields: object,
) -> User:
    n = next(_seq)
    user = User(
        username=username if username or phone else f"user{n}",
        phone=phone,
        display_name=str(fields.pop("display_name", f"Person {n}")),
        locale=str(fields.pop("locale", "en")),
        **fields,  # type: ignore[arg-type]
    )
    user.set_password(PASSWORD)
    if municipality is not None:
        for role in roles or (Role.RESIDENT,):
            user.memberships.append(Membership(municipality_id=municipality.id, role=role))
    db.session.add(user)
    db.session.commit()
    return user


def make_consultation(
    municipality: Municipality,
    phase: Phase = Phase.COLLECTING,
    budget: int = 1_000_000,
    categories: tuple[str, ...] = ("roads", "water", "women", "youth"),
    **fields: object,
) -> Consultation:
    start = date(2026, 11, 1)
    # Tests of the roll ask for it; the rest vote as anyone registered, as before the roll.
    fields.setdefault("electorate", Electorate.REGISTERED)
    consultation = Consultation(
        municipality_id=municipality.id,
        title_en=str(fields.pop("title_en", "Budget 2027")),
        title_ky=fields.pop("title_ky", "2027-жылдын бюджети"),  # type: ignore[arg-type]
        title_ru=fields.pop("title_ru", "Бюджет 2027"),  # type: ignore[arg-type]
        budget=budget,
        phase=phase,
        proposals_from=start,
        proposals_until=start + timedelta(days=20),
        review_until=start + timedelta(days=30),
        voting_from=start + timedelta(days=31),
        voting_until=start + timedelta(days=45),
        results_on=start + timedelta(days=50),
        **fields,  # type: ignore[arg-type]
    )
    consultation.categories = [Category(key=k, position=i) for i, k in enumerate(categories)]
    consultation.villages = list(municipality.villages)
    db.session.add(consultation)
    db.session.commit()
    return consultation


def make_proposal(
    consultation: Consultation,
    author: User | None = None,
    status: ProposalStatus = ProposalStatus.SUBMITTED,
    cost: int = 100_000,
    beneficiaries: tuple[Beneficiary, ...] = (Beneficiary.EVERYONE,),
    **fields: object,
) -> Proposal:
    n = next(_seq)
    proposal = Proposal(
        consultation_id=consultation.id,
        title=str(fields.pop("title", f"Proposal number {n}")),
        description=str(fields.pop("description", "A description long enough to be useful.")),
        estimated_cost=cost,
        category_id=fields.pop("category_id", consultation.categories[0].id),
        village_id=fields.pop("village_id", consultation.villages[0].id),
        status=status,
        author_id=author.id if author else None,
        **fields,  # type: ignore[arg-type]
    )
    proposal.beneficiary_rows = [ProposalBeneficiary(group=b) for b in beneficiaries]
    db.session.add(proposal)
    db.session.commit()
    return proposal


@dataclass
class World:
    admin: User
    municipality: Municipality
    officer: User
    council: User
    resident: User
    other_municipality: Municipality
    outsider: User
    outside_officer: User
    consultation: Consultation

    @property
    def village(self) -> Village:
        return self.municipality.villages[0]


def build_world() -> World:
    municipality = make_municipality("ak-suu")
    other = make_municipality("ton", villages=("Боконбаев",))
    admin = make_user(None, username="admin", is_admin=True)
    officer = make_user(municipality, Role.RESIDENT, Role.OFFICER, username="officer")
    council = make_user(municipality, Role.RESIDENT, Role.COUNCIL, username="council")
    resident = make_user(
        municipality,
        phone="+996 555 123 456",
        gender=Gender.FEMALE,
        birth_year=2001,
        village_id=municipality.villages[0].id,
        display_name="Айзада",
    )
    outsider = make_user(other, username="outsider")
    outside_officer = make_user(other, Role.RESIDENT, Role.OFFICER, username="toncheck")
    consultation = make_consultation(municipality)
    return World(
        admin=admin,
        municipality=municipality,
        officer=officer,
        council=council,
        resident=resident,
        other_municipality=other,
        outsider=outsider,
        outside_officer=outside_officer,
        consultation=consultation,
    )


def open_voting(
    consultation: Consultation,
    costs: tuple[int, ...] = (400_000, 300_000, 250_000, 100_000),
    kind: BallotKind | None = None,
    **settings: object,
) -> list[Proposal]:
    """Accepted proposals with these costs, and the consultation in its voting phase."""
    proposals = [
        make_proposal(
            consultation, status=ProposalStatus.ACCEPTED, cost=cost, title=f"Project {i + 1}"
        )
        for i, cost in enumerate(costs)
    ]
    consultation.ballot_kind = kind or BallotKind.BUDGET
    consultation.allow_codes = True
    for name, value in settings.items():
        setattr(consultation, name, value)
    consultation.phase = Phase.VOTING
    db.session.commit()
    return proposals


def make_roll_entry(
    municipality: Municipality,
    full_name: str = "Асанова Гүлнара",
    birth_year: int = 1990,
    gender: Gender = Gender.FEMALE,
    user: User | None = None,
    village: Village | None = None,
    household: str | None = None,
    phone: str | None = None,
) -> RollEntry:
    """A person on the municipality's roll; confirmed as ``user``'s account if given."""
    from pb.roll.names import name_key

    entry = RollEntry(
        municipality_id=municipality.id,
        village_id=(village or municipality.villages[0]).id,
        household=household or str(next(_seq)),
        full_name=full_name,
        name_key=name_key(full_name),
        birth_year=birth_year,
        gender=gender,
        phone=phone,
        user_id=user.id if user else None,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def make_ballot(
    consultation: Consultation,
    channel: Channel = Channel.ONLINE,
    choices: Sequence[tuple[int, int]] = (),
    gender: Gender | None = None,
    age_group: str | None = None,
    village_id: int | None = None,
    meeting_id: int | None = None,
) -> Ballot:
    """A ballot as a vote writes it: its voter's details sealed (``pb.voting.details``).
    Not committed: add many, then commit."""
    from pb.voting.details import seal

    ballot = Ballot(
        consultation_id=consultation.id,
        channel=channel,
        meeting_id=meeting_id,
        sealed_details=seal(VoterDetails(gender, age_group, village_id), consultation.id),
    )
    ballot.choices = dict(choices)
    db.session.add(ballot)
    return ballot


def seal_ballots(consultation: Consultation) -> None:
    """What closing does to the ballots (their details counted into figures, then dropped),
    for tests that close a consultation by setting its phase."""
    from pb.voting.services import seal_ballots as seal

    db.session.flush()
    seal(consultation)


def details_of(ballot: Ballot) -> VoterDetails:
    """A ballot's voter details, read as closing reads them."""
    from pb.voting.details import unseal

    return unseal(ballot.sealed_details, ballot.consultation_id)


def funded_and_unfunded(consultation: Consultation) -> tuple[Proposal, Proposal]:
    """Published results with one funded project and one that did not fit the budget."""
    from pb.results.counting import count_and_store

    funded, unfunded = open_voting(consultation, costs=(600_000, 500_000))
    make_ballot(consultation, choices=[(funded.id, 1)])
    make_ballot(consultation, choices=[(funded.id, 1), (unfunded.id, 1)])
    seal_ballots(consultation)
    consultation.phase = Phase.PUBLISHED
    count_and_store(consultation)
    db.session.commit()
    return funded, unfunded
