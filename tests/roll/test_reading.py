"""Reading roll files as offices have them: the pure reader, no app, no database."""

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest

from pb.roll.reading import (
    COLUMN_EXAMPLES,
    LINES_AT_MOST,
    Duplicate,
    likely_duplicates,
    read_roll,
)

VILLAGES = {"Ак-Суу": 1, "Кара-Булак": 2, "Төрт-Көл": 3}
YEAR = 2026
LIMIT = 10 * 1024 * 1024

HEADER_RU = "ФИО;Год рождения;Пол;Село;№ хозяйства;Телефон"
GOOD_LINES = [
    "Асанова Гульнара Бакытовна;1985;ж;Ак-Суу;12;0555 123 456",
    "Токтогулов Бакыт;1960;М;кара булак;7;",
]


def read(data: bytes, filename: str = "roll.csv", **kwargs):
    return read_roll(data, filename, VILLAGES, kwargs.get("year", YEAR), kwargs.get("limit", LIMIT))


def codes(result):
    return [(p.line, p.code) for p in result.problems]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_csv_in_excels_cyrillic_encodings_is_read(encoding):
    result = read("\r\n".join([HEADER_RU, *GOOD_LINES]).encode(encoding))
    assert result.problems == []
    first, second = result.rows
    assert first == {
        "line": 2,
        "full_name": "Асанова Гульнара Бакытовна",
        "name_key": "асанова гульнара бакытовна",
        "birth_year": 1985,
        "gender": "female",
        "village_id": 1,
        "household": "12",
        "phone": "+996 555 123 456",
    }
    assert (second["gender"], second["village_id"], second["phone"]) == ("male", 2, None)


def test_kyrgyz_letters_are_kept_in_utf8():
    text = "Аты-жөнү;Туулган жылы;Жынысы;Айыл;Түтүн\nМамытова Гүлнара;1990;аял;Төрт-Көл;3\n"
    (row,) = read(text.encode("utf-8-sig")).rows
    assert row["full_name"] == "Мамытова Гүлнара" and row["village_id"] == 3


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_the_delimiter_is_found_from_the_header(delimiter):
    lines = [line.replace(";", delimiter) for line in [HEADER_RU, *GOOD_LINES]]
    result = read("\n".join(lines).encode("cp1251"))
    assert result.problems == [] and len(result.rows) == 2


def test_quoted_cells_with_the_delimiter_inside_are_read():
    text = 'Full name,Year of birth,Gender,Village,Household\n"Asanova, Gulnara",1985,F,Ак-Суу,"12,a"\n'
    (row,) = read(text.encode()).rows
    assert row["full_name"] == "Asanova, Gulnara" and row["household"] == "12,a"


@pytest.mark.parametrize(
    "header",
    [
        "Аты-жөнү;Туулган жылы;Жынысы;Айыл (кыштак);Үй чарбасы",
        "Ф.И.О.;ГОД РОЖДЕНИЯ;пол;Айыл;Номер хозяйства",
        "Full name;Year of birth;Gender;Village;Household",
        "Аты жонү;Туулган жылы (ГГГГ);Пол (м/ж);Село;Түтүн",
    ],
)
def test_column_names_in_kyrgyz_russian_and_english(header):
    result = read(f"{header}\nАсанов Асан;1970;м;Ак-Суу;1\n".encode())
    assert result.problems == [] and result.rows[0]["full_name"] == "Асанов Асан"


def test_the_column_names_the_import_page_shows_are_read():
    widest = max(len(examples) for examples in COLUMN_EXAMPLES.values())
    for k in range(widest):
        header = ";".join(names[k % len(names)] for names in COLUMN_EXAMPLES.values())
        result = read(f"{header}\nАсанов Асан;1970;м;Ак-Суу;1;0555 123 456\n".encode())
        assert result.problems == [] and result.rows[0]["phone"] == "+996 555 123 456", header


def test_columns_in_any_order_with_extra_columns_and_title_rows_above():
    text = (
        "Похозяйственная книга айыл окмоту Ак-Суу;;;;;;\n"
        ";;;;;;\n"
        "№;Село;Пол;Примечание;Год рождения;№ хозяйства;ФИО\n"
        "1;Ак-Суу;ж;-;1985;12;Асанова Гульнара\n"
    )
    (row,) = read(text.encode("cp1251")).rows
    assert row["line"] == 4 and row["full_name"] == "Асанова Гульнара"
    assert row["birth_year"] == 1985 and row["household"] == "12"


