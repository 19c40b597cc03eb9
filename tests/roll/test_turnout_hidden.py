"""Small groups really hidden on the turnout against the voter roll, and on the turnout page
council members see: every figure the page shows is read from its HTML, and the test tries to
work each hidden figure out (each table's total minus its shown rows, shares, the channels,
knowing the rule that hid them). It fails if a hidden figure could only have one value."""

from __future__ import annotations

import re

import pytest

from pb.disclosure import hide, rows_to_hide
from pb.extensions import db
from pb.models import Ballot, Channel, Electorate, Gender, Village
from tests import factories
from tests.results.test_small_groups_hidden import HIDDEN, blocks_of, compositions, number
from tests.roll.test_turnout import people, small_roll

ONLINE, CODE, PAPER = Channel.ONLINE, Channel.CODE, Channel.PAPER
F, M = Gender.FEMALE, Gender.MALE


def read_page(html: str) -> dict[str, dict[str, tuple[int, int] | None]]:
    """Table title → row → (voted, did not vote), or None where hidden; "total" holds the whole
    roll's row, "channels" the people by channel as (count, 0)."""
    tables: dict[str, dict[str, tuple[int, int] | None]] = {}
    heading = "total"
    for block in blocks_of(html):
        if block.kind == "h2":
            heading = block.text.strip()
        elif block.kind == "table":
            rows: dict[str, tuple[int, int] | None] = {}
            for label, *cells in block.rows[1:]:
                if cells == [HIDDEN]:
                    rows[label] = None
                elif len(cells) == 1:
                    n = number(cells[0])
                    rows[label] = None if n is None else (n, 0)
                else:
                    on_roll, voted, share = cells
                    r, v = number(on_roll), number(voted)
                    assert r is not None and v is not None
                    assert share == f"{round(100 * v / r)}%" if r else share == ""
                    rows[label] = (v, r - v)
            tables["channels" if heading == "By channel" else heading] = rows
    return tables


def work_out(tables: dict[str, dict[str, tuple[int, int] | None]]) -> list[str]:
    found = []
    total = tables["total"]["All villages"]
    if total is None:
        # With the total hidden, every group must be hidden too.
        for title, rows in tables.items():
            assert all(row is None or row == (0, 0) for row in rows.values()), title
        return found
    for title, rows in tables.items():
        if title == "total":
            continue
        hidden = [label for label, row in rows.items() if row is None]
        if not hidden:
            continue
        width = 1 if title == "channels" else 2
        left = [
            (total[0] if width == 1 else total[i])
            - sum(row[i] for row in rows.values() if row is not None)
            for i in range(width)
        ]
        could_be: dict[str, set[tuple[int, ...]]] = {label: set() for label in hidden}
        for voted in compositions(left[0], len(hidden)):
            for not_voted in compositions(left[1], len(hidden)) if width == 2 else [()]:
                parts = {
                    label: (voted[i], not_voted[i]) if width == 2 else (voted[i],)
                    for i, label in enumerate(hidden)
                }
                every = {
                    label: parts.get(label) or (row[:width] if row else ())
                    for label, row in rows.items()
                }
                if width == 2:
                    again = rows_to_hide(every)
                else:
                    again = {
                        k for k, n in hide({k: v[0] for k, v in every.items()}).items() if n is None
                    }
                if again != set(hidden):
                    continue
                for label in hidden:
                    could_be[label].add(parts[label])
        assert all(could_be.values()), f"the truth itself was ruled out: {title}"
        for label, values in could_be.items():
            for i in range(width):
                if len({v[i] for v in values}) < 2:
                    found.append(f"{title}: {label} part {i} = {next(iter(values))[i]}")
    return found


