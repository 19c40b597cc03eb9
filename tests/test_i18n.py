"""Three languages: how the locale is chosen, how amounts and counts read, catalogs complete."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, pgettext

from pb.i18n import format_som
from pb.labels import PHASES
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("ky", "ru", "en")


def html_lang(response):
    match = re.search(rb'<html lang="(\w+)"', response.data)
    return match.group(1).decode()


def test_default_language_is_kyrgyz(client, world):
    assert html_lang(client.get("/", headers={"Accept-Language": ""})) == "ky"


@pytest.mark.parametrize(
    "header, expected",
    [
        ("ru-RU,ru;q=0.9", "ru"),
        ("en-US,en;q=0.8", "en"),
        ("ky-KG", "ky"),
        ("de-DE,fr;q=0.5", "ky"),
        ("de,ru;q=0.3", "ru"),
    ],
)
def test_browser_language_is_used_among_ky_ru_en(client, world, header, expected):
    assert html_lang(client.get("/", headers={"Accept-Language": header})) == expected


def test_explicit_choice_beats_the_browser_and_is_remembered(client, world):
    response = client.post("/language", data={"locale": "en", "next": "/m/ak-suu"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/m/ak-suu")
    assert html_lang(client.get("/", headers={"Accept-Language": "ru"})) == "en"


def test_language_choice_is_saved_in_the_profile(app, world):
    client = app.test_client(user=world.resident)
    client.post("/language", data={"locale": "ru", "next": "/"})
    assert world.resident.locale == "ru"
    # A new device (no session choice) follows the profile, not the browser.
    other = app.test_client(user=world.resident)
    assert html_lang(other.get("/", headers={"Accept-Language": "en"})) == "ru"


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client, world):
    assert client.post("/language", data={"locale": "de", "next": "/"}).status_code == 400
    response = client.post("/language", data={"locale": "ru", "next": "https://evil.example/x"})
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize(
    "locale, expected",
    [
        ("ky", "1\xa0234\xa0567\xa0сом"),
        ("ru", "1\xa0234\xa0567\xa0сом"),
        ("en", "1,234,567\xa0som"),
    ],
)
def test_amounts_read_as_in_each_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert format_som(1234567) == expected


def test_russian_plurals_of_proposals(app, world):
    client = app.test_client()
    consultation = world.consultation
    for n, word in ((1, "предложение"), (2, "предложения"), (5, "предложений")):
        while len(list_public(consultation)) < n:
            factories.make_proposal(consultation)
        page = client.get(
            f"/c/{consultation.id}/proposals", headers={"Accept-Language": "ru"}
        ).get_data(as_text=True)
        assert f"{n} {word}" in page, n


def list_public(consultation):
    from sqlalchemy import select

    from pb.extensions import db
    from pb.models import Proposal

    return db.session.scalars(
        select(Proposal).where(Proposal.consultation_id == consultation.id)
    ).all()


def test_text_in_another_language_is_shown_and_marked(client, world):
    world.consultation.title_en = None
    world.consultation.title_ru = None
    from pb.extensions import db

    db.session.commit()
    page = client.get(f"/c/{world.consultation.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert '<span lang="ky">2027-жылдын бюджети</span>' in page
    assert "(in Kyrgyz)" in page


def test_dates_are_local(client, world):
    ru = client.get(f"/c/{world.consultation.id}", headers={"Accept-Language": "ru"}).get_data(
        as_text=True
    )
    en = client.get(f"/c/{world.consultation.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "21\xa0ноября 2026\xa0года" in ru
    assert "21\xa0November 2026" in en


def _catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_has_no_untranslated_or_fuzzy_entries(lang):
    catalog = _catalog(lang)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
    assert not missing, f"{lang}: {len(missing)} untranslated or fuzzy, e.g. {missing[:5]}"


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_survive_translation(lang):
    pattern = re.compile(r"%\(\w+\)[sd]")
    for message in _catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(pattern.findall(ids[-1]))
        for string in strings:
            if string:
                assert set(pattern.findall(string)) <= wanted | set(pattern.findall(ids[0])), (
                    lang,
                    message.id,
                )
                assert set(pattern.findall(string)) - {"%(num)d"} == wanted - {"%(num)d"}, (
                    lang,
                    message.id,
                )


def test_every_string_in_the_code_is_in_the_catalogs(tmp_path):
    """A string added to code or templates without updating the catalogs fails here."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "_ln:1,2",
            "-k",
            "lazy_ngettext:1,2",
            "-k",
            "pgettext:1c,2",
            "-k",
            "lazy_pgettext:1c,2",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as f:
        extracted = {_key(m) for m in read_po(f) if m.id}
    for lang in LANGS:
        have = {_key(m) for m in _catalog(lang) if m.id}
        missing = extracted - have
        assert not missing, (
            f"{lang} lacks {len(missing)} strings, e.g. {sorted(missing)[:5]}; run make update-messages"
        )


def _key(message):
    """A message as gettext finds it: its context (pgettext) and its msgid."""
    return (message.context or "", message.id if isinstance(message.id, str) else message.id[0])


def _strings(message):
    return message.string if isinstance(message.string, tuple) else (message.string,)


# pb's process has one name per language (shared/GLOSSARY.md): in rural Russian "консультация"
# is also the antenatal clinic, and a Kyrgyz page that says it reads as Russian.
PROCESS_TERM = {"ky": ("Бюджеттик угуу", "угуу"), "ru": ("Обсуждение бюджета", "обсужден")}


@pytest.mark.parametrize("lang", ("ky", "ru"))
def test_the_process_is_never_called_a_consultation(lang):
    wrong = [
        message.id
        for message in _catalog(lang)
        if message.id and any("консультац" in string.lower() for string in _strings(message))
    ]
    assert not wrong, f"{lang}: {len(wrong)} messages say “консультация”, e.g. {wrong[:3]}"


@pytest.mark.parametrize("lang", ("ky", "ru"))
def test_the_process_has_the_glossary_s_name_wherever_it_is_named(lang):
    catalog = _catalog(lang)
    name, stem = PROCESS_TERM[lang]
    assert catalog.get("Consultation").string == name
    wrong = [
        message.id
        for message in catalog
        if message.id
        and "consultation" in _key(message)[1].lower()
        # Untranslated strings are the completeness test's to report.
        and not all(stem in string.lower() for string in _strings(message) if string)
    ]
    assert not wrong, f"{lang}: {len(wrong)} messages name the process otherwise, e.g. {wrong[:3]}"


def test_english_calls_the_process_a_consultation():
    """A "budget hearing" is the separate, legal event: the glossary's public budget hearing."""
    wrong = [
        message.id
        for message in _catalog("en")
        if message.id and re.search(r"(?<!public )budget hearing", _key(message)[1], re.I)
    ]
    assert not wrong, wrong[:3]


@pytest.mark.parametrize(
    "locale, yes_or_no, amount",
    [("ky", "Каржыланат", "Каржыланган сумма"), ("ru", "Финансируется", "Профинансировано")],
)
def test_funded_as_yes_or_no_and_as_an_amount_are_two_messages(app, locale, yes_or_no, amount):
    with app.test_request_context(), force_locale(locale):
        assert pgettext("yes or no", "Funded") == yes_or_no
        assert pgettext("amount", "Funded") == amount


def test_phase_names_read_right_beside_a_future_date(app):
    """Verbal nouns: "Publication of results" beside next month's date, never "published"."""
    with app.test_request_context(), force_locale("en"):
        names = [str(name) for name in PHASES.values()]
    assert "Publication of results" in names
    assert not [name for name in names if re.search(r"\w+(ed|en)\b", name)], names
