"""Typed SQLAlchemy 2 models, one module per domain."""

from pb.models.audit import AuditEntry
from pb.models.consultations import (
    BallotKind,
    Category,
    Consultation,
    Electorate,
    Phase,
    PhaseChange,
    consultation_villages,
)
from pb.models.figures import ChoiceFigure, VoterFigure
from pb.models.implementation import (
    Implementation,
    ImplementationStatus,
    ImplementationUpdate,
    Photo,
    PhotoFile,
)
from pb.models.jobs import Job, JobState, StoredFile, StoredFileChunk
from pb.models.keys import KeyFingerprint
from pb.models.municipalities import Municipality, Village
from pb.models.notices import Notice, NoticeKind
from pb.models.proposals import Beneficiary, Meeting, Proposal, ProposalBeneficiary, ProposalStatus
from pb.models.reports import ProblemReport, ReportAnswer
from pb.models.results import CouncilDecision, CountedResult, Decision, PopulationFigures
from pb.models.roll import PasswordReset, RollEntry, RollImport, RollMark
from pb.models.users import Gender, Membership, Role, User
from pb.models.voting import (
    Ballot,
    Channel,
    CodeBatch,
    Receipt,
    ThrottleEvent,
    VoterLink,
    VotingCode,
)

__all__ = [
    "AuditEntry",
    "Ballot",
    "BallotKind",
    "Beneficiary",
    "Category",
    "Channel",
    "ChoiceFigure",
    "CodeBatch",
    "Consultation",
    "CouncilDecision",
    "CountedResult",
    "Decision",
    "Electorate",
    "Gender",
    "Implementation",
    "ImplementationStatus",
    "ImplementationUpdate",
    "Job",
    "JobState",
    "KeyFingerprint",
    "Meeting",
    "Membership",
    "Municipality",
    "Notice",
    "NoticeKind",
    "PasswordReset",
    "Phase",
    "PhaseChange",
    "Photo",
    "PhotoFile",
    "PopulationFigures",
    "ProblemReport",
    "Proposal",
    "ProposalBeneficiary",
    "ProposalStatus",
    "Receipt",
    "ReportAnswer",
    "Role",
    "RollEntry",
    "RollImport",
    "RollMark",
    "StoredFile",
    "StoredFileChunk",
    "ThrottleEvent",
    "User",
    "Village",
    "VoterFigure",
    "VoterLink",
    "VotingCode",
    "consultation_villages",
]