def roll_page(client, consultation_id: int) -> str:
    response = client.get(f"/c/{consultation_id}/roll-turnout")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def few_voters(world: factories.World) -> int:
    world.consultation.electorate = Electorate.ROLL
    db.session.commit()
    factories.open_voting(world.consultation)
    c = world.consultation
    people(world.village, 12, gender=F, born=1980, voted=[ONLINE] * 6, consultation=c)
    people(world.village, 10, gender=M, born=1990, voted=[CODE] * 5, consultation=c)
    people(c.villages[1], 2, gender=F, born=1950, voted=[PAPER], consultation=c)
    people(c.villages[1], 1, gender=M, born=2000, voted=[PAPER], consultation=c)
    return c.id


def across_villages(world: factories.World) -> int:
    world.consultation.electorate = Electorate.ROLL
    third = Village(name="Жаңы-Жол")
    world.municipality.villages.append(third)
    db.session.flush()
    world.consultation.villages = [*world.consultation.villages, third]
    db.session.commit()
    factories.open_voting(world.consultation)
    c = world.consultation
    first, second = c.villages[0], c.villages[1]
    people(first, 15, gender=F, born=1985, voted=[ONLINE] * 8 + [CODE] * 2, consultation=c)
    people(first, 14, gender=M, born=1975, voted=[ONLINE] * 6, consultation=c)
    people(second, 3, gender=F, born=1960, voted=[PAPER] * 3, consultation=c)
    people(second, 9, gender=M, born=2001, voted=[CODE] * 1, consultation=c)
    people(third, 6, gender=M, born=1940, voted=[ONLINE] * 6, consultation=c)
    people(third, 8, gender=F, born=1999, consultation=c)
    return c.id


@pytest.mark.parametrize(
    "make", [lambda w: small_roll(w).consultation.id, few_voters, across_villages]
)
def test_no_hidden_turnout_figure_can_be_worked_out_from_the_page(make, world, council_client):
    consultation_id = make(world)
    tables = read_page(roll_page(council_client, consultation_id))
    assert any(row is None for rows in tables.values() for row in rows.values())
    assert work_out(tables) == []


def test_the_attack_finds_what_hiding_one_group_alone_gives_away(
    world, council_client, monkeypatch
):
    """The attack is not toothless: with only the small groups hidden it finds them."""
    import pb.roll.turnout as turnout

    def only_small(rows):
        return {k for k, parts in rows.items() if sum(parts) and min(max(p, 1) for p in parts) < 5}

    monkeypatch.setattr(turnout, "rows_to_hide", only_small)
    consultation_id = few_voters(world)
    page = roll_page(council_client, consultation_id)
    monkeypatch.setattr("tests.roll.test_turnout_hidden.rows_to_hide", only_small)
    assert work_out(read_page(page))


# --- the turnout page ---------------------------------------------------------------------------


def test_council_members_see_ballots_by_channel_as_the_participation_page_does(
    world, council_client, officer_client
):
    c = world.consultation
    factories.open_voting(c)
    for channel, n in ((ONLINE, 12), (CODE, 7), (PAPER, 2)):
        for _ in range(n):
            db.session.add(Ballot(consultation_id=c.id, channel=channel))
    db.session.commit()
    council = council_client.get(f"/c/{c.id}/turnout").get_data(as_text=True)
    facts = dict(next(b for b in blocks_of(council) if b.kind == "dl").rows)
    assert facts["All ballots"] == "21"
    assert facts["Online, with an account"] == "12"
    # Paper (2) is hidden, and the code ballots beside it, with the codes used that tell them.
    assert facts["On paper, at village meetings"] == HIDDEN
    assert facts["With a code from a slip"] == HIDDEN
    assert "codes used" not in council
    assert "nor any figure they could be worked out from" in council
    # Officers enter every paper ballot themselves: their working page keeps the numbers.
    officer = officer_client.get(f"/c/{c.id}/turnout").get_data(as_text=True)
    facts = dict(next(b for b in blocks_of(officer) if b.kind == "dl").rows)
    assert facts["On paper, at village meetings"] == "2"
    assert re.search(r"With a code from a slip</dt><dd>7", officer)
