"""Small groups really hidden: for several small worlds, take every figure that the participation
page, the protocol and the participation exports (CSV, XLSX) show, as a reader gets them (parsed
from the HTML, the CSV and the XLSX, never from pb's own objects), and try to work every hidden
figure out of them: from the totals minus the shown cells, from shares times totals, from the
bars, from what another table or another document shows, and knowing the rule that hid them.
The test fails if any hidden figure could only have one value."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from html.parser import HTMLParser

import openpyxl
import pytest

from pb.disclosure import hide
from pb.extensions import db
from pb.models import (
    Channel,
    Gender,
    Meeting,
    Phase,
    PopulationFigures,
    ProposalStatus,
    Village,
)
from pb.results.counting import count_and_store
from tests import factories

HIDDEN = "too few to show"
VOTERS, PROPOSALS = "Voters", "Proposals"
GENDER, AGE, VILLAGE, CHANNEL = "By gender", "By age group", "By village", "By channel"
NOT_GIVEN = "Not given"
YOUNG = ("14–17", "18–35")  # the bands within YOUTH_AGES (14 to 35)

# --- reading what is shown -----------------------------------------------------------------


@dataclass
class Block:
    """A heading, a table or a chart of a page, in the order they come."""

    kind: str  # "h1".."h3", "table", "figure" (a chart), "dl"
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    bars: list[float] = field(default_factory=list)  # widths of the chart's bars
    hidden_labels: int = 0  # "too few to show" written in the chart
    #: The chart's rows as a reader reads them: (name, number or "too few to show").
    bar_rows: list[list[str]] = field(default_factory=list)


BLOCKS = ("h1", "h2", "h3", "table", "figure", "dl")


class Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[Block] = []
        self._block: Block | None = None
        self._cell: list[str] | None = None
        self._in_text = False
        self._hidden_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in BLOCKS:
            self._block = Block(tag)
            self.blocks.append(self._block)
        elif tag == "tr" and self._block and self._block.kind == "table":
            self._block.rows.append([])
        elif tag in ("th", "td", "dt", "dd") and self._block:
            self._cell = []
            if tag == "dt":
                self._block.rows.append([])
        elif tag == "li" and self._block and self._block.kind == "figure":
            self._block.bar_rows.append([])
            self._hidden_row = "bar-row-hidden" in (a.get("class") or "").split()
        elif tag == "rect" and self._block and self._block.kind == "figure":
            if "bar" in (a.get("class") or "").split():
                self._block.bars.append(float(a["width"] or 0))
            assert not self._hidden_row, "a hidden figure drawn as a bar"
        elif tag == "span" and self._block and self._block.kind == "figure":
            classes = (a.get("class") or "").split()
            if {"bar-name", "bar-number"} & set(classes):
                self._cell = []
            if "bar-hidden" in classes:
                self._in_text = True

    def handle_endtag(self, tag: str) -> None:
        if self._block is None:
            return
        if tag in ("th", "td", "dt", "dd") and self._cell is not None:
            if self._block.rows:
                self._block.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "span" and self._block.kind == "figure" and self._cell is not None:
            # A name's or a number's span ends at the first </span>: the hidden box within a
            # number holds only its words.
            text = " ".join("".join(self._cell).split())
            if self._in_text and text == HIDDEN:
                self._block.hidden_labels += 1
            self._block.bar_rows[-1].append(text)
            self._in_text = False
            self._cell = None
        elif tag in BLOCKS:
            self._block = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._block is not None and self._block.kind.startswith("h"):
            self._block.text += data


def blocks_of(html: str) -> list[Block]:
    parser = Blocks()
    parser.feed(html)
    return parser.blocks


def number(text: str) -> int | None:
    """A shown count, or None when hidden; anything else is a bug of the page."""
    if text == HIDDEN:
        return None
    assert re.fullmatch(r"[\d,]+", text), text
    return int(text.replace(",", ""))


def percent(text: str) -> tuple[Fraction, Fraction] | None:
    """The interval a whole percentage stands for, or None when hidden."""
    if text in ("", HIDDEN, "not entered"):
        return None
    match = re.fullmatch(r"(\d+)%", text)
    assert match, text
    p = Fraction(int(match.group(1)), 100)
    return p - Fraction(1, 200), p + Fraction(1, 200)


@dataclass
class Seen:
    """Everything a reader gets from all the documents, merged."""

    totals: dict[str, int] = field(default_factory=dict)
    #: (who, dimension, group) → the count shown, or None where it is hidden.
    cells: dict[tuple[str, str, str], int | None] = field(default_factory=dict)
    #: (who, dimension, group) → the interval of its share of the total.
    cell_shares: dict[tuple[str, str, str], tuple[Fraction, Fraction]] = field(default_factory=dict)
    #: ("Women"/"Young", who) → the interval of its share among those who said.
    shares: dict[tuple[str, str], tuple[Fraction, Fraction]] = field(default_factory=dict)
    #: A figure hidden somewhere and shown elsewhere: given away at once.
    given_away: list[str] = field(default_factory=list)

    def total(self, who: str, n: int) -> None:
        assert self.totals.setdefault(who, n) == n, (who, n, self.totals)

    def cell(self, key: tuple[str, str, str], n: int | None) -> None:
        if key in self.cells and self.cells[key] != n:
            if None in (self.cells[key], n):
                self.given_away.append(
                    f"{key}: hidden in one place, {self.cells[key] or n} in another"
                )
            else:
                raise AssertionError((key, n, self.cells[key]))
        if n is not None or key not in self.cells:
            self.cells[key] = n

    def share(self, key: tuple[str, str], interval: tuple[Fraction, Fraction] | None) -> None:
        if interval is not None:
            self.shares[key] = interval


def read_participation_page(html: str, seen: Seen) -> None:
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    match = re.search(r"(\d+) voters? · (\d+) proposals?", text)
    assert match, "the page says how many voted"
    seen.total(VOTERS, int(match.group(1)))
    seen.total(PROPOSALS, int(match.group(2)))
    who = dimension = trait = None
    rows: list[list[str]] = []
    for block in blocks_of(html):
        if block.kind == "h2":
            who = {"Voters": VOTERS, "Proposals": PROPOSALS}.get(block.text.strip())
        elif block.kind == "h3":
            dimension = block.text.strip()
            trait = {"Women": "Women", "Young people (14 to 35)": "Young"}.get(dimension)
        elif block.kind == "table" and trait:
            for label, *values in block.rows[1:]:
                side = {"Among voters": VOTERS, "Among proposers": PROPOSALS}.get(label)
                if side:
                    seen.share((trait, side), percent(values[0]))
        elif block.kind == "table" and who and dimension:
            rows = block.rows[1:]
            for label, count, share in rows:
                n = number(count)
                seen.cell((who, dimension, label), n)
                if share:
                    assert n is not None, "a share shown for a hidden figure"
                    interval = percent(share)
                    assert interval is not None
                    seen.cell_shares[(who, dimension, label)] = interval
        elif block.kind == "figure" and who and dimension and not trait:
            shown = [number(count) for _label, count, _share in rows]
            # One bar per shown figure, none for a hidden one, which is said in words.
            assert len(block.bars) == len([n for n in shown if n is not None])
            assert block.hidden_labels == shown.count(None)
            top = max((n for n in shown if n is not None), default=0)
            for width, n in zip(block.bars, [n for n in shown if n is not None], strict=True):
                assert width == max(round(n / top * 100, 1), 0.5), "a bar's length tells no more"
            # Each bar names its group and says its number, as the table does.
            assert block.bar_rows == [[label, count] for label, count, _share in rows]


def read_protocol(html: str, seen: Seen) -> None:
    blocks = blocks_of(html)
    facts = next(b for b in blocks if b.kind == "dl")
    channels = {
        "Online, with an account": "Online, with an account",
        "With a code from a slip": "With a code from a slip",
        "On paper, at village meetings": "On paper, at village meetings",
    }
    for label, value in facts.rows:
        if label == "Ballots counted":
            seen.total(VOTERS, number(value) or 0)
        elif label in channels:
            seen.cell((VOTERS, CHANNEL, channels[label]), number(value))
    heading = None
    for block in blocks:
        if block.kind == "h2":
            heading = block.text.strip()
        elif block.kind == "table" and heading == "Who took part":
            for label, among_voters, among_proposers, _population in block.rows[1:]:
                trait = {"Women": "Women", "Young people (14 to 35)": "Young"}[label]
                seen.share((trait, VOTERS), percent(among_voters))
                seen.share((trait, PROPOSALS), percent(among_proposers))


def read_export(rows: list[list[object]], seen: Seen) -> None:
    assert rows[0] == ["Who", "Grouped by", "Group", "Number", "Share"]
    for who, dimension, group, count, share in rows[1:]:
        n = None if count == HIDDEN else int(str(count))
        key = (str(who), str(dimension), str(group))
        seen.cell(key, n)
        if share not in ("", None):
            assert n is not None, "a share exported for a hidden figure"
            # Exported to four decimals.
            s = Fraction(str(share))
            seen.cell_shares[key] = (s - Fraction(1, 20000), s + Fraction(1, 20000))


# --- working hidden figures out ----------------------------------------------------------


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    if parts == 0:
        if total == 0:
            yield ()
        return
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


def within(value: Fraction, interval: tuple[Fraction, Fraction]) -> bool:
    return interval[0] <= value <= interval[1]


def work_out(seen: Seen, groups: dict[tuple[str, str], list[str]], rule=hide) -> list[str]:
    """Every hidden figure that has only one possible value, given everything seen and the
    rule; ``groups`` lists every group of each breakdown, as anyone knows them (the villages,
    the genders, the age bands, the channels)."""
    found = list(seen.given_away)
    for (who, dimension), labels in groups.items():
        total = seen.totals[who]
        shown = {g: seen.cells.get((who, dimension, g), 0) for g in labels}
        hidden = [g for g, n in shown.items() if n is None]
        if not hidden:
            assert sum(n or 0 for n in shown.values()) == total
            continue
        rest = total - sum(n for n in shown.values() if n is not None)
        could_be: dict[str, set[int]] = {g: set() for g in hidden}
        for values in compositions(rest, len(hidden)):
            counts = {g: n or 0 for g, n in shown.items()} | dict(zip(hidden, values, strict=True))
            if {g for g, n in rule(counts).items() if n is None} != set(hidden):
                continue  # the rule would not have hidden these
            if not all(
                within(Fraction(counts[g], total), seen.cell_shares[(who, dimension, g)])
                for g in labels
                if (who, dimension, g) in seen.cell_shares
            ):
                continue
            said = total - counts[NOT_GIVEN]
            trait = {GENDER: ("Women", ["Woman"]), AGE: ("Young", list(YOUNG))}.get(dimension)
            if trait and (trait[0], who) in seen.shares:
                if not said:
                    continue
                part = Fraction(sum(counts[g] for g in trait[1]), said)
                if not within(part, seen.shares[(trait[0], who)]):
                    continue
            for g, value in zip(hidden, values, strict=True):
                could_be[g].add(value)
        assert all(could_be.values()), f"the truth itself was ruled out: {who} {dimension}"
        found += [
            f"{who} {dimension} {g} = {next(iter(v))}" for g, v in could_be.items() if len(v) < 2
        ]
    return found


# --- the worlds ----------------------------------------------------------------------------

F, M = Gender.FEMALE, Gender.MALE
ONLINE, CODE, PAPER = Channel.ONLINE, Channel.CODE, Channel.PAPER

#: (how many, gender, age group, village index, channel) per kind of voter; and the proposers:
#: (how many, gender, age group, village index, at a meeting).
WORLDS = {
    # The page: women (9) hidden beside the 2 who gave no gender, above "45 %".
    "women hidden beside a small group": (
        [(9, F, "18-35", 0, ONLINE), (11, M, "36-59", 0, ONLINE), (2, None, None, 1, CODE)],
        [(6, F, "18-35", 0, False), (6, M, "36-59", 1, False)],
    ),
    "few voters": (
        [(1, F, "18-35", 0, ONLINE), (1, M, "60+", 1, PAPER), (1, None, None, 0, CODE)],
        [(1, F, "36-59", 0, False)],
    ),
    "one small group": (
        [
            (9, F, "18-35", 0, ONLINE),
            (3, F, "36-59", 0, CODE),
            (11, M, "36-59", 0, ONLINE),
            (2, M, "60+", 1, PAPER),
        ],
        [(6, F, "18-35", 0, False), (7, M, "36-59", 0, True), (1, F, "60+", 1, False)],
    ),
    "two small groups": (
        [
            (20, M, "36-59", 0, ONLINE),
            (1, F, "60+", 1, CODE),
            (1, None, "14-17", 1, PAPER),
            (6, M, "18-35", 0, CODE),
        ],
        [(8, M, "36-59", 0, False), (1, F, "14-17", 1, True), (1, None, None, 1, True)],
    ),
    "zero in a group": (
        [(12, M, "36-59", 0, ONLINE), (3, None, "18-35", 0, ONLINE), (6, M, "60+", 1, CODE)],
        [(5, M, "36-59", 0, False), (5, M, "18-35", 1, False)],
    ),
    "groups across villages": (
        [
            (8, F, "18-35", 0, ONLINE),
            (7, M, "36-59", 0, ONLINE),
            (2, F, "36-59", 1, PAPER),
            (1, M, "60+", 1, PAPER),
            (1, F, "18-35", 2, CODE),
            (6, M, "18-35", 2, CODE),
            (4, F, "60+", 2, ONLINE),
        ],
        [(4, F, "18-35", 0, False), (4, F, "36-59", 1, True), (9, M, "18-35", 2, False)],
    ),
}


def build(world: factories.World, voters: list, proposers: list) -> None:
    c = world.consultation
    third = Village(name="Жаңы-Жол")
    world.municipality.villages.append(third)
    db.session.flush()
    c.villages = [*c.villages, third]
    villages = [*c.villages]
    db.session.add(
        PopulationFigures(municipality_id=world.municipality.id, adults=1000, women=520, youth=400)
    )
    # The proposals on the ballot are entered by staff, without details of a proposer.
    proposals = factories.open_voting(c)
    meetings: dict[int, Meeting] = {}
    for n, gender, age, village, at_meeting in proposers:
        if at_meeting and village not in meetings:
            meetings[village] = Meeting(
                consultation_id=c.id, village_id=villages[village].id, held_on=date(2026, 3, 1)
            )
            db.session.add(meetings[village])
            db.session.flush()
        for _ in range(n):
            factories.make_proposal(
                c,
                status=ProposalStatus.REJECTED,
                proposer_gender=gender,
                proposer_age_group=age,
                village_id=villages[village].id,
                meeting_id=meetings[village].id if at_meeting else None,
            )
    for n, gender, age, village, channel in voters:
        for i in range(n):
            factories.make_ballot(
                c,
                channel=channel,
                choices=[(proposals[i % 4].id, 1)],
                gender=gender,
                age_group=age,
                village_id=villages[village].id,
            )
    c.phase = Phase.CLOSED
    factories.seal_ballots(c)
    count_and_store(c)
    db.session.commit()


def groups_of(world: factories.World) -> dict[tuple[str, str], list[str]]:
    villages = [v.name for v in world.consultation.villages]
    ages = ["14–17", "18–35", "36–59", "60+", NOT_GIVEN]
    genders = ["Woman", "Man", NOT_GIVEN]
    return {
        (VOTERS, GENDER): genders,
        (VOTERS, AGE): ages,
        (VOTERS, VILLAGE): [*villages, NOT_GIVEN],
        (VOTERS, CHANNEL): [
            "Online, with an account",
            "With a code from a slip",
            "On paper, at village meetings",
            NOT_GIVEN,
        ],
        (PROPOSALS, GENDER): genders,
        (PROPOSALS, AGE): ages,
        (PROPOSALS, VILLAGE): [*villages, NOT_GIVEN],
        (PROPOSALS, CHANNEL): ["Online, with an account", "At village meetings", NOT_GIVEN],
    }


def everything_shown(client, consultation_id: int) -> Seen:
    seen = Seen()
    page = client.get(f"/c/{consultation_id}/participation")
    assert page.status_code == 200
    read_participation_page(page.get_data(as_text=True), seen)
    protocol = client.get(f"/c/{consultation_id}/protocol")
    assert protocol.status_code == 200
    read_protocol(protocol.get_data(as_text=True), seen)
    exported = client.get(f"/c/{consultation_id}/export/participation.csv").get_data(as_text=True)
    read_export(list(csv.reader(io.StringIO(exported.lstrip("\ufeff")))), seen)
    xlsx = client.get(f"/c/{consultation_id}/export/participation.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).active
    assert sheet is not None
    read_export(
        [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)], seen
    )
    return seen


@pytest.mark.parametrize("name", list(WORLDS))
def test_no_hidden_figure_can_be_worked_out_from_the_page_protocol_and_exports(
    name, world, council_client
):
    voters, proposers = WORLDS[name]
    build(world, voters, proposers)
    seen = everything_shown(council_client, world.consultation.id)
    assert any(n is None for n in seen.cells.values()), "the world has something to hide"
    assert work_out(seen, groups_of(world)) == []


def test_the_attack_finds_what_the_old_rule_gave_away(world, council_client, monkeypatch):
    """The attack is not toothless: with only one group hidden per table (no complementary
    suppression) it works the hidden figures out."""
    import pb.results.participation as participation

    def only_small(counts):
        return {k: None if 0 < n < 5 else n for k, n in counts.items()}

    monkeypatch.setattr(participation, "hide", only_small)
    voters, proposers = WORLDS["one small group"]
    build(world, voters, proposers)
    seen = everything_shown(council_client, world.consultation.id)
    found = work_out(seen, groups_of(world), rule=only_small)
    assert "Voters By age group 60+ = 2" in found, found
    assert "Voters By village Кара-Булак = 2" in found, found


def test_the_page_says_why_figures_are_hidden(world, council_client):
    voters, proposers = WORLDS["one small group"]
    build(world, voters, proposers)
    page = council_client.get(f"/c/{world.consultation.id}/participation").get_data(as_text=True)
    assert "neither is any other figure they could be worked out from" in page
    protocol = council_client.get(f"/c/{world.consultation.id}/protocol").get_data(as_text=True)
    assert "nor any figure they could be worked out from" in protocol


def test_women_hidden_in_the_table_have_no_share_shown_either(world, council_client):
    voters, proposers = WORLDS["women hidden beside a small group"]
    build(world, voters, proposers)
    seen = everything_shown(council_client, world.consultation.id)
    assert seen.cells[(VOTERS, GENDER, "Woman")] is None
    assert seen.cells[(VOTERS, GENDER, "Man")] == 11
    # 9 of 20 who said would be 45 %: it is not shown anywhere, nor is any share of the women.
    assert ("Women", VOTERS) not in seen.shares
    page = council_client.get(f"/c/{world.consultation.id}/participation").get_data(as_text=True)
    assert "45%" not in page
