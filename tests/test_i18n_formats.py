"""Amounts, counts and days as each language writes them, on the server and on the pages."""

import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from flask_babel import force_locale

from pb.extensions import db
from pb.forms import DayField, Form, required
from pb.i18n import (
    KY_MONTHS,
    NBSP,
    format_day,
    format_moment,
    format_number,
    format_percent,
    format_som,
    group_digits,
)
from pb.models import Phase
from tests import factories

# Babel's abbreviated months, as its medium format printed them before.
ABBREVIATED = re.compile(
    r"\b(янв|февр?|мар|апр|июн|июл|авг|сент?|окт|нояб?|дек|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|"
    r"Nov|Dec)\.|-(янв|фев|мар|апр|июн|июл|авг|сен|окт|ноя|дек)\."
)
# Digits that a Kyrgyz or Russian reader would take for a decimal mark, or a group split by an
# ordinary space, which a line may break at.
COMMA_GROUP = re.compile(r"\d,\d{3}\b")


def in_language(app, lang, function, *args):
    with app.test_request_context(), force_locale(lang):
        return function(*args)


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize(
    "amount, digits",
    [(0, "0"), (999, "999"), (1000, "1 000"), (600_000, "600 000"), (1_234_567, "1 234 567")],
)
def test_amounts_in_kyrgyz_and_russian_group_with_no_break_spaces(app, lang, amount, digits):
    text = in_language(app, lang, format_som, amount)
    assert text == digits.replace(" ", NBSP) + NBSP + "сом"
    assert "," not in text and " " not in text


def test_amounts_in_english_group_with_commas_and_keep_som_on_the_line(app):
    assert in_language(app, "en", format_som, 1_234_567) == "1,234,567" + NBSP + "som"
    assert in_language(app, "en", format_som, None) == ""


@pytest.mark.parametrize("lang, expected", [("ky", "12 345"), ("ru", "12 345"), ("en", "12,345")])
def test_counts_group_like_amounts(app, lang, expected):
    expected = expected.replace(" ", NBSP)
    assert in_language(app, lang, format_number, 12_345) == expected
    assert in_language(app, lang, format_number, 999) == "999"
    assert in_language(app, lang, format_number, -1000) == "-1" + expected[2] + "000"


def test_grouping_of_any_length():
    assert group_digits(0, ".") == "0"
    assert group_digits(12, ".") == "12"
    assert group_digits(1234, ".") == "1.234"
    assert group_digits(123456, ".") == "123.456"
    assert group_digits(-1234567890, ".") == "-1.234.567.890"


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_percentages_have_no_decimals_or_commas(app, lang):
    assert in_language(app, lang, format_percent, 0.456) == "46%"
    assert in_language(app, lang, format_percent, None) == ""


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("ky", "2026-жылдын 17-декабры"),
        ("ru", f"17{NBSP}декабря 2026{NBSP}года"),
        ("en", f"17{NBSP}December 2026"),
    ],
)
def test_a_day_is_written_out_in_full(app, lang, expected):
    assert in_language(app, lang, format_day, date(2026, 12, 17)) == expected


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_no_month_is_abbreviated_and_no_day_ends_with_a_stop(app, lang):
    for month in range(1, 13):
        text = in_language(app, lang, format_day, date(2026, month, 1))
        assert "." not in text, text
        assert not ABBREVIATED.search(text), text
        # Inside a sentence that ends with the date, there is one full stop.
        assert ".." not in text + "."


def test_kyrgyz_months_take_their_possessive_ending(app):
    days = [in_language(app, "ky", format_day, date(2027, m, 5)) for m in range(1, 13)]
    assert days == [f"2027-жылдын 5-{month}" for month in KY_MONTHS]
    assert days[4] == "2027-жылдын 5-майы" and days[5] == "2027-жылдын 5-июну"


