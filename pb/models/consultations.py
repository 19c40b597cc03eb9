from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.collation import in_kyrgyz_order
from pb.counting_rules import DEFAULT_RULE
from pb.extensions import Model, db
from pb.models.base import UTCDateTime, enum_column, utcnow
from pb.models.municipalities import Municipality, Village

if TYPE_CHECKING:
    from pb.models.results import CouncilDecision
    from pb.models.users import User


class Phase(enum.StrEnum):
    """A consultation's phases, in the only order they may follow."""

    DRAFT = "draft"
    COLLECTING = "collecting"
    REVIEW = "review"
    VOTING = "voting"
    CLOSED = "closed"
    PUBLISHED = "published"

    @property
    def order(self) -> int:
        """The phase's place in that order (not ``index``: that would hide ``str.index``)."""
        return list(Phase).index(self)


class BallotKind(enum.StrEnum):
    APPROVAL = "approval"  # pick up to k proposals
    BUDGET = "budget"  # pick any proposals whose total cost fits the budget (knapsack)
    POINTS = "points"  # share N points among proposals (cumulative)


class Electorate(enum.StrEnum):
    """Who may vote in a consultation: chosen before voting opens, locked with the ballot."""

    ROLL = "roll"  # residents on the municipality's voter roll, one voice each (the default)
    REGISTERED = "registered"  # anyone registered in the municipality: for trials, shown so


