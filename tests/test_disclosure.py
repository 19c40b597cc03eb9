"""The rule that hides small groups (pb.disclosure), on its own: which cells it hides, and that
a reader who knows the rule and sees the rest cannot work any hidden cell out."""

from __future__ import annotations

import ast
import itertools
import random
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import pb.disclosure
from pb.disclosure import SMALL_GROUP, cells_to_hide, hide, known_sum, rows_to_hide


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to split ``total`` into ``parts`` numbers of 0 or more."""
    if parts == 0:
        return
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


def candidates(counts: Mapping[str, int]) -> dict[str, set[int]]:
    """What a reader who knows the rule can tell of each hidden cell: every value it could take
    in a breakdown with the same total and the same shown cells that the rule hides alike."""
    hidden = sorted(cells_to_hide(counts))
    together = sum(counts[key] for key in hidden)
    could_be: dict[str, set[int]] = {key: set() for key in hidden}
    for values in compositions(together, len(hidden)):
        other = {**counts, **dict(zip(hidden, values, strict=True))}
        if sorted(cells_to_hide(other)) == hidden:
            for key, value in zip(hidden, values, strict=True):
                could_be[key].add(value)
    return could_be


def row_candidates(rows: Mapping[str, tuple[int, int]]) -> dict[str, set[tuple[int, int]]]:
    """The same for turnout rows (voted, did not vote), each part's total being shown."""
    hidden = sorted(rows_to_hide(rows))
    voted = sum(rows[key][0] for key in hidden)
    not_voted = sum(rows[key][1] for key in hidden)
    could_be: dict[str, set[tuple[int, int]]] = {key: set() for key in hidden}
    for yes in compositions(voted, len(hidden)):
        for no in compositions(not_voted, len(hidden)):
            other = {**rows, **{k: (y, n) for k, y, n in zip(hidden, yes, no, strict=True)}}
            if sorted(rows_to_hide(other)) == hidden:
                for key, y, n in zip(hidden, yes, no, strict=True):
                    could_be[key].add((y, n))
    return could_be


def pinned(could_be: Mapping[str, set[int]]) -> list[str]:
    return [key for key, values in could_be.items() if len(values) < 2]


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"a": 10, "b": 7, "c": 0}, set()),
        # One small group alone would be the total minus the others: the next smallest goes too.
        ({"a": 10, "b": 7, "c": 2}, {"b", "c"}),
        ({"a": 10, "b": 3, "c": 2}, {"b", "c"}),
        # Two groups of 1: their sum, 2, would give both (a hidden group is never 0).
        ({"a": 20, "b": 1, "c": 1}, {"a", "b", "c"}),
        ({"a": 20, "b": 9, "c": 1, "d": 1}, {"b", "c", "d"}),
        # Two groups of 4: their sum, 8, would give both (a small group holds 4 at most).
        ({"a": 20, "b": 6, "c": 4, "d": 4}, {"b", "c", "d"}),
        # Equal groups go together, whatever their order.
        ({"a": 7, "b": 7, "c": 2, "d": 30}, {"a", "b", "c"}),
        # A group of nobody is shown, unless only small groups have anyone.
        ({"a": 0, "b": 3, "c": 9}, {"b", "c"}),
        ({"a": 0, "b": 3, "c": 0}, {"a", "b", "c"}),
        ({"a": 1, "b": 1, "c": 1}, {"a", "b", "c"}),
        ({"a": 0, "b": 0}, set()),
        ({}, set()),
    ],
)
def test_which_cells_are_hidden(counts, hidden):
    assert cells_to_hide(counts) == hidden
    assert hide(counts) == {k: None if k in hidden else n for k, n in counts.items()}


def test_the_threshold_is_the_one_set_for_every_figure():
    assert SMALL_GROUP == 5
    assert cells_to_hide({"a": 20, "b": 5, "c": 6}) == set()
    assert cells_to_hide({"a": 20, "b": 5, "c": 6}, threshold=6) == {"b", "c"}