def test_a_moment_is_the_day_and_time_in_the_municipalitys_time_zone(app):
    # 20:30 UTC is 02:30 the next day in Bishkek.
    moment = datetime(2026, 12, 17, 20, 30, tzinfo=UTC)
    assert in_language(app, "ky", format_moment, moment) == "2026-жылдын 18-декабры, 02:30"
    assert in_language(app, "ru", format_moment, moment) == f"18{NBSP}декабря 2026{NBSP}года, 02:30"
    assert in_language(app, "en", format_moment, moment.replace(tzinfo=None)).endswith(", 02:30")
    assert in_language(app, "en", format_day, moment) == f"18{NBSP}December 2026"
    assert in_language(app, "en", format_moment, None) == ""
    assert in_language(app, "en", format_day, None) == ""


def page(client, url, lang):
    response = client.get(url, headers={"Accept-Language": lang})
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def visible(html):
    """The page's text, without its tags and attributes (an SVG's viewBox="0 0 100 10")."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]*>", " ", html))


def assert_reads_well(html, lang):
    """No abbreviated month, no doubled full stop, no comma groups, "сом" never on its own."""
    text = visible(html)
    assert not ABBREVIATED.search(text), ABBREVIATED.search(text)
    assert ".." not in re.sub(r"\.\.\.|…", "", text)
    if lang in ("ky", "ru"):
        assert not COMMA_GROUP.search(text), COMMA_GROUP.search(text)
        assert not re.search(r"\d сом", text)


DAYS = {
    "ky": {
        "until": "2026-жылдын 21-ноябры",
        "voting_from": "2026-жылдын 2-декабры",
        "voting_until": "2026-жылдын 16-декабры",
        "results_on": "2026-жылдын 21-декабры",
    },
    "ru": {
        "until": f"21{NBSP}ноября 2026{NBSP}года",
        "voting_from": f"2{NBSP}декабря 2026{NBSP}года",
        "voting_until": f"16{NBSP}декабря 2026{NBSP}года",
        "results_on": f"21{NBSP}декабря 2026{NBSP}года",
    },
}

PHASE_SENTENCES = {
    "ky": {
        Phase.COLLECTING: "Акыркы мөөнөт: {until}.",
        Phase.REVIEW: "Добуш берүү башталат: {voting_from}.",
        Phase.VOTING: "Акыркы мөөнөт: {voting_until}.",
        Phase.CLOSED: "Жыйынтыктар жарыяланат: {results_on}.",
    },
    "ru": {
        Phase.COLLECTING: "Сбор предложений идёт до {until}.",
        Phase.REVIEW: "Голосование начнётся {voting_from}.",
        Phase.VOTING: "Голосование открыто до {voting_until}.",
        Phase.CLOSED: "Результаты будут объявлены {results_on}.",
    },
}


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("phase", [Phase.COLLECTING, Phase.REVIEW, Phase.VOTING, Phase.CLOSED])
def test_consultation_page_says_its_dates_and_budget_in_full(client, world, lang, phase):
    consultation = world.consultation
    consultation.budget = 1_250_000
    consultation.phase = phase
    db.session.commit()
    text = page(client, f"/c/{consultation.id}", lang)
    assert PHASE_SENTENCES[lang][phase].format(**DAYS[lang]) in text
    assert f"1{NBSP}250{NBSP}000{NBSP}сом" in text
    assert_reads_well(text, lang)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_ballot_page_reads_amounts_and_deadline_in_full(app, world, lang):
    consultation = world.consultation
    world.resident.locale = lang  # her profile's language comes before the browser's
    factories.open_voting(consultation, costs=(400_000, 125_500))
    text = page(app.test_client(user=world.resident), f"/c/{consultation.id}/vote", lang)
    assert f"400{NBSP}000{NBSP}сом" in text and f"125{NBSP}500{NBSP}сом" in text
    assert DAYS[lang]["voting_until"] in text
    # The running total's rules for ballot.js: the same separator and pattern as the server's.
    assert f'data-group="{NBSP}"' in text
    assert f'data-som="%(amount)s{NBSP}сом"' in text
    assert_reads_well(text, lang)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_voting_not_started_names_its_first_day(client, world, lang):
    consultation = world.consultation
    consultation.phase = Phase.REVIEW
    db.session.commit()
    text = page(client, f"/c/{consultation.id}/vote", lang)
    sentence = {"ky": "Башталат: {voting_from}.", "ru": "Оно начнётся {voting_from}."}[lang]
    assert sentence.format(**DAYS[lang]) in text
    assert_reads_well(text, lang)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_closing_early_names_the_announced_day_and_dates_the_note(app, world, lang):
    consultation = world.consultation
    factories.open_voting(consultation, costs=(400_000,))
    consultation.voting_until = date(2099, 1, 20)
    consultation.results_on = date(2099, 1, 25)
    world.officer.locale = lang
    db.session.commit()
    officer = app.test_client(user=world.officer)
    url = f"/c/{consultation.id}/phase"
    asked = officer.post(url, data={"direction": "advance", "expected": "voting"})
    text = asked.get_data(as_text=True)
    announced = {
        "ky": "Добуш берүүнүн жарыяланган акыркы мөөнөтү: 2099-жылдын 20-январы. Азыр жабуу",
        "ru": f"Голосование было объявлено до 20{NBSP}января 2099{NBSP}года: если закрыть",
    }[lang]
    assert announced in text
    assert_reads_well(text, lang)
    data = {"direction": "advance", "expected": "voting", "confirm": "yes", "reason": "Снег"}
    assert officer.post(url, data=data).status_code == 302
    shown = page(officer, f"/c/{consultation.id}", lang)
    closed_on = format_day_in(app, lang, consultation)
    note = {
        "ky": "добуш берүү жарыяланган мөөнөтүнөн мурда жабылды. Себеби: Снег",
        "ru": "голосование закрыто раньше объявленного срока. Причина: Снег",
    }[lang]
    assert f"{closed_on}, " in shown and note in shown
    assert_reads_well(shown, lang)


def format_day_in(app, lang, consultation):
    """The day the consultation's last phase change was made, as the reader writes it."""
    from sqlalchemy import func, select

    from pb.models import PhaseChange

    moment = db.session.scalar(
        select(func.max(PhaseChange.changed_at)).where(
            PhaseChange.consultation_id == consultation.id
        )
    )
    return in_language(app, lang, format_day, moment)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_withdrawing_names_the_last_day_for_proposals(app, world, lang):
    world.resident.locale = lang
    proposal = factories.make_proposal(world.consultation, author=world.resident)
    client = app.test_client(user=world.resident)
    response = client.post(f"/p/{proposal.id}/withdraw", headers={"Accept-Language": lang}, data={})
    text = response.get_data(as_text=True)
    assert DAYS[lang]["until"] in text
    assert_reads_well(text, lang)