consultation_villages = Table(
    "consultation_villages",
    db.metadata,
    Column(
        "consultation_id",
        ForeignKey("consultations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("village_id", ForeignKey("villages.id", ondelete="CASCADE"), primary_key=True),
)


class Consultation(Model):
    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint("budget > 0", name="budget_positive"),
        CheckConstraint(
            "proposals_from <= proposals_until AND proposals_until <= review_until"
            " AND review_until <= voting_from AND voting_from <= voting_until"
            " AND voting_until <= results_on",
            name="dates_in_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    # Texts in any of the three languages; at least one title is required (checked in forms).
    title_ky: Mapped[str | None] = mapped_column(String(200))
    title_ru: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description_ky: Mapped[str | None] = mapped_column(Text)
    description_ru: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    budget: Mapped[int] = mapped_column(BigInteger)  # whole som
    phase: Mapped[Phase] = mapped_column(enum_column(Phase), default=Phase.DRAFT)
    proposals_from: Mapped[date]
    proposals_until: Mapped[date]
    review_until: Mapped[date]
    voting_from: Mapped[date]
    voting_until: Mapped[date]
    results_on: Mapped[date]
    # How people vote: set by the officer before voting opens, locked from then on.
    ballot_kind: Mapped[BallotKind] = mapped_column(
        enum_column(BallotKind), default=BallotKind.BUDGET, server_default=BallotKind.BUDGET.value
    )
    approval_limit: Mapped[int | None]  # k, on approval ballots
    points_total: Mapped[int | None]  # N, on points ballots
    allow_accounts: Mapped[bool] = mapped_column(default=True, server_default=true())
    allow_codes: Mapped[bool] = mapped_column(default=False, server_default=false())
    allow_paper: Mapped[bool] = mapped_column(default=True, server_default=true())
    # How ballots become funded proposals: a name in pb.counting_rules, locked with the ballot.
    counting_rule: Mapped[str] = mapped_column(
        String(30), default=DEFAULT_RULE, server_default=DEFAULT_RULE
    )
    complete_with_greedy: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Who may vote, and from what age (counted from the year of birth, in the year voting
    # closes): locked with the ballot. Consultations from before the roll keep "registered".
    electorate: Mapped[Electorate] = mapped_column(
        enum_column(Electorate),
        default=Electorate.ROLL,
        server_default=Electorate.REGISTERED.value,
    )
    min_age: Mapped[int | None]
    # When an officer erased who voted (the roll marks), once the results were final.
    roll_marks_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by every change to what a ballot sheet holds (pb.voting.sheets): a worker's kept
    # sheet is used only while its revision is the consultation's.
    ballot_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # The proposals' order on printed paper ballots, drawn at random by an officer and kept
    # (pb.voting.ordering): the numbers she types paper ballots by are the printed ones.
    # None: the order of the online ballot.
    paper_order_seed: Mapped[str | None] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship()
    categories: Mapped[list[Category]] = relationship(
        back_populates="consultation",
        order_by="Category.position",
        cascade="all, delete-orphan",
    )
    villages: Mapped[list[Village]] = relationship(
        secondary=consultation_villages,
        order_by=lambda: [in_kyrgyz_order(Village.name), Village.id],
    )
    phase_changes: Mapped[list[PhaseChange]] = relationship(
        back_populates="consultation",
        order_by="PhaseChange.changed_at",
        cascade="all, delete-orphan",
    )
    # Recorded by pb.results; read here so that the consultation's page need not ask it.
    council_decisions: Mapped[list[CouncilDecision]] = relationship(
        order_by="[CouncilDecision.decided_on.desc(), CouncilDecision.id.desc()]",
        viewonly=True,
    )

    # What the phase allows, asked by services, views and templates alike, so that no list of
    # phases is repeated where a rule is applied or shown.

    @property
    def is_draft(self) -> bool:
        """A draft is seen by the municipality's officers only."""
        return self.phase == Phase.DRAFT

    @property
    def takes_proposals(self) -> bool:
        """Residents send, change and withdraw proposals."""
        return self.phase == Phase.COLLECTING

    @property
    def reviews_proposals(self) -> bool:
        """Officers review proposals and type in paper ones, until voting opens."""
        return self.phase in (Phase.COLLECTING, Phase.REVIEW)

    @property
    def voting_started(self) -> bool:
        """Voting has opened, and may be over: there are ballots, and turnout to show."""
        return self.phase in (Phase.VOTING, Phase.CLOSED, Phase.PUBLISHED)

    @property
    def ballot_locked(self) -> bool:
        """The budget, categories, villages and voting settings that ballots are built on no
        longer change, once voting has started."""
        return self.voting_started

    @property
    def voting_open(self) -> bool:
        """Ballots are cast, changed and entered from paper."""
        return self.phase == Phase.VOTING

    @property
    def voting_over(self) -> bool:
        """Voting has closed: the ballots are sealed and final, the consultation no longer
        changes, and the council decides on the results."""
        return self.phase in (Phase.CLOSED, Phase.PUBLISHED)

    @property
    def results_public(self) -> bool:
        """Everyone sees the results, and voters check their receipts."""
        return self.phase == Phase.PUBLISHED

    @property
    def roll_required(self) -> bool:
        """Only residents on the voter roll vote, one voice each."""
        return self.electorate == Electorate.ROLL

    @property
    def latest_birth_year(self) -> int | None:
        """The last year of birth old enough to vote, if there is a minimum age: a person
        counts as reaching it in the year voting closes."""
        if self.min_age is None:
            return None
        return self.voting_until.year - self.min_age

    def phase_dates(self) -> dict[Phase, tuple[date | None, date | None]]:
        """Planned start and end of each phase, for the timeline."""
        return {
            Phase.COLLECTING: (self.proposals_from, self.proposals_until),
            Phase.REVIEW: (self.proposals_until, self.review_until),
            Phase.VOTING: (self.voting_from, self.voting_until),
            Phase.PUBLISHED: (self.results_on, None),
        }

    def __repr__(self) -> str:
        return f"<Consultation {self.id} {self.phase}>"


class Category(Model):
    """A proposal category of one consultation: a standard one (by key) or the officer's own."""

    __tablename__ = "categories"
    __table_args__ = (CheckConstraint("key IS NOT NULL OR name IS NOT NULL", name="key_or_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str | None] = mapped_column(String(30))
    name: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)

    consultation: Mapped[Consultation] = relationship(back_populates="categories")


class PhaseChange(Model):
    """The record of every phase move, so a step back is never silent."""

    __tablename__ = "phase_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    from_phase: Mapped[Phase] = mapped_column(enum_column(Phase))
    to_phase: Mapped[Phase] = mapped_column(enum_column(Phase))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="phase_changes")
    changed_by: Mapped[User | None] = relationship()