@pytest.mark.parametrize(
    ("value", "gender"),
    [
        ("ж", "female"),
        ("Ж.", "female"),
        ("жен", "female"),
        ("Женский", "female"),
        ("аял", "female"),
        ("F", "female"),
        ("female", "female"),
        ("м", "male"),
        ("МУЖ", "male"),
        ("мужской", "male"),
        ("Эркек", "male"),
        ("m", "male"),
        ("Male", "male"),
    ],
)
def test_gender_as_offices_write_it(value, gender):
    (row,) = read(f"{HEADER_RU}\nАсанов Асан;1970;{value};Ак-Суу;1\n".encode()).rows
    assert row["gender"] == gender


@pytest.mark.parametrize("village", ["Ак-Суу", "ак-суу", "АК СУУ", " Ак  Суу ", "АкСуу"])
def test_village_names_match_whatever_the_case_and_spacing(village):
    (row,) = read(f"{HEADER_RU}\nАсанов Асан;1970;м;{village};1\n".encode()).rows
    assert row["village_id"] == 1


def test_kyrgyz_letters_typed_as_russian_ones_still_find_the_village():
    (row,) = read(f"{HEADER_RU}\nАсанов Асан;1970;м;Торт-Кол;1\n".encode()).rows
    assert row["village_id"] == 3


@pytest.mark.parametrize("value", ["1985", "1985 г.", "12.03.1985", "1985-03-12"])
def test_year_of_birth_as_a_year_or_a_date(value):
    (row,) = read(f"{HEADER_RU}\nАсанов Асан;{value};м;Ак-Суу;1\n".encode()).rows
    assert row["birth_year"] == 1985


def test_empty_lines_are_skipped_and_line_numbers_stay_those_of_the_file():
    text = "\n".join([HEADER_RU, GOOD_LINES[0], ";;;;;", "", GOOD_LINES[1]])
    result = read(text.encode())
    assert [r["line"] for r in result.rows] == [2, 5]


def test_each_problem_names_its_line():
    text = "\n".join(
        [
            HEADER_RU,
            GOOD_LINES[0],
            ";1985;ж;Ак-Суу;1;",  # 3: empty name
            "Асанов Асан;1899;м;Ак-Суу;1;",  # 4: too old
            "Асанов Асан;2031;м;Ак-Суу;1;",  # 5: not born yet
            "Асанов Асан;восемьдесят;м;Ак-Суу;1;",  # 6: not a year
            "Асанов Асан;1985;x;Ак-Суу;1;",  # 7: gender
            "Асанов Асан;1985;м;Москва;1;",  # 8: unknown village
            "Асанов Асан;1985;м;Ак-Суу;;",  # 9: no household
            "Асанов Асан;1985;м;Ак-Суу;1;12345",  # 10: phone
            "Асанов Асан;1985;м;Ак-Суу;1;+7 912 345 67 89",  # 11: foreign phone
            "Асанов Асан;;;;1;",  # 12: three things missing
        ]
    )
    result = read(text.encode("cp1251"))
    assert [r["line"] for r in result.rows] == [2]
    assert codes(result) == [
        (3, "empty_name"),
        (4, "year_out_of_range"),
        (5, "year_out_of_range"),
        (6, "bad_year"),
        (7, "bad_gender"),
        (8, "unknown_village"),
        (9, "empty_household"),
        (10, "bad_phone"),
        (11, "bad_phone"),
        (12, "empty_year"),
        (12, "empty_gender"),
        (12, "empty_village"),
    ]
    unknown = result.problems[5]
    assert unknown.params["value"] == "Москва"
    assert unknown.params["villages"] == "Ак-Суу, Кара-Булак, Төрт-Көл"
    assert result.problems[1].params == {"year": 1899, "first": 1900, "last": YEAR}


def test_the_current_year_is_a_parameter():
    text = f"{HEADER_RU}\nАсанов Асан;2030;м;Ак-Суу;1\n".encode()
    assert codes(read(text, year=2026)) == [(2, "year_out_of_range")]
    assert read(text, year=2030).problems == []


def test_question_marks_where_excel_lost_kyrgyz_letters_are_a_problem():
    text = f"{HEADER_RU}\nМамытова Г?лнара;1990;ж;Т?рт-К?л;3\n".encode("cp1251")
    assert codes(read(text)) == [(2, "lost_letters"), (2, "lost_letters")]