def test_the_rule_does_not_depend_on_the_order_of_the_groups():
    counts = {"a": 7, "b": 7, "c": 2, "d": 30, "e": 0}
    for order in itertools.permutations(counts):
        assert cells_to_hide({key: counts[key] for key in order}) == {"a", "b", "c"}


def breakdowns(cells: int, largest: int) -> Iterator[dict[str, int]]:
    for values in itertools.product(range(largest + 1), repeat=cells):
        yield {f"g{i}": n for i, n in enumerate(values)}


@pytest.mark.parametrize(("cells", "largest"), [(2, 13), (3, 12), (4, 7)])
def test_no_hidden_cell_can_be_worked_out_by_someone_who_knows_the_rule(cells, largest):
    for counts in breakdowns(cells, largest):
        could_be = candidates(counts)
        assert not pinned(could_be), (counts, could_be)
        # The shown cells, the total and the rule are consistent with the truth, of course.
        for key, values in could_be.items():
            assert counts[key] in values


def test_no_hidden_cell_can_be_worked_out_in_larger_random_breakdowns():
    rng = random.Random(15)
    for _ in range(400):
        cells = rng.randint(2, 6)
        counts = {f"g{i}": rng.choice([0, 1, 1, 2, 3, 4, 4, 5, 6, 9, 14]) for i in range(cells)}
        assert not pinned(candidates(counts)), counts


@pytest.mark.parametrize(
    ("rows", "hidden"),
    [
        # 1 of 1 voted tells that she voted; 0 of 1 that she did not.
        ({"a": (1, 0), "b": (10, 20), "c": (20, 20)}, {"a", "b"}),
        ({"a": (0, 1), "b": (10, 20), "c": (20, 20)}, {"a", "b"}),
        # 6 of 6, or 0 of 7, tells what each of them did.
        ({"a": (6, 0), "b": (10, 20), "c": (20, 20)}, {"a", "b"}),
        ({"a": (0, 7), "b": (10, 20), "c": (20, 20)}, {"a", "b"}),
        # Two hidden villages holding one voter between them would still tell of her.
        ({"a": (1, 7), "b": (0, 8), "c": (11, 9)}, {"a", "b", "c"}),
        ({"a": (30, 25), "b": (10, 20)}, set()),
        ({"a": (5, 5), "b": (0, 0)}, set()),
    ],
)
def test_which_turnout_rows_are_hidden(rows, hidden):
    assert rows_to_hide(rows) == hidden


def test_no_hidden_turnout_row_can_be_worked_out_by_someone_who_knows_the_rule():
    rng = random.Random(15)
    part = [0, 0, 1, 1, 2, 3, 4, 5, 6, 8]
    tried = 0
    while tried < 150:
        rows = {key: (rng.choice(part), rng.choice(part)) for key in "abc"}
        voted = sum(r[0] for r in rows.values())
        not_voted = sum(r[1] for r in rows.values())
        if voted < SMALL_GROUP or not_voted < SMALL_GROUP or not rows_to_hide(rows):
            continue  # a total that small is hidden itself, and every row with it
        tried += 1
        for key, values in row_candidates(rows).items():
            assert len({y for y, _n in values}) > 1, (rows, key, values)
            assert len({n for _y, n in values}) > 1, (rows, key, values)


def test_a_share_is_shown_only_when_both_its_terms_can_be_computed_from_what_is_shown():
    shown = {"female": 12, "male": 9, "": None, "other": None}
    assert known_sum(shown, ["female"], 25) == 12
    # Those who gave their gender: female, male and the hidden "other": not known.
    assert known_sum(shown, ["female", "male", "other"], 25) is None
    # Both hidden cells together are the total minus the rest.
    assert known_sum(shown, ["", "other"], 25) == 4
    assert known_sum({"a": None, "b": None}, ["a", "b"], 7) == 7
    assert known_sum({"a": None, "b": None}, ["a"], 7) is None


def test_the_rule_is_pure_python():
    """The rule can be read and checked on its own: no Flask, no database."""
    tree = ast.parse(Path(pb.disclosure.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "collections.abc", "typing"}
