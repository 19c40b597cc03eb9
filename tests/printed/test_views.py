"""Print pages of a consultation for its officers: blank ballot, proposal form, poster and the
voting code slips, in the language chosen for the paper, whatever the officer's own."""

from __future__ import annotations

import re

import pytest
import segno
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pb.extensions import db
from pb.models import AuditEntry, BallotKind, Phase
from pb.voting import codes, services
from pb.voting.kinds import KINDS
from tests import factories


def _urls(world: factories.World) -> list[str]:
    consultation = world.consultation
    factories.open_voting(consultation)
    batch = services.generate_codes(world.officer, consultation, 2, None)
    c = consultation.id
    return [
        f"/c/{c}/codes/{batch.id}/slips",
        f"/c/{c}/print/ballot",
        f"/c/{c}/print/proposal-form",
        f"/c/{c}/print/poster",
    ]


def html_lang(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'<html lang="(\w+)"', response.get_data(as_text=True))
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    "who", ["resident_client", "council_client", "outsider_client", "outside_officer_client"]
)
def test_only_the_municipalitys_officers_open_print_pages(
    request: pytest.FixtureRequest, world: factories.World, who: str
) -> None:
    client: FlaskClient = request.getfixturevalue(who)
    for url in _urls(world):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient, world: factories.World) -> None:
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_print_pages_of_a_draft_are_not_found_for_outsiders(
    app: Flask, world: factories.World
) -> None:
    draft = factories.make_consultation(world.municipality, phase=Phase.DRAFT)
    outsider = app.test_client(user=world.outside_officer)  # type: ignore[call-arg]
    for path in ("ballot", "proposal-form", "poster"):
        assert outsider.get(f"/c/{draft.id}/print/{path}").status_code == 404
    assert outsider.get("/c/999999/print/poster").status_code == 404


@pytest.mark.parametrize("lang", ["", "xx", "ky+ru+en", "KY", "<script>", "a" * 500])
def test_a_bad_language_falls_back_to_the_officers_own(
    officer_client: FlaskClient, world: factories.World, lang: str
) -> None:
    for url in _urls(world):
        response = officer_client.get(url, query_string={"lang": lang})
        assert response.status_code == 200, url
        assert html_lang(response) == "en"
        assert 'value="en" selected' in response.get_data(as_text=True)


def test_a_nul_in_the_language_is_a_bad_request(
    officer_client: FlaskClient, world: factories.World
) -> None:
    for url in _urls(world):
        assert officer_client.get(url + "?lang=ky%00").status_code == 400


@pytest.mark.parametrize(
    "lang, printed",
    [
        ("ky", ["Бир код — бир бюллетень."]),
        ("ru", ["Один код — один бюллетень."]),
        ("ky+ru", ["Бир код — бир бюллетень.", "Один код — один бюллетень."]),
        ("ky ru", ["Бир код — бир бюллетень.", "Один код — один бюллетень."]),
    ],
)
def test_slips_print_in_the_chosen_language_and_their_links_carry_it(
    officer_client: FlaskClient, world: factories.World, lang: str, printed: list[str]
) -> None:
    slips = _urls(world)[0]
    response = officer_client.get(slips, query_string={"lang": lang})
    page = response.get_data(as_text=True)
    assert html_lang(response) == "en"  # the officer's interface stays hers
    assert "One code, one ballot." not in page
    for words in printed:
        assert page.count(words) == 2  # two slips
    languages = ["ky", "ru"] if "ru" in lang and "ky" in lang else [lang]
    for language in languages:
        address = f"http://pb.test/c/{world.consultation.id}/vote?lang={language}"
        assert address in page
    # The QR code opens the ballot in the first language, the code after "#" as before.
    plain = re.findall(r'class="code">([A-Z0-9-]+)<', page)
    assert len(plain) == 2
    link = codes.slip_link(
        f"http://pb.test/c/{world.consultation.id}/vote?lang={languages[0]}", plain[0]
    )
    assert segno.make(link, error="m").svg_inline(scale=3, border=2, omitsize=True) in page
    # A print page's ?lang= is the paper's: it does not become the officer's language.
    assert "pb_lang" not in response.headers.get("Set-Cookie", "")


