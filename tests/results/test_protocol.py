"""The printed protocol: the real days of the phases, the council's session and vote, who signs,
and the languages it is printed in, whatever the reader's interface language."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from pb.consultations import services as consultations
from pb.extensions import db
from pb.models import Ballot, Channel, Decision, Phase, PhaseChange, ProposalStatus
from pb.results.protocol import css_string
from pb.results.services import SessionRecord, record_decision
from tests import factories


def page_of(client, consultation, **args):
    response = client.get(f"/c/{consultation.id}/protocol", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def facts(html):
    """The protocol's first list of facts, as label -> value, tags and spaces tidied."""
    dl = re.search(r'<dl class="facts">(.*?)</dl>', html, re.S).group(1)
    pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", dl, re.S)
    tidy = lambda s: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", s)).strip()  # noqa: E731
    return {tidy(k): tidy(v) for k, v in pairs}


def run_through_the_phases(world):
    """The officer moves the consultation from its draft to the end through the services, as
    she does on its page; then the phase log's times are set to known days."""
    c = world.consultation
    c.phase = Phase.DRAFT
    db.session.commit()
    consultations.advance_phase(world.officer, c, Phase.DRAFT)
    consultations.advance_phase(world.officer, c, Phase.COLLECTING)
    for cost in (400_000, 300_000):
        factories.make_proposal(c, status=ProposalStatus.ACCEPTED, cost=cost)
    consultations.advance_phase(world.officer, c, Phase.REVIEW)
    ballot = Ballot(consultation_id=c.id, channel=Channel.ONLINE)
    ballot.choices = {p.id: 1 for p in _accepted(c)}
    db.session.add(ballot)
    db.session.commit()
    # Before the announced end (16 December): the officer says why, and the protocol says it.
    consultations.advance_phase(
        world.officer, c, Phase.VOTING, reason="All households voted.", today=date(2026, 12, 15)
    )
    moves = db.session.scalars(select(PhaseChange).order_by(PhaseChange.id)).all()
    # Times in UTC; Bishkek is six hours ahead, so the last one is already 21 December there.
    days = [
        datetime(2026, 11, 2, 4, 0),
        datetime(2026, 11, 24, 9, 0),
        datetime(2026, 12, 1, 3, 0),
        datetime(2026, 12, 15, 12, 0),
        datetime(2026, 12, 20, 19, 30),
    ]
    for move, day in zip(moves, days, strict=False):
        move.changed_at = day
    db.session.commit()
    return c


def _accepted(consultation):
    from pb.models import Proposal

    return db.session.scalars(
        select(Proposal).where(
            Proposal.consultation_id == consultation.id,
            Proposal.status == ProposalStatus.ACCEPTED,
        )
    ).all()


def test_the_protocol_gives_the_days_the_phases_really_began(world, council_client):
    c = run_through_the_phases(world)
    html = page_of(council_client, c, lang="en")
    shown = facts(html)
    assert shown["Start of the collection of proposals"] == "2 November 2026"
    assert shown["Start of the review of proposals"] == "24 November 2026"
    assert shown["Opening of voting"] == "1 December 2026"
    assert shown["Close of voting"] == "15 December 2026"
    # Not published yet: the day announced, said to be a plan.
    assert shown["Publication of results"] == "21 December 2026 (planned date)"
    assert c.results_on == date(2026, 12, 21)
    assert "voting was closed before its announced end, because: All households voted." in html


def test_a_published_result_gives_the_day_it_was_published_where_the_municipality_is(
    world, council_client
):
    c = run_through_the_phases(world)
    consultations.advance_phase(world.officer, c, Phase.CLOSED)
    db.session.scalars(select(PhaseChange).order_by(PhaseChange.id.desc())).first().changed_at = (
        datetime(2026, 12, 20, 19, 30)  # 21 December, 01:30 in Bishkek
    )
    c.results_on = date(2026, 12, 28)
    db.session.commit()
    shown = facts(page_of(council_client, c, lang="en"))
    assert shown["Publication of results"] == "21 December 2026"


def test_without_a_phase_log_every_day_is_the_planned_one(world, council_client):
    c = world.consultation
    factories.open_voting(c)
    c.phase = Phase.CLOSED
    db.session.commit()
    shown = facts(page_of(council_client, c, lang="en"))
    assert shown["Start of the collection of proposals"] == "1 November 2026 (planned date)"
    assert shown["Opening of voting"] == "2 December 2026 (planned date)"
    assert shown["Close of voting"] == "16 December 2026 (planned date)"


def test_after_a_step_back_the_review_began_when_proposals_last_closed(world, council_client):
    c = world.consultation
    c.phase = Phase.DRAFT
    db.session.commit()
    consultations.advance_phase(world.officer, c, Phase.DRAFT)
    consultations.advance_phase(world.officer, c, Phase.COLLECTING)
    consultations.step_back(world.officer, c, Phase.REVIEW, "Kara-Bulak had no meeting yet.")
    consultations.advance_phase(world.officer, c, Phase.COLLECTING)
    moves = db.session.scalars(select(PhaseChange).order_by(PhaseChange.id)).all()
    for move, day in zip(
        moves,
        [
            datetime(2026, 11, 2),
            datetime(2026, 11, 21),
            datetime(2026, 11, 22),
            datetime(2026, 11, 27),
        ],
        strict=True,
    ):
        move.changed_at = day
    factories.open_voting(c)
    c.phase = Phase.CLOSED
    db.session.commit()
    html = page_of(council_client, c, lang="en")
    shown = facts(html)
    assert shown["Start of the collection of proposals"] == "2 November 2026"
    assert shown["Start of the review of proposals"] == "27 November 2026"
    assert "Kara-Bulak had no meeting yet." in html


