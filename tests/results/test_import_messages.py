"""A .pb file that cannot be imported is explained in the officer's language, whole: no English
inside a Kyrgyz or Russian sentence. What an import creates is named in every language."""

import html
import io
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from pb.counting.pabulib import PabulibError, parse_pb
from pb.errors import RuleViolation
from pb.extensions import db
from pb.labels import category_name
from pb.models import Consultation
from pb.results.imports import import_pb, problem

GOOD = """META
key;value
num_projects;2
num_votes;2
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
1;40;Кудук
2;60;Жол
VOTES
voter_id;vote
a;1,2
b;2
"""

# One file for each kind of problem the reader names, as (old text, new text) of GOOD.
BROKEN = [
    ("META\n", ""),
    ("VOTES\nvoter_id;vote\n", "VOTES\n"),
    ("budget;100\n", ""),
    ("budget;100", "budget;много"),
    ("budget;100", "budget;100.5"),
    ("budget;100", "budget;-100"),
    ("budget;100", "budget;100,5"),
    ("vote_type;approval", "vote_type;ordinal"),
    ("vote_type;approval", "vote_type;pairwise"),
    ("1;40;Кудук", "1;0;Кудук"),
    ("2;60;Жол", "1;60;Жол"),
    ("project_id;cost;name", "project_id;price;name"),
    ("b;2\n", "b;2;3\n"),
    ("b;2\n", "b;4\n"),
    ("b;2\n", "b;2,2\n"),
    ("b;2\n", "b;2,\n"),
    ("b;2\n", "a;2\n"),
    ("num_votes;2", "num_votes;5"),
    ("num_projects;2", "num_projects;5"),
    ("PROJECTS\n", "VOTES\n"),
    ("name\n1;40;Кудук", 'name\n1;40;"Кудук'),
    ("budget;100\n", "budget;100\nbudget;200\n"),
    ("key;value", "key;value;extra"),
]
# Words of the English messages; the file's own keywords (META, key;value, approval...) stay.
ENGLISH = re.compile(
    r"\b(the|line|must|found|voter|project|projects|section|header|column|cells|twice|"
    r"number|whole|missing|file|lists|points|budget|cost|appears|holds|expected|unknown)\b"
)


def _error(old, new):
    assert old in GOOD
    with pytest.raises(PabulibError) as raised:
        parse_pb(GOOD.replace(old, new, 1))
    return raised.value


@pytest.mark.parametrize(("old", "new"), BROKEN)
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_every_file_problem_is_told_in_the_readers_language(app, language, old, new):
    error = _error(old, new)
    with app.test_request_context(), force_locale(language):
        told = problem(error)
    # Quoted: the file's own words ('budget', 'cost'), as it writes them.
    assert not ENGLISH.search(re.sub(r"'[^']*'", "", told)), told
    assert re.search("[а-яөүң]", told), told


def test_the_english_message_is_still_whole(app):
    error = _error("budget;100", "budget;100.5")
    with app.test_request_context(), force_locale("en"):
        assert (
            problem(error)
            == str(error)
            == "line 5: the budget must be a whole number, found '100.5'."
        )


def test_the_line_and_the_values_are_kept_in_the_translation(app):
    error = _error("b;2\n", "b;4\n")
    with app.test_request_context(), force_locale("ky"):
        told = problem(error)
    assert told.startswith("14-сап: ") and "'4'" in told and "b " in told
    with app.test_request_context(), force_locale("ru"):
        assert problem(error).startswith("строка 14: ")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ky", "Бул файлды окуу мүмкүн эмес"),
        ("ru", "Не удаётся прочитать файл"),
    ],
)
def test_an_officer_is_told_in_her_language_why_a_file_is_refused(
    officer_client, world, language, expected
):
    officer_client.post("/language", data={"locale": language, "next": "/"})
    response = officer_client.post(
        f"/m/{world.municipality.slug}/import",
        data={
            "file": (io.BytesIO(GOOD.replace("budget;100", "budget;100.5").encode()), "x.pb"),
            "village_id": world.village.id,
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = html.unescape(response.get_data(as_text=True))
    assert expected in page
    assert "must be" not in page and "whole number" not in page
    assert ("5-сап: бюджет" if language == "ky" else "строка 5: бюджет") in page
    assert (
        db.session.scalar(select(Consultation).where(Consultation.id != world.consultation.id))
        is None
    )


def test_a_file_with_no_budget_is_refused_in_the_readers_language(app, world):
    with app.test_request_context(), force_locale("ru"):
        with pytest.raises(RuleViolation) as raised:
            import_pb(
                world.officer,
                world.municipality,
                [GOOD.replace("budget;100", "budget;0").encode()],
                world.village.id,
            )
        assert (
            str(raised.value.message)
            == "В этом файле не указан бюджет: он должен быть не меньше 1 сома."
        )


def test_what_an_import_creates_is_named_in_every_language(app, world):
    with app.test_request_context():
        consultation = import_pb(
            world.officer,
            world.municipality,
            [GOOD.replace("num_projects;2", "unit;Ак-Суу\nnum_projects;2").encode()],
            world.village.id,
        )
    (category,) = consultation.categories
    names = {}
    for language in ("ky", "ru", "en"):
        with app.test_request_context(), force_locale(language):
            names[language] = category_name(category)
    assert names == {"ky": "Импорттолгон", "ru": "Импортированные", "en": "Imported"}
    assert consultation.title_ky == "Импорттолгон: Ак-Суу"
    assert consultation.title_ru == "Импортировано: Ак-Суу"
    assert consultation.title_en == "Imported: Ак-Суу"
