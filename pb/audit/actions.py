"""The actions the audit trail records: a stable key each, and its label for readers.

A new kind of action is one entry here; ``pb.audit.trail.record`` refuses a key not listed.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ACTIONS: dict[str, LazyString] = {
    "consultation.create": _l("Consultation created"),
    "consultation.update": _l("Consultation changed"),
    "phase.advance": _l("Phase moved forward"),
    "phase.step_back": _l("Phase stepped back"),
    "job.start": _l("Background work started"),
    "job.retry": _l("Background work started again"),
    "voting.settings": _l("Ballot settings changed"),
    "ballot.paper_order": _l("Order of the printed paper ballot changed"),
    "proposal.paper": _l("Paper proposal entered"),
    "proposal.accept": _l("Proposal accepted"),
    "proposal.reject": _l("Proposal rejected"),
    "proposal.merge": _l("Proposal merged into another"),
    "proposal.withdraw": _l("Proposal withdrawn"),
    "proposal.photo_add": _l("Photo added to a proposal"),
    "proposal.photo_remove": _l("Photo removed from a proposal"),
    "report.answer": _l("Problem report answered"),
    "report.hide": _l("Problem report hidden by moderators"),
    "codes.generate": _l("Voting codes generated"),
    "codes.void": _l("Voting code batch voided"),
    "paper_ballot.add": _l("Paper ballot entered"),
    "paper_ballot.correct": _l("Paper ballot corrected"),
    "paper_ballot.delete": _l("Paper ballot deleted"),
    "roll.import": _l("Voter roll file imported"),
    "roll.add": _l("Person added to the voter roll"),
    "roll.correct": _l("Person on the voter roll corrected"),
    "roll.remove": _l("Person removed from the voter roll"),
    "account.confirm": _l("Account confirmed on the voter roll"),
    "account.unconfirm": _l("Account unconfirmed"),
    "desk.hand_out": _l("Ballot or code slip handed out at the meeting desk"),
    "marks.erase": _l("Record of who voted erased"),
    "reset.issue": _l("Password reset code issued"),
    "results.import": _l("Past consultation imported"),
    "decision.record": _l("Council decision recorded"),
    "population.save": _l("Population figures saved"),
    "contacts.save": _l("Confirmation contacts saved"),
    "municipality.create": _l("Municipality created"),
    "municipality.update": _l("Municipality changed"),
    "staff.appoint": _l("Staff member appointed"),
    "staff.revoke": _l("Staff role removed"),
    "implementation.save": _l("Implementation of a funded project changed"),
    "implementation.post": _l("Update on a funded project posted"),
}

TARGETS: dict[str, LazyString] = {
    "consultation": _l("Consultation"),
    "proposal": _l("Proposal"),
    "code_batch": _l("Code batch"),
    "ballot": _l("Paper ballot"),
    "roll_entry": _l("Person on the roll"),
    "roll_import": _l("Roll file"),
    "user": _l("Account"),
    "municipality": _l("Municipality"),
    "membership": _l("Staff role"),
    "decision": _l("Council decision"),
    "report": _l("Problem report"),
    "job": _l("Background work"),
}

# What must never reach an entry, whatever a caller passes: a ballot's content, a code, a
# receipt, a password or reset code, or a voter link. ``record`` refuses these keys.
FORBIDDEN_KEYS = frozenset(
    {
        "choices",
        "selection",
        "points",
        "code",
        "codes",
        "plain",
        "receipt",
        "password",
        "password_hash",
        "digest",
        "token",
        "login_token",
        "voter_link",
        "user_ballot",
    }
)


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def target_label(target_type: str) -> str:
    label = TARGETS.get(target_type)
    return str(label) if label is not None else target_type