@pytest.fixture
def decided(world):
    factories.open_voting(world.consultation)
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    record_decision(
        world.council,
        world.consultation,
        Decision.APPROVED,
        date(2026, 11, 28),
        None,
        SessionRecord(
            "12/2026", "XII сессия", 11, 1, 2, 15, ["Асанова Гүлнара", "Токтогулов Бакыт"]
        ),
    )
    return world.consultation


def test_the_protocol_shows_the_session_the_vote_and_the_commission(decided, council_client):
    html = page_of(council_client, decided, lang="en")
    shown = facts(html)
    assert shown["Number of the protocol"] == "12/2026"
    assert shown["Session of the council"] == "XII сессия, 28 November 2026"
    vote = re.search(r'<dl class="facts council-vote">(.*?)</dl>', html, re.S).group(1)
    for label, n in (("Votes for", 11), ("Votes against", 1), ("Abstained", 2)):
        assert f"<dt>{label}</dt><dd>{n}</dd>" in vote
    assert "<dt>Deputies present</dt><dd>15</dd>" in vote
    signatures = html[html.index('class="signatures"') :]
    # Chair, secretary, each member of the commission by name, the officer; then the date.
    assert signatures.count('class="line"') == 5
    assert "Member of the counting commission: Асанова Гүлнара" in signatures
    assert "Member of the counting commission: Токтогулов Бакыт" in signatures


def test_before_the_decision_the_protocol_leaves_lines_to_fill_in_by_hand(world, council_client):
    factories.open_voting(world.consultation)
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    html = page_of(council_client, world.consultation, lang="en")
    assert "The council has not decided yet." in html
    signatures = html[html.index('class="signatures"') :]
    # Chair, secretary, three blank commission lines, the officer.
    assert signatures.count("Member of the counting commission") == 3
    css = council_client.get(f"/c/{world.consultation.id}/protocol.css?lang=en")
    assert 'content:"Protocol No. ________"' in css.get_data(as_text=True)


def test_the_printed_margins_carry_the_number_and_the_page_numbers(decided, council_client):
    response = council_client.get(f"/c/{decided.id}/protocol.css", query_string={"lang": "ky+ru"})
    assert response.status_code == 200 and response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    # Kyrgyz and Russian both write "Протокол № ...": said once.
    assert "@top-right{content:" + css_string("Протокол № 12/2026") in css
    assert 'counter(page) " / " counter(pages)' in css
    html = page_of(council_client, decided, lang="ky+ru")
    assert f'href="/c/{decided.id}/protocol.css?lang=ky%2Bru"' in html


@pytest.mark.parametrize(
    "number", ['7"}body{display:none}', "7\\", "7\n8", "</style>", "7;}@page{"]
)
def test_a_protocol_number_cannot_break_out_of_its_css_string(number):
    literal = css_string(f"Protocol No. {number}")
    inner = literal[1:-1]
    assert literal[0] == literal[-1] == '"'
    assert not re.search(r'["\n{}@<>]', inner) and not re.search(r"\\(?![0-9a-f]{6})", inner)


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("ky", [("ky", "Протоколдун номери")]),
        ("ru", [("ru", "Номер протокола")]),
        ("en", [("en", "Number of the protocol")]),
        ("ky+ru", [("ky", "Протоколдун номери"), ("ru", "Номер протокола")]),
        ("ky ru", [("ky", "Протоколдун номери"), ("ru", "Номер протокола")]),
    ],
)
def test_the_protocol_prints_in_the_chosen_languages_without_changing_the_interface(
    decided, council_client, choice, expected
):
    html = page_of(council_client, decided, lang=choice)
    assert '<html lang="en">' in html  # her interface stays as it was
    columns = re.findall(r'<div class="print-column" lang="(\w+)">', html)
    assert columns == [language for language, _ in expected]
    for _language, label in expected:
        assert f"<dt>{label}</dt>" in html
    # The next page she opens is still in her language.
    assert '<html lang="en">' in council_client.get(f"/c/{decided.id}").get_data(as_text=True)


def test_side_by_side_the_signatures_are_signed_once_in_both_languages(decided, council_client):
    html = page_of(council_client, decided, lang="ky+ru")
    assert html.count('class="signatures"') == 1
    signatures = html[html.index('class="signatures"') :]
    assert "Айылдык кеңештин төрагасы / Председатель айылного кенеша" in signatures
    # No id is given twice, though both columns hold the same tables.
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_an_unknown_language_prints_in_the_readers_own(decided, council_client):
    council_client.post("/language", data={"locale": "ru", "next": "/"})
    html = page_of(council_client, decided, lang="fr")
    assert re.findall(r'<div class="print-column" lang="(\w+)">', html) == ["ru"]


@pytest.mark.parametrize("who", ["client", "resident_client", "outsider_client"])
def test_who_may_read_the_protocol_is_unchanged(request, decided, who):
    """Before publication only the municipality's council members and officers read it."""
    reader = request.getfixturevalue(who)
    assert reader.get(f"/c/{decided.id}/protocol").status_code == 403
    assert reader.get(f"/c/{decided.id}/protocol.css").status_code == 403


def test_officers_read_the_protocol_before_publication(decided, officer_client):
    assert officer_client.get(f"/c/{decided.id}/protocol?lang=ky").status_code == 200
    assert officer_client.get(f"/c/{decided.id}/protocol.css?lang=ky").status_code == 200
