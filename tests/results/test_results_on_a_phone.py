"""Results a reader can use on a phone: tables whose every value names its column (the stacked
layout shows it), charts whose bars name their group and give their number, hidden groups drawn
as hidden, each proposal's page saying whether it was funded and why, and an Equal Shares
explanation whose numbers add up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import render_template_string
from flask_babel import force_locale

from pb.extensions import db
from pb.i18n import NBSP
from pb.models import Phase, ProposalStatus
from pb.results.counting import count_and_store
from tests import factories
from tests.results.test_results import add_ballot, publish


@pytest.fixture
def counted(world):
    """As in test_results: budget 1,000,000; 400k (5 votes), 300k (4), 250k (3), 100k (1).
    Greedy funds the first three (950,000) and skips the last, which no longer fits."""
    c = world.consultation
    p1, p2, p3, p4 = factories.open_voting(c)
    for chosen in [(p1, p2)] * 4 + [(p1, p3), (p3,), (p3, p4)]:
        add_ballot(c, *chosen)
    c.phase = Phase.CLOSED
    count_and_store(c)  # as closing voting does
    db.session.commit()
    return c, (p1, p2, p3, p4)


# --- reading pages as a reader gets them ---------------------------------------------------


@dataclass
class Table:
    classes: list[str]
    headers: list[str] = field(default_factory=list)
    #: Per body row: (the row header's text, [(data-label, text) per cell]).
    rows: list[tuple[str, list[tuple[str | None, str]]]] = field(default_factory=list)


@dataclass
class Chart:
    classes: list[str]
    #: Per bar: name, number text (or the hidden box's words), note, whether drawn hidden.
    rows: list[dict[str, object]] = field(default_factory=list)
    bars: list[tuple[str, float]] = field(default_factory=list)  # (class, width) per rect


class Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self.charts: list[Chart] = []
        self._table: Table | None = None
        self._chart: Chart | None = None
        self._text: list[str] | None = None
        self._where = ""
        self._label: str | None = None
        self._in_head = False
        self._depth = 0  # spans open inside the current chart text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "table":
            self._table = Table(classes)
            self.tables.append(self._table)
        elif tag == "thead":
            self._in_head = True
        elif self._table and tag == "tr" and not self._in_head:
            self._table.rows.append(("", []))
        elif self._table and tag in ("th", "td"):
            self._text, self._where, self._label = [], tag, a.get("data-label")
            if tag == "th" and a.get("scope") == "col":
                self._where = "col"
        elif tag == "figure" and "chart" in classes:
            self._chart = Chart(classes)
            self.charts.append(self._chart)
        elif self._chart and tag == "li":
            self._chart.rows.append({"hidden": "bar-row-hidden" in classes, "note": ""})
        elif self._chart and tag == "rect":
            self._chart.bars.append((a.get("class") or "", float(a.get("width") or 0)))
            assert not self._chart.rows[-1]["hidden"], "a hidden figure drawn as a bar"
        elif self._chart and tag == "span":
            if self._text is not None:
                self._depth += 1
            for name in ("bar-name", "bar-number", "bar-note"):
                if name in classes:
                    self._text, self._where, self._depth = [], name, 0

    def _flush_chart(self) -> None:
        assert self._chart is not None and self._text is not None
        text = " ".join("".join(self._text).replace(NBSP, " ").split())
        key = {"bar-name": "name", "bar-number": "number", "bar-note": "note"}[self._where]
        self._chart.rows[-1][key] = text
        self._text = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "thead":
            self._in_head = False
        elif self._table and tag in ("th", "td") and self._text is not None:
            text = " ".join("".join(self._text).replace(NBSP, " ").split())
            if self._where == "col":
                self._table.headers.append(text)
            elif self._where == "th":
                self._table.rows[-1] = (text, self._table.rows[-1][1])
            else:
                self._table.rows[-1][1].append((self._label, text))
            self._text = None
        elif tag == "figure":
            self._chart = None
        elif self._chart and tag == "span" and self._text is not None:
            if self._depth:
                self._depth -= 1
            else:
                self._flush_chart()

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def read(html: str) -> Reader:
    reader = Reader()
    reader.feed(html)
    return reader


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace(NBSP, " ").split())


# --- tables ----------------------------------------------------------------------------------


def test_every_value_of_the_results_tables_names_its_column(council_client, counted):
    """On a phone each row is a card: every value shows its column's name (data-label), so
    the reason a proposal was not funded reads in full under "Why"."""
    consultation, _ = counted
    html = council_client.get(f"/c/{consultation.id}/results").get_data(as_text=True)
    stacked = [t for t in read(html).tables if "stack" in t.classes]
    assert len(stacked) == 3  # funded, not funded, whom the budget serves
    for table in stacked:
        assert table.rows
        for _header, cells in table.rows:
            assert [label for label, _text in cells] == table.headers[1:]
    unfunded = stacked[1]
    (title, cells), *_ = unfunded.rows
    assert dict(cells)["Why"] == "When its turn came only 50,000 som was left, less than its cost."
    assert 'class="reason"' in html


def test_what_women_and_young_people_chose_is_stacked_too(app):
    with app.test_request_context(), force_locale("en"):
        html = render_template_string(
            '{% include "results/_chosen_by.html" %}',
            figures=_Figures([_Chosen("Water", 12, None, 7)]),
        )
    table = next(t for t in read(html).tables if "stack" in t.classes)
    assert table.headers == ["Proposal", "Ballots", "Women", "Young people"]
    for _header, cells in table.rows:
        assert [label for label, _ in cells] == ["Ballots", "Women", "Young people"]

    assert [text for _label, text in table.rows[0][1]] == ["12", "too few to show", "7"]


@dataclass
class _Chosen:
    title: str
    ballots: int
    women: int | None
    young: int | None


@dataclass
class _Figures:
    chosen_by: list[_Chosen]


# --- charts ----------------------------------------------------------------------------------


def test_the_results_chart_names_each_bar_and_gives_its_votes(council_client, counted):
    consultation, (p1, p2, p3, p4) = counted
    html = council_client.get(f"/c/{consultation.id}/results").get_data(as_text=True)
    chart = next(c for c in read(html).charts if "results-chart" in c.classes)
    assert [(r["name"], r["number"], r["note"]) for r in chart.rows] == [
        (p1.title, "5", "funded"),
        (p2.title, "4", "funded"),
        (p3.title, "3", "funded"),
        (p4.title, "1", "not funded"),
    ]
    # Bars as long as the votes, the longest the most votes; grey for the one not funded.
    assert chart.bars == [("bar", 100.0), ("bar", 80.0), ("bar", 60.0), ("bar-muted", 20.0)]
    # Not hidden from screen readers: the names and numbers are text, only the bars are not.
    assert 'aria-hidden="true"' not in html.split('class="chart results-chart"')[1].split("<svg")[0]


def render(source: str, **context: object) -> str:
    with force_locale("en"):
        return render_template_string(
            '{% from "macros/charts.html" import bars, versus %}' + source, **context
        )


def test_a_hidden_group_is_drawn_as_hidden_never_as_a_bar(app):
    with app.test_request_context():
        html = render(
            "{{ bars(rows, names, 'By village') }}",
            rows=[("1", 12), ("2", None), ("3", 6), ("", None)],
            names={"1": "Ак-Суу", "2": "Кара-Булак", "3": "Тегизчил", "": "Not given"},
        )
    (chart,) = read(html).charts
    assert [(r["name"], r["number"], r["hidden"]) for r in chart.rows] == [
        ("Ак-Суу", "12", False),
        ("Кара-Булак", "too few to show", True),
        ("Тегизчил", "6", False),
        ("Not given", "too few to show", True),
    ]
    # Two bars for the two shown figures, none for the hidden ones (checked by the reader too).
    assert chart.bars == [("bar", 100.0), ("bar", 50.0)]
    assert html.count('class="bar-hidden"') == 2
    assert "<figcaption" in html and "By village" in html


def test_a_chart_of_only_hidden_groups_draws_no_bar(app):
    with app.test_request_context():
        html = render("{{ bars(rows) }}", rows=[("female", None), ("male", None)])
    (chart,) = read(html).charts
    assert chart.bars == [] and all(r["hidden"] for r in chart.rows)


def test_a_share_against_the_population_gives_both_numbers_or_says_why_not(app):
    with app.test_request_context():
        shown = render("{{ versus(0.52, 0.5, 'Among voters', 'In the population') }}")
        hidden = render("{{ versus(none, none, 'Among voters', 'In the population') }}")
    (chart,) = read(shown).charts
    assert [(r["name"], r["number"]) for r in chart.rows] == [
        ("Among voters", "52%"),
        ("In the population", "50%"),
    ]
    assert chart.bars == [("bar", 52.0), ("bar", 50.0)]
    (chart,) = read(hidden).charts
    assert [(r["name"], r["number"], r["hidden"]) for r in chart.rows] == [
        ("Among voters", "too few to show", True),
        ("In the population", "not entered", True),
    ]
    # Never a full track standing for a hidden share.
    assert chart.bars == [] and "bar-track" not in hidden


# --- each proposal's page --------------------------------------------------------------------


def test_a_proposals_page_says_it_was_not_funded_and_why(council_client, counted):
    consultation, (p1, _p2, _p3, p4) = counted
    results = read(council_client.get(f"/c/{consultation.id}/results").get_data(as_text=True))
    why = dict(results.tables[1].rows[0][1])["Why"]
    page = plain(council_client.get(f"/p/{p4.id}").get_data(as_text=True))
    assert "This proposal was not funded." in page
    assert f"Why it was not funded {why}" in page
    assert "Not yet published" in page
    funded = plain(council_client.get(f"/p/{p1.id}").get_data(as_text=True))
    assert "This proposal was funded." in funded and "not funded" not in funded


def test_a_proposals_page_tells_residents_only_once_results_are_published(
    app,
    officer_client,
    resident_client,
    counted,
):
    consultation, (_p1, _p2, _p3, p4) = counted
    for client in (resident_client, app.test_client()):
        page = client.get(f"/p/{p4.id}").get_data(as_text=True)
        assert "Result of the vote" not in page and "not funded" not in page
    publish(officer_client, consultation)
    for client in (resident_client, app.test_client()):
        page = plain(client.get(f"/p/{p4.id}").get_data(as_text=True))
        assert "This proposal was not funded." in page
        assert "When its turn came only 50,000 som was left" in page
        assert "Not yet published" not in page


def test_a_proposal_not_on_the_ballot_has_no_result(council_client, counted, world):
    consultation, _ = counted
    rejected = factories.make_proposal(
        consultation, status=ProposalStatus.REJECTED, rejection_reason="Not ours to fund."
    )
    db.session.commit()
    page = council_client.get(f"/p/{rejected.id}").get_data(as_text=True)
    assert "Result of the vote" not in page and "Not ours to fund." in page


def test_a_proposals_page_reads_the_stored_result_and_writes_nothing(
    council_client,
    counted,
    count_queries,
):
    consultation, (p1, *_rest) = counted
    with count_queries() as counter:
        assert council_client.get(f"/p/{p1.id}").status_code == 200
    assert not [s for s in counter.statements if "ballots.choices" in s]
    assert not [s for s in counter.statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]


def test_a_proposal_page_in_russian_and_kyrgyz_says_why(council_client, counted):
    consultation, (_p1, _p2, _p3, p4) = counted
    for locale, verdict in (
        ("ru", "Это предложение не финансируется."),
        ("ky", "Бул сунуш каржыланбайт."),
    ):
        council_client.post("/language", data={"locale": locale})
        page = plain(council_client.get(f"/p/{p4.id}").get_data(as_text=True))
        assert verdict in page
        assert "50 000" in page


# --- the Equal Shares explanation ------------------------------------------------------------


@pytest.fixture
def equal_shares(counted):
    consultation, proposals = counted
    consultation.counting_rule = "equal-shares"
    db.session.commit()
    return consultation, proposals


def test_equal_shares_results_say_how_the_budget_was_shared(council_client, equal_shares):
    consultation, _ = equal_shares
    page = plain(council_client.get(f"/c/{consultation.id}/results").get_data(as_text=True))
    assert "How the budget was shared" in page
    # 1,000,000 among the 7 ballots: a reader can redo the division.
    assert "1,000,000 som ÷ 7 = 142,857.14 som each" in page


def test_equal_shares_payments_add_up_on_the_results_and_proposal_pages(
    council_client,
    equal_shares,
):
    consultation, proposals = equal_shares
    html = council_client.get(f"/c/{consultation.id}/results").get_data(as_text=True)
    sentences = re.findall(r'<small class="reason">([^<]+)</small>', html)
    assert sentences
    for proposal in proposals:
        page = plain(council_client.get(f"/p/{proposal.id}").get_data(as_text=True))
        reasons = [s for s in sentences if plain(s) in page]
        if "This proposal was funded." in page:
            (reason,) = reasons
            assert_adds_up(plain(reason), proposal.cost)


def amounts(text: str) -> list[float]:
    return [float(a.replace(",", "")) for a in re.findall(r"([\d,]+(?:\.\d+)?) som", text)]


def assert_adds_up(reason: str, cost: int) -> None:
    """ "Its N supporters shared its cost equally: C ÷ N = X each." or "Its cost, C, was paid
    ...: F of them paid X each. The other P ... all of it: R together.": the reader's sum."""
    equal = re.search(r"Its (\d+) supporters? .*: ([\d,]+) som ÷ (\d+) = ([\d,.]+) som", reason)
    if equal:
        n, c, n2, each = equal.groups()
        assert n == n2 and int(c.replace(",", "")) == cost
        assert abs(int(n) * float(each.replace(",", "")) - cost) < int(n) * 0.01
        return
    mixed = re.search(
        r"(\d+) of them paid ([\d,.]+) som.* The other (\d+) .*: ([\d,.]+) som", reason
    )
    assert mixed, reason
    full, each, _short, rest = mixed.groups()
    total = int(full) * float(each.replace(",", "")) + float(rest.replace(",", ""))
    assert abs(total - cost) < 0.01 * (int(full) + 1), reason
