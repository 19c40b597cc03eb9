"""The printed protocol: what it says beside the results, in each language it is printed in.

The protocol's number and the page numbers sit in the margins of every printed page: CSS
paged-media margin boxes (``@page { @top-right {...} }``), which Chromium prints with the page
counters ``counter(page)`` and ``counter(pages)``. A margin box takes its text from a stylesheet
only, and the Content-Security-Policy allows no inline style, so the protocol's number reaches it
through a small stylesheet of its own (``stylesheet``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from pb.consultations.milestones import Milestone
from pb.models import CouncilDecision

T = TypeVar("T")

# Verbal nouns, as the phases' names are (pb.labels): they read right beside a day that was
# only planned as well as beside one that happened.
MILESTONES = {
    Milestone.PROPOSALS_OPENED: _l("Start of the collection of proposals"),
    Milestone.REVIEW_BEGAN: _l("Start of the review of proposals"),
    Milestone.VOTING_OPENED: _l("Opening of voting"),
    Milestone.VOTING_CLOSED: _l("Close of voting"),
    Milestone.RESULTS_PUBLISHED: _l("Publication of results"),
}

# Who signs, in the order they sign. Members of the counting commission sign between the
# council's officers and the mobilisation officer, one line each.
CHAIR = _l("Chair of the local council")
SECRETARY = _l("Secretary of the local council")
COMMISSION_MEMBER = _l("Member of the counting commission")
OFFICER = _l("Mobilisation officer")
# Lines left for members to write their names by hand, when none were recorded.
BLANK_COMMISSION_LINES = 3
# What stands for the protocol's number before the council's secretary gives it one.
NO_NUMBER = "________"


def in_each(languages: tuple[str, ...], make: Callable[[], T]) -> list[T]:
    """``make()`` called once in each language."""
    made = []
    for language in languages:
        with force_locale(language):
            made.append(make())
    return made


def bilingual(languages: tuple[str, ...], text: Callable[[], object]) -> str:
    """A text in each language, " / " between them, once where they read the same (as
    "Протокол" does in Kyrgyz and Russian)."""
    return " / ".join(dict.fromkeys(in_each(languages, lambda: str(text()))))


def running_head(languages: tuple[str, ...], decision: CouncilDecision | None) -> str:
    """What every printed page says at its top: the protocol's number."""
    number = (decision.protocol_number if decision else None) or NO_NUMBER
    return bilingual(languages, lambda: gettext("Protocol No. %(number)s", number=number))


def signers(languages: tuple[str, ...], decision: CouncilDecision | None) -> list[dict[str, str]]:
    """The signature lines: who signs, in each printed language, and the name when known."""
    members = decision.commission_members if decision else []
    lines = [{"role": bilingual(languages, lambda: CHAIR), "name": ""}]
    lines.append({"role": bilingual(languages, lambda: SECRETARY), "name": ""})
    member = bilingual(languages, lambda: COMMISSION_MEMBER)
    lines += [{"role": member, "name": name} for name in members]
    lines += [{"role": member, "name": ""}] * (0 if members else BLANK_COMMISSION_LINES)
    lines.append({"role": bilingual(languages, lambda: OFFICER), "name": ""})
    return lines


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: every character that could end or break it escaped."""
    escaped = "".join(
        char if char.isalnum() or char in " .,:;-_/№()" else f"\\{ord(char):06x}" for char in text
    )
    return f'"{escaped}"'


def stylesheet(head: str) -> str:
    """The protocol's print margins: its number at the top of every page, "2 / 3" at the foot."""
    return (
        "@media print{@page{"
        f"@top-right{{content:{css_string(head)};font-size:9pt;color:#000}}"
        '@bottom-right{content:counter(page) " / " counter(pages);font-size:9pt;color:#000}'
        "}}\n"
    )