def test_missing_columns_are_one_problem_naming_them_and_nothing_is_read():
    result = read("ФИО;Пол;Село\nАсанов Асан;м;Ак-Суу\n".encode())
    assert result.rows == []
    (problem,) = result.problems
    assert problem.line is None and problem.code == "missing_columns"
    assert problem.params["columns"] == ["birth_year", "household"]
    assert problem.params["found"] == "ФИО, Пол, Село"


def test_a_file_without_a_header_is_refused():
    result = read("\n".join(GOOD_LINES).encode())
    assert result.rows == [] and [p.code for p in result.problems] == ["missing_columns"]


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "roll.csv", "empty_file"),
        (b"\x00\x01\x02\x03binary\xff\xfe" * 50, "roll.csv", "unreadable"),
        (bytes(range(1, 32)) * 100, "roll.csv", "unreadable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "roll.xls", "old_excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "roll.doc", "unreadable"),
        (b"PK\x03\x04 not really a zip", "roll.xlsx", "unreadable"),
    ],
)
def test_what_is_not_a_table_gets_one_clear_problem(data, filename, code):
    result = read(data, filename)
    assert result.rows == [] and codes(result) == [(None, code)]


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_a_docx_or_another_zip_is_not_read_as_a_roll():
    docx = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
    assert codes(read(docx, "roll.docx")) == [(None, "unreadable")]
    assert codes(read(docx, "roll.xlsx")) == [(None, "unreadable")]
    # A zip that claims to be a workbook but is broken inside.
    broken = _zip({"xl/workbook.xml": "<not xml"})
    assert codes(read(broken, "roll.xlsx")) == [(None, "unreadable")]


def test_a_file_over_the_limit_is_refused_before_reading():
    data = "\n".join([HEADER_RU, *GOOD_LINES * 100]).encode()
    result = read(data, limit=len(data) - 1)
    assert result.rows == [] and codes(result) == [(None, "too_large")]
    assert read(data, limit=len(data)).problems == []


def test_a_file_with_too_many_lines_is_refused():
    data = (HEADER_RU + "\n" + "\n".join([GOOD_LINES[0]] * LINES_AT_MOST)).encode()
    result = read(data, limit=len(data))
    assert result.rows == [] and codes(result) == [(None, "too_many_lines")]


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_is_read_with_numbers_and_dates_as_excel_keeps_them():
    data = _xlsx(
        [
            ["Аты-жөнү", "Туулган жылы", "Жынысы", "Айыл", "Түтүн", "Телефон"],
            ["Мамытова Гүлнара", 1985, "аял", "Төрт-Көл", 12, 555123456],
            [None, None, None, None, None, None],
            ["Асанов Асан", datetime(1970, 5, 1), "эркек", "Ак-Суу", 3.0, "0700 11 22 33"],
            ["Бакиев", 1899.0, "м", "Ак-Суу", "4", None],
        ]
    )
    result = read(data, "roll.xlsx")
    first, second = result.rows
    assert first["line"] == 2 and first["household"] == "12"
    assert first["phone"] == "+996 555 123 456"
    assert (second["line"], second["birth_year"], second["household"]) == (4, 1970, "3")
    assert codes(result) == [(5, "year_out_of_range")]


def test_xlsx_is_recognised_by_its_content_not_its_name():
    data = _xlsx(
        [["ФИО", "Год рождения", "Пол", "Село", "Номер хозяйства"], ["А Б", 1980, "ж", "Ак-Суу", 1]]
    )
    assert len(read(data, "export.csv").rows) == 1


def test_xlsx_with_missing_columns():
    result = read(_xlsx([["ФИО", "Пол"], ["А Б", "ж"]]), "roll.xlsx")
    assert [p.code for p in result.problems] == ["missing_columns"]
    assert result.problems[0].params["columns"] == ["birth_year", "village", "household"]


def test_cells_neutralised_on_export_are_read_back():
    text = f"{HEADER_RU}\n'=Асанов Асан;1970;м;Ак-Суу;'-5;\n"
    (row,) = read(text.encode()).rows
    assert row["full_name"] == "=Асанов Асан" and row["household"] == "-5"


def _row(line, key="асанов асан", year=1970, village=1):
    return {"line": line, "name_key": key, "birth_year": year, "village_id": village}


def test_likely_duplicates_within_the_file_and_against_the_roll():
    rows = [_row(2), _row(3), _row(4, year=1971), _row(5, village=2), _row(6, key="бакиев")]
    assert likely_duplicates(rows, {("бакиев", 1970, 1)}) == [
        Duplicate(line=3, of_line=2),
        Duplicate(line=6, of_line=None),
    ]
