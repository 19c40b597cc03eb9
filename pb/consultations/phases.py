"""What a consultation's move into a phase needs and sets off, as the domains built on it say.

Consultations come first: the domains that build on them (voting, results) import this package,
never the other way round. So each registers here, when it is imported, what a phase change asks
of it: voting checks its settings before voting opens and seals the ballots when it closes,
results are counted when they are published. create_app imports every blueprint package, and
with it these registrations, before the application serves anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pb.models import Consultation, Phase

#: Why a consultation cannot move into a phase yet, in the reader's language (empty if it can).
Check = Callable[[Consultation], list[object]]
#: What follows a consultation's move into a phase.
Reaction = Callable[[Consultation], None]
#: What a move into a phase will do, in numbers and in the reader's language, for the page that
#: asks the officer to confirm it before it is done.
Consequence = Callable[[Consultation], list[object]]

C = TypeVar("C", bound=Check)
R = TypeVar("R", bound=Reaction)
K = TypeVar("K", bound=Consequence)

# Keyed by module and name, so that a module imported again replaces its hooks rather than
# adding them twice.
_checks: dict[Phase, dict[str, Check]] = {phase: {} for phase in Phase}
_reactions: dict[Phase, dict[str, Reaction]] = {phase: {} for phase in Phase}
_consequences: dict[Phase, dict[str, Consequence]] = {phase: {} for phase in Phase}


def _key(hook: Callable[..., object]) -> str:
    return f"{hook.__module__}.{hook.__qualname__}"


def check_before(phase: Phase) -> Callable[[C], C]:
    """Register a check that must find nothing wrong before a consultation moves into ``phase``."""

    def register(check: C) -> C:
        _checks[phase][_key(check)] = check
        return check

    return register


def on_entering(phase: Phase) -> Callable[[R], R]:
    """Register what follows a consultation's move into ``phase``. It runs inside the transaction
    that moves the consultation, before the commit: the move and what follows it are saved
    together, or neither is."""

    def register(reaction: R) -> R:
        _reactions[phase][_key(reaction)] = reaction
        return reaction

    return register


def consequence_of(phase: Phase) -> Callable[[K], K]:
    """Register what a move into ``phase`` will do, said before it is done (in numbers)."""

    def register(consequence: K) -> K:
        _consequences[phase][_key(consequence)] = consequence
        return consequence

    return register


def checks_before(phase: Phase) -> list[Check]:
    return list(_checks[phase].values())


def reactions_to(phase: Phase) -> list[Reaction]:
    """In the order they were registered, which is the order they run in."""
    return list(_reactions[phase].values())


def problems_entering(consultation: Consultation, phase: Phase) -> list[object]:
    """What the registered checks find wrong with moving ``consultation`` into ``phase``."""
    return [problem for check in checks_before(phase) for problem in check(consultation)]


def consequences_of_entering(consultation: Consultation, phase: Phase) -> list[object]:
    """What the domains say a move of ``consultation`` into ``phase`` will do."""
    return [
        sentence
        for consequence in _consequences[phase].values()
        for sentence in consequence(consultation)
    ]


def react_to_entering(
    consultation: Consultation,
    phase: Phase,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run what the domains registered for a move into ``phase`` (the caller commits).
    ``progress`` hears (reactions run, reactions in all) before the first and after each: a
    job's page shows it (closing a city's vote: its voters' details and ballots sealed, then
    the count, then the ballots' file)."""
    reactions = reactions_to(phase)
    for done, reaction in enumerate(reactions):
        if progress:
            progress(done, len(reactions))
        reaction(consultation)
    if progress and reactions:
        progress(len(reactions), len(reactions))