def test_slips_cut_a_very_long_title_visibly(
    officer_client: FlaskClient, world: factories.World
) -> None:
    world.consultation.title_ru = ("Очень длинное название " * 9)[:200]  # as long as it may be
    db.session.commit()
    response = officer_client.get(_urls(world)[0], query_string={"lang": "ru"})
    page = response.get_data(as_text=True)
    titles = re.findall(r'<p class="title"[^>]*>([^<]*)</p>', page)
    assert titles and all(len(t) <= 91 and t.endswith("…") for t in titles)
    assert page.count("Последний день голосования:") == 2


RULES = [
    (BallotKind.APPROVAL, {"approval_limit": 2}, "не более чем у 2 предложений"),
    (BallotKind.BUDGET, {}, "не должна превышать бюджет"),
    (BallotKind.POINTS, {"points_total": 5}, "всего 5 баллов"),
]


def test_every_ballot_kind_has_its_printed_rule_tested() -> None:
    assert {kind for kind, _, _ in RULES} == set(KINDS)


@pytest.mark.parametrize("kind, settings, rule", RULES)
def test_blank_ballot_says_how_to_fill_in_each_kind(
    officer_client: FlaskClient, world: factories.World, kind: BallotKind, settings: dict, rule: str
) -> None:
    factories.open_voting(world.consultation, kind=kind, **settings)
    page = officer_client.get(
        f"/c/{world.consultation.id}/print/ballot", query_string={"lang": "ru"}
    ).get_data(as_text=True)
    assert rule in page
    assert "Бумажный бюллетень" in page
    assert "400\xa0000\xa0сом" in page


def test_proposal_form_lists_villages_and_groups_and_where_to_bring_it(
    officer_client: FlaskClient, world: factories.World
) -> None:
    page = officer_client.get(
        f"/c/{world.consultation.id}/print/proposal-form", query_string={"lang": "ky+ru"}
    ).get_data(as_text=True)
    for village in world.consultation.villages:
        assert village.name in page
    assert "Сунуштун аталышы / Название предложения" in page
    assert 'class="blank-line"' in page  # no office stored: a line to write it on
    world.municipality.contact_office = "Ак-Суу, Ленин көчөсү 12"
    db.session.commit()
    page = officer_client.get(f"/c/{world.consultation.id}/print/proposal-form").get_data(
        as_text=True
    )
    assert "Ленин көчөсү 12" in page and 'class="blank-line"' not in page


def test_poster_links_to_the_consultation_in_the_printed_language(
    officer_client: FlaskClient, world: factories.World
) -> None:
    c = world.consultation.id
    page = officer_client.get(f"/c/{c}/print/poster", query_string={"lang": "ru"}).get_data(
        as_text=True
    )
    assert f"http://pb.test/c/{c}?lang=ru" in page
    qr = segno.make(f"http://pb.test/c/{c}?lang=ru", error="m")
    assert qr.svg_inline(scale=4, border=2, omitsize=True) in page
    assert "Сбор предложений" in page


def test_the_officers_page_links_to_each_printed_thing(
    officer_client: FlaskClient, resident_client: FlaskClient, world: factories.World
) -> None:
    world.consultation.allow_paper = True
    db.session.commit()
    c = world.consultation.id
    page = officer_client.get(f"/c/{c}").get_data(as_text=True)
    for path in ("poster", "proposal-form", "ballot"):
        assert f'href="/c/{c}/print/{path}"' in page
    assert "/print/" not in resident_client.get(f"/c/{c}").get_data(as_text=True)


# --- the recorded random order ---------------------------------------------------------------