@pytest.fixture
def published(world, officer_client):
    """Budget 1 000 000; 400 000 and 300 000 funded by three and two votes, 350 000 left over."""
    from pb.models import Ballot, Channel
    from pb.results.counting import count_and_store

    consultation = world.consultation
    first, second, third = factories.open_voting(consultation, costs=(400_000, 300_000, 450_000))
    for chosen in ((first, second), (first, second), (first,), (third,)):
        ballot = Ballot(consultation_id=consultation.id, channel=Channel.ONLINE)
        ballot.choices = {p.id: 1 for p in chosen}
        db.session.add(ballot)
    consultation.phase = Phase.CLOSED
    count_and_store(consultation)
    db.session.commit()
    response = officer_client.post(
        f"/c/{consultation.id}/phase",
        data={"direction": "advance", "expected": "closed", "confirm": "yes"},
    )
    assert response.status_code == 302
    return consultation


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_results_and_protocol_write_amounts_with_spaces(app, world, published, lang):
    world.council.locale = lang
    db.session.commit()
    client = app.test_client(user=world.council)
    results = page(client, f"/c/{published.id}/results", lang)
    for amount in ("1 000 000", "700 000", "300 000", "450 000"):
        assert amount.replace(" ", NBSP) + NBSP + "сом" in results, amount
    assert_reads_well(results, lang)
    protocol = page(client, f"/c/{published.id}/protocol?lang={lang}", lang)
    assert "700 000".replace(" ", NBSP) + NBSP + "сом" in protocol
    assert DAYS[lang]["voting_until"] in protocol
    assert_reads_well(protocol, lang)


