"""Which figures about groups of people may be shown: the one rule behind every participation
and turnout figure (pages, the printed protocol, CSV and XLSX exports).

Pure Python, no Flask and no database, so that the rule can be read and tested on its own.

Why a rule at all: in a village, "1 woman aged 60 or over voted" or "4 of the 5 people of
Kök-Jar voted" points at people. Figures about fewer than ``SMALL_GROUP`` people are therefore
hidden ("primary suppression", the usual statistical disclosure control).

Why more than that: hiding a cell is worthless if it can be worked out from what is shown
beside it. Every breakdown here is shown with its total (the number of voters is public), so

* one hidden cell is the total minus the others: at least two cells of a breakdown are hidden
  ("complementary suppression", the next smallest cells);
* two hidden cells of 1 each are known once their sum, 2, is known, since a hidden cell is
  never 0 (zeros are shown): the hidden cells together must hold at least ``SMALL_GROUP``
  people, and when they are all small they must not all be as small, or as large, as a small
  cell can be (1 and 1, or 4 and 4, would still be read off their sum);
* cells of equal size are hidden together, so that which of them is hidden says nothing more
  (the rule does not depend on the order of the groups, only on their sizes);
* when only small groups have anyone in them, the whole breakdown is hidden, zeros included;
* a share (a percentage) or a bar is only drawn for a figure that is itself shown, and a share
  of several cells (women among those who gave their gender) only when both of its terms can
  be computed from the shown figures anyway: otherwise the share times the total gives the
  hidden cell back (``known_sum``).

Breakdowns of the same people by different traits (by gender, by village) share only their
total, so each is hidden on its own; the pages, the protocol and the exports all show the same
``hide`` of the same counts, so no one of them shows what another hides. A table crossing two
traits (village × gender) would add its rows' and columns' sums as further totals: it would need
every row and every column hidden by this rule, its margins as the one-way tables show them.

The rule is public (pages say it), so it is designed to hold against a reader who knows it:
tests/test_disclosure.py re-runs it on every breakdown that would show the same figures and
checks that each hidden cell could still have taken at least two values; the pages' tests do the
same from what the pages, the protocol and the exports show.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import TypeVar

#: Groups of fewer people than this are not shown on their own. The same threshold for every
#: figure: changing it here changes it on every page, the protocol and the exports.
SMALL_GROUP = 5

K = TypeVar("K", bound=Hashable)


def cells_to_hide(
    sizes: Mapping[K, int], threshold: int = SMALL_GROUP, hidden_already: Collection[K] = ()
) -> set[K]:
    """The cells of one breakdown (group → number of people) that must not be shown, given
    that the breakdown's total is shown.

    ``sizes`` holds every group of the breakdown, those of nobody (0) included: a group of
    nobody says nothing of anyone and is shown, unless the whole breakdown is hidden.
    ``hidden_already``: cells hidden by another breakdown they belong to (a cell of a table
    crossing two traits), protected here like the small ones.
    """
    small = {key for key, n in sizes.items() if 0 < n < threshold}

    def protected(hidden: set[K]) -> bool:
        together = sum(sizes[key] for key in hidden)
        if len(hidden) < 2 or together < threshold:
            return False
        if hidden <= small:
            # Every hidden cell is then known to hold 1 to threshold-1 people: a sum of all
            # ones, or of all threshold-1, leaves no choice.
            return len(hidden) < together < len(hidden) * (threshold - 1)
        return True

    return _suppressed(sizes, small | set(hidden_already), protected)


def rows_to_hide(rows: Mapping[K, Sequence[int]], threshold: int = SMALL_GROUP) -> set[K]:
    """The rows of one table that must not be shown, where each row splits a group into parts
    that add up (on the roll: those who voted and those who did not) and each part's total is
    shown (everyone on the roll who voted, and who did not).

    A row tells about each of its parts: "6 of 6 voted" or "0 of 7" says what every one of
    them did, so a part of nobody counts as one person unless the whole row is nobody. The
    hidden rows together must hold at least ``threshold`` people in every part, or that part's
    total minus the shown rows would single them out ("the two hidden villages: 2 voted").
    """
    sizes = {key: _smallest_part(parts) for key, parts in rows.items()}
    small = {key for key, n in sizes.items() if 0 < n < threshold}
    width = max((len(parts) for parts in rows.values()), default=0)

    def protected(hidden: set[K]) -> bool:
        return len(hidden) >= 2 and all(
            sum(rows[key][i] for key in hidden) >= threshold for i in range(width)
        )

    return _suppressed(sizes, small, protected)


def _smallest_part(parts: Sequence[int]) -> int:
    if not sum(parts):
        return 0
    return max(1, min(parts))


def _suppressed(
    sizes: Mapping[K, int], small: set[K], protected: Callable[[set[K]], bool]
) -> set[K]:
    """Primary suppression of the small cells, then complementary suppression of the next
    smallest until the hidden cells are ``protected``; everything when that cannot be."""
    if not small:
        return set()
    if all(key in small or n == 0 for key, n in sizes.items()):
        # Only small groups have anyone: whatever is left shown would give them away.
        return set(sizes)
    hidden = set(small)
    while not protected(hidden):
        rest = [n for key, n in sizes.items() if key not in hidden and n > 0]
        if not rest:
            return set(sizes)
        least = min(rest)
        # Ties go together: hiding one of two equal cells would depend on their order.
        hidden |= {key for key, n in sizes.items() if key not in hidden and n == least}
    return hidden


def hide(counts: Mapping[K, int], threshold: int = SMALL_GROUP) -> dict[K, int | None]:
    """The counts of one breakdown as they may be shown: None where hidden."""
    hidden = cells_to_hide(counts, threshold)
    return {key: None if key in hidden else n for key, n in counts.items()}


def known_sum(shown: Mapping[K, int | None], keys: Collection[K], total: int) -> int | None:
    """The sum of ``keys``' cells if a reader can compute it from the shown cells and the
    breakdown's total (directly, or as the total minus all the other cells); None otherwise.

    A share whose numerator and denominator are both known sums tells nothing that is not
    shown already, so it may be shown; any other share would give a hidden cell back.
    """
    inside = [shown[key] for key in keys]
    if all(n is not None for n in inside):
        return sum(n for n in inside if n is not None)
    outside = [n for key, n in shown.items() if key not in keys]
    if all(n is not None for n in outside):
        return total - sum(n for n in outside if n is not None)
    return None
