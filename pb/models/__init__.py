"""Typed SQLAlchemy 2 models, one module per domain."""
from pb.models.municipalities import Municipality, Village
from pb.models.users import Gender, Membership, Role, User
from pb.models.consultations import (
    BallotKind,
    Category,
    Consultation,
    Phase,
    PhaseChange,
    consultation_villages,
)
from pb.models.proposals import Beneficiary, Meeting, Proposal, ProposalBeneficiary, ProposalStatus
from pb.models.results import CouncilDecision, CountedResult, Decision, PopulationFigures
from pb.models.voting import (
    Ballot,
    BallotChoice,
    Channel,
    CodeBatch,
    Receipt,
    ThrottleEvent,
    VoterLink,
    VotingCode,
)

__all__ = [
    "CouncilDecision",
    "CountedResult",
    "Decision",
    "PopulationFigures",
    "Ballot",
    "BallotChoice",
    "BallotKind",
    "Channel",
    "CodeBatch",
    "Receipt",
    "ThrottleEvent",
    "VoterLink",
    "VotingCode",
    "Beneficiary",
    "Category",
    "Consultation",
    "Gender",
    "Meeting",
    "Membership",
    "Municipality",
    "Phase",
    "PhaseChange",
    "Proposal",
    "ProposalBeneficiary",
    "ProposalStatus",
    "Role",
    "User",
    "Village",
    "consultation_villages",
]