class _DayForm(Form):
    day = DayField("Day", validators=[required()])


@pytest.mark.parametrize("typed", ["2026-12-17", "17.12.2026", "17.12.2026 "])
def test_a_form_takes_a_day_from_the_date_picker_or_as_people_write_it(app, typed):
    with app.test_request_context(method="POST", data={"day": typed.strip()}):
        form = _DayForm()
        assert form.validate(), form.errors
        assert form.day.data == date(2026, 12, 17)
        # Shown back to the date picker in the only form it reads.
        assert 'value="2026-12-17"' in form.day() and 'type="date"' in form.day()


@pytest.mark.parametrize(
    "lang, message",
    [
        ("ky", "Күндү күн.ай.жыл түрүндө жазыңыз, мисалы: 17.12.2026."),
        ("ru", "Укажите дату в виде день.месяц.год, например: 17.12.2026."),
        ("en", "Write the date as day.month.year, for example 17.12.2026."),
    ],
)
@pytest.mark.parametrize("typed", ["17/12/26", "31.02.2026", "завтра", "2026-13-45"])
def test_a_day_that_cannot_be_read_says_how_to_write_it(app, lang, message, typed):
    with app.test_request_context(method="POST", data={"day": typed}), force_locale(lang):
        form = _DayForm()
        assert not form.validate()
        assert [str(error) for error in form.day.errors] == [message]


@pytest.mark.parametrize(
    "lang, grouped", [("ky", f"12{NBSP}345"), ("ru", f"12{NBSP}345"), ("en", "12,345")]
)
def test_counts_in_plural_messages_are_grouped_in_code_and_templates(app, lang, grouped):
    from pb.i18n import ngettext

    with app.test_request_context(), force_locale(lang):
        said = ngettext("%(num)d voter", "%(num)d voters", 12_345)
        assert said.startswith((grouped + " ", grouped + NBSP)), said
        sealed = ngettext(
            "%(num)d ballot will be sealed (%(online)d online, %(code)d by code, %(paper)d on "
            "paper): nobody can change it any more.",
            "%(num)d ballots will be sealed (%(online)d online, %(code)d by code, %(paper)d on "
            "paper): nobody can change them any more.",
            13_345,
            online=12_345,
            code=999,
            paper=1,
        )
        assert grouped in sealed and "999" in sealed and "12345" not in sealed, sealed
        template = app.jinja_env.from_string(
            '{{ ngettext("%(num)d voter", "%(num)d voters", n) }} · '
            '{{ ngettext("%(num)d voter", "%(num)d voters", 1) }}'
        )
        text = template.render(n=12_345)
        assert text.startswith(grouped) and "12345" not in text, text
        assert text.split(" · ")[1].startswith("1"), text


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.PUBLISHED])
def test_no_page_abbreviates_a_month_doubles_a_stop_or_groups_with_commas(app, phase):
    """Every page an officer or a council member can open, in Kyrgyz and Russian."""
    from tests.test_bad_input import _urls, _world_with_everything

    world, path_values = _world_with_everything(phase)
    problems, seen = [], set()
    for user in (world.officer, world.council):
        for lang in ("ky", "ru"):
            user.locale = lang
            db.session.commit()
            client = app.test_client(user=user)
            for url, methods in _urls(app, path_values):
                if "GET" not in methods or "/language" in url:
                    continue
                response = client.get(url)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                seen.add(url)
                try:
                    assert_reads_well(response.get_data(as_text=True), lang)
                except AssertionError as error:
                    problems.append((user.username, lang, url, str(error)[:200]))
    assert problems == []
    assert len(seen) > 30, seen