def _numbers(page: str) -> list[str]:
    """The titles as the page numbers them ("1. Project 3")."""
    return re.findall(r'<span class="number">\d+\.</span> <span lang="\w+">([^<]+)</span>', page)


def _printed(page: str) -> list[str]:
    return re.findall(r'<td class="number">\d+</td>\s*<td lang="\w+">([^<]+)<br>', page)


def test_officer_draws_a_random_order_that_the_paper_entry_page_numbers_alike(
    officer_client: FlaskClient, world: factories.World
) -> None:
    consultation = world.consultation
    costs = tuple(range(100_000, 900_000, 100_000))
    proposals = [
        factories.make_proposal(consultation, status=factories.ProposalStatus.ACCEPTED, cost=cost)
        for cost in costs
    ]
    c = consultation.id
    by_title = _printed(officer_client.get(f"/c/{c}/print/ballot").get_data(as_text=True))
    assert sorted(by_title) == sorted(p.title for p in proposals)

    response = officer_client.post(f"/c/{c}/print/ballot/order?lang=ky", data={"order": "random"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/c/{c}/print/ballot?lang=ky")
    seed = consultation.paper_order_seed
    assert seed
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "ballot.paper_order")
    ).one()
    assert entry.after == {"random_order": True} and entry.actor_id == world.officer.id

    drawn = _printed(officer_client.get(f"/c/{c}/print/ballot").get_data(as_text=True))
    assert sorted(drawn) == sorted(by_title)
    assert drawn != by_title  # 8 proposals: another order but once in 40 320 draws
    # Stable: printed again, the same order.
    assert _printed(officer_client.get(f"/c/{c}/print/ballot").get_data(as_text=True)) == drawn

    consultation.ballot_kind = BallotKind.BUDGET
    consultation.allow_paper = True
    consultation.phase = Phase.VOTING
    db.session.commit()
    entry_page = officer_client.get(f"/c/{c}/paper-ballots").get_data(as_text=True)
    assert _numbers(entry_page) == drawn
    ballot = officer_client.get(f"/c/{c}/print/ballot").get_data(as_text=True)
    assert _printed(ballot) == drawn
    # Voting has started: the order no longer changes, and the page says so.
    assert "/print/ballot/order" not in ballot
    response = officer_client.post(f"/c/{c}/print/ballot/order", data={"order": "random"})
    assert response.status_code == 302
    assert consultation.paper_order_seed == seed


def test_officer_goes_back_to_the_online_order(
    officer_client: FlaskClient, world: factories.World
) -> None:
    for cost in (100_000, 200_000, 300_000):
        factories.make_proposal(
            world.consultation, status=factories.ProposalStatus.ACCEPTED, cost=cost
        )
    c = world.consultation.id
    officer_client.post(f"/c/{c}/print/ballot/order", data={"order": "random"})
    assert world.consultation.paper_order_seed
    officer_client.post(f"/c/{c}/print/ballot/order", data={"order": "online"})
    assert world.consultation.paper_order_seed is None


@pytest.mark.parametrize("data", [{}, {"order": "shuffle"}, {"order": "x" * 1000}])
def test_a_bad_order_is_refused(
    officer_client: FlaskClient, world: factories.World, data: dict
) -> None:
    c = world.consultation.id
    assert officer_client.post(f"/c/{c}/print/ballot/order", data=data).status_code == 400
    assert world.consultation.paper_order_seed is None


@pytest.mark.parametrize("who", ["resident_client", "council_client", "outside_officer_client"])
def test_only_officers_draw_the_order(
    request: pytest.FixtureRequest, world: factories.World, who: str
) -> None:
    client: FlaskClient = request.getfixturevalue(who)
    c = world.consultation.id
    response = client.post(f"/c/{c}/print/ballot/order", data={"order": "random"})
    assert response.status_code == 403
    assert world.consultation.paper_order_seed is None
