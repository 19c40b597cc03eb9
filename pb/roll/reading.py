"""Reading a roll file: an export of the household register (түтүн китеби / похозяйственная
книга) as offices have it, in CSV or XLSX, into rows for the roll and the problems of each line.

Pure: no Flask app, no database. It takes the file's bytes and name and the municipality's
villages, and returns what it read. The problems carry a code and the values to put in its
message; the messages are translated when they are shown (``problem_text``), so what is stored
between the preview and the confirmation is plain data.

Line numbers are the file's rows as Excel numbers them: the header is line 1 if it is the first
row, and blank rows count, as they do on screen.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict

from flask_babel import lazy_gettext as _l

from pb.alphabet import sort_key
from pb.auth.phone import PhoneError, normalise_phone
from pb.roll.names import clean_name, name_key
from pb.spreadsheets import unneutralised

FIRST_YEAR = 1900
NAME_MAX = 200  # RollEntry.full_name
HOUSEHOLD_MAX = 30  # RollEntry.household
# Far more than the largest municipality's register; beyond it the file is not a register
# (and a compressed XLSX could otherwise unfold into millions of rows).
LINES_AT_MOST = 200_000
# A register's title rows ("Похозяйственная книга, айыл ...") may stand above the header.
HEADER_SEARCHED_IN = 10

REQUIRED = ("full_name", "birth_year", "gender", "village", "household")
COLUMNS = (*REQUIRED, "phone")

COLUMN_LABELS = {
    "full_name": _l("Full name"),
    "birth_year": _l("Year of birth"),
    "gender": _l("Gender"),
    "village": _l("Village"),
    "household": _l("Household number"),
    "phone": _l("Phone"),
}

# The names a header may give each column, in Kyrgyz, Russian and English, as clerks write
# them. Compared by ``_header_key``: case, punctuation, spaces and what stands in brackets do
# not matter, and Kyrgyz letters may be typed as their Russian look-alikes.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "full_name": (
        "Аты-жөнү",
        "Толук аты-жөнү",
        "Фамилиясы, аты, атасынын аты",
        "ФИО",
        "Ф.И.О.",
        "Фамилия, имя, отчество",
        "Фамилия, имя",
        "ФИО жителя",
        "ФИО члена хозяйства",
        "Full name",
        "Name",
    ),
    "birth_year": (
        "Туулган жылы",
        "Туулган жыл",
        "Туулган күнү",
        "Туулган датасы",
        "Год рождения",
        "Год рожд.",
        "Г.р.",
        "Дата рождения",
        "Year of birth",
        "Birth year",
        "Date of birth",
    ),
    "gender": ("Жынысы", "Жыныс", "Пол", "Gender", "Sex"),
    "village": (
        "Айыл",
        "Айыл (кыштак)",
        "Кыштак",
        "Айылдын аты",
        "Село",
        "Населённый пункт",
        "Village",
    ),
    "household": (
        "Түтүн",
        "Түтүн номери",
        "Түтүндүн номери",
        "Үй чарбасы",
        "Үй чарбасынын номери",
        "Номер хозяйства",
        "№ хозяйства",
        "Хозяйство",
        "№ хоз.",
        "Лицевой счёт",
        "№ лицевого счёта",
        "Household",
        "Household number",
        "Household no.",
    ),
    "phone": (
        "Телефон",
        "Телефон номери",
        "Байланыш телефону",
        "Тел.",
        "Номер телефона",
        "Мобильный телефон",
        "Phone",
        "Phone number",
        "Mobile",
        "Telephone",
    ),
}

# What the import page shows for each column: its usual name in Kyrgyz, Russian and English.
COLUMN_EXAMPLES = {
    "full_name": ("Аты-жөнү", "ФИО", "Full name"),
    "birth_year": ("Туулган жылы", "Год рождения", "Year of birth"),
    "gender": ("Жынысы", "Пол", "Gender"),
    "village": ("Айыл", "Село", "Village"),
    "household": ("Түтүн", "Үй чарбасы", "№ хозяйства", "Household"),
    "phone": ("Телефон", "Phone"),
}

GENDER_WORDS = {
    "female": ("ж", "жен", "женский", "женщина", "аял", "f", "female", "woman", "w"),
    "male": ("м", "муж", "мужской", "мужчина", "эркек", "эр", "m", "male", "man"),
}

# What is wrong, by code: a registry, so the stored problems name a code and the page shows
# the message in the reader's language.
MESSAGES = {
    "too_large": _l("The file is larger than %(megabytes)d MB. Split it into smaller files."),
    "empty_file": _l("The file is empty."),
    "old_excel": _l(
        "This is a file of an old Excel version (.xls). In Excel, save it as .xlsx or as CSV"
        " and upload that."
    ),
    "unreadable": _l(
        "This file cannot be read as a table. Upload the register as a CSV file or an Excel"
        " .xlsx file."
    ),
    "too_many_lines": _l("The file has more than %(lines)d lines."),
    "missing_columns": _l(
        "The first line must name the columns. These are missing: %(columns)s. The first line"
        " has: %(found)s."
    ),
    "lost_letters": _l(
        "“%(value)s” has “?” in place of letters: Excel lost the Kyrgyz letters (ң, ө, ү) when"
        " it saved the file. In Excel, save it as “CSV UTF-8” or as .xlsx and upload that."
    ),
    "empty_name": _l("The name is empty."),
    "long_name": _l("The name is longer than %(max)d characters."),
    "empty_year": _l("The year of birth is empty."),
    "bad_year": _l("“%(value)s” is not a year of birth: write four digits, like 1985."),
    "year_out_of_range": _l("The year of birth %(year)d is not between %(first)d and %(last)d."),
    "empty_gender": _l("The gender is empty."),
    "bad_gender": _l("“%(value)s” is not a gender: write ж or м (аял or эркек, F or M)."),
    "empty_village": _l("The village is empty."),
    "unknown_village": _l(
        "“%(value)s” is not a village of this municipality. Its villages are: %(villages)s."
    ),
    "empty_household": _l("The household number is empty."),
    "long_household": _l("The household number is longer than %(max)d characters."),
    "bad_phone": _l("“%(value)s” is not a Kyrgyz phone number. Write it like 0555 123 456."),
}

Cell = str | int | float | date | datetime | None
Params = dict[str, str | int | list[str]]


@dataclass(frozen=True)
class Problem:
    """What is wrong, on which line (None: the whole file)."""

    line: int | None
    code: str
    params: Params = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "params": self.params}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Problem:
        return cls(line=data["line"], code=data["code"], params=dict(data.get("params") or {}))


class RollRow(TypedDict):
    """A person as read from a line of the file, ready for the roll."""

    line: int
    full_name: str
    name_key: str
    birth_year: int
    gender: str  # pb.models.Gender's value
    village_id: int
    household: str
    phone: str | None


@dataclass
class ReadResult:
    rows: list[RollRow]
    problems: list[Problem]


@dataclass(frozen=True)
class Duplicate:
    """A row that is likely someone already there: on the roll (``of_line`` None) or on an
    earlier line of the same file."""

    line: int
    of_line: int | None


DuplicateKey = tuple[str, int, int]  # name_key, birth_year, village_id


def problem_text(problem: Problem) -> str:
    """The problem's message in the current language (needs Flask-Babel's context)."""
    message = str(MESSAGES[problem.code])
    if not problem.params:
        return message
    params = dict(problem.params)
    columns = params.get("columns")
    if isinstance(columns, list):
        params["columns"] = ", ".join(str(COLUMN_LABELS[c]) for c in columns)
    return message % params


def read_roll(
    data: bytes,
    filename: str,
    villages: Mapping[str, int],
    current_year: int,
    max_bytes: int,
) -> ReadResult:
    """The rows and problems of a roll file. ``villages`` maps the municipality's village
    names to their ids; ``current_year`` is the last plausible year of birth."""
    if len(data) > max_bytes:
        return _fails("too_large", megabytes=max(1, max_bytes // (1024 * 1024)))
    if not data.strip():
        return _fails("empty_file")
    table = _table(data, filename)
    if isinstance(table, Problem):
        return ReadResult([], [table])
    return _read_table(table, _VillageMatcher(villages), current_year)


def likely_duplicates(rows: Iterable[RollRow], on_roll: set[DuplicateKey]) -> list[Duplicate]:
    """Rows with the same name, year of birth and village as someone on the roll, or as an
    earlier line of the file."""
    seen: dict[DuplicateKey, int] = {}
    found = []
    for row in rows:
        key = (row["name_key"], row["birth_year"], row["village_id"])
        if key in on_roll:
            found.append(Duplicate(row["line"], None))
        elif key in seen:
            found.append(Duplicate(row["line"], seen[key]))
        else:
            seen[key] = row["line"]
    return found


# --- the file as a table ------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc: the old Office formats


def _fails(code: str, **params: str | int | list[str]) -> ReadResult:
    return ReadResult([], [Problem(None, code, params)])


def _table(data: bytes, filename: str) -> Iterator[Sequence[Cell]] | Problem:
    if data.startswith(_OLE_MAGIC):
        return Problem(None, "old_excel" if filename.lower().endswith(".xls") else "unreadable")
    if data.startswith(_ZIP_MAGIC):
        return _xlsx_rows(data)
    text = _decoded(data)
    if text is None:
        return Problem(None, "unreadable")
    return _csv_rows(text)


def _decoded(data: bytes) -> str | None:
    """The text of a CSV file: UTF-8 (with or without the byte order mark Excel writes), else
    Windows-1251 (what Excel writes for "CSV" on a Cyrillic Windows); UTF-16 for Excel's
    "Unicode text". None if it is not text at all."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1251")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text if _looks_like_text(text) else None
    return None


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _looks_like_text(text: str) -> bool:
    # Windows-1251 decodes almost any bytes: binary junk shows itself by control characters.
    return "\x00" not in text and len(_CONTROLS.findall(text)) * 100 <= len(text)


def _csv_rows(text: str) -> Iterator[Sequence[Cell]] | Problem:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return Problem(None, "unreadable")
    return iter(rows)


def _xlsx_rows(data: bytes) -> Iterator[Sequence[Cell]] | Problem:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                return Problem(None, "unreadable")  # a .docx, an .odt, a zip of something else
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.active or book.worksheets[0]
        # Read now, inside the try: a damaged sheet fails while it is read.
        rows = list(_bounded(sheet.iter_rows(values_only=True)))
        book.close()
    # openpyxl raises many kinds of errors for a damaged or foreign file (zip, XML, its own,
    # KeyError for a missing part); each means the same to the officer.
    except Exception:
        return Problem(None, "unreadable")
    return iter(rows)


def _bounded(rows: Iterable[Sequence[Cell]]) -> Iterator[Sequence[Cell]]:
    for number, row in enumerate(rows, start=1):
        yield row
        if number > LINES_AT_MOST:
            return


# --- the table as rows --------------------------------------------------------------------------


def _read_table(
    table: Iterator[Sequence[Cell]], villages: _VillageMatcher, current_year: int
) -> ReadResult:
    lines = list(_bounded(table))
    if len(lines) > LINES_AT_MOST:
        return _fails("too_many_lines", lines=LINES_AT_MOST)
    texts = [[_text(cell) for cell in line] for line in lines]
    header_at, columns = _header(texts)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        found = ", ".join(cell for cell in texts[header_at] if cell) if texts else ""
        return _fails("missing_columns", columns=missing, found=found[:200] or "—")
    rows: list[RollRow] = []
    problems: list[Problem] = []
    for index in range(header_at + 1, len(lines)):
        cells, raw = texts[index], lines[index]
        if not any(cells):
            continue
        line = index + 1
        values = {c: cells[i] if i < len(cells) else "" for c, i in columns.items()}
        year_cell = raw[columns["birth_year"]] if columns["birth_year"] < len(raw) else None
        before = len(problems)
        full_name = clean_name(values["full_name"])
        key = name_key(full_name)
        if not key:
            problems.append(Problem(line, "empty_name"))
        elif "?" in full_name:
            problems.append(Problem(line, "lost_letters", {"value": full_name[:100]}))
        elif len(full_name) > NAME_MAX:
            problems.append(Problem(line, "long_name", {"max": NAME_MAX}))
        birth_year = _birth_year(year_cell, values["birth_year"], line, current_year, problems)
        gender = _gender(values["gender"], line, problems)
        village_id = _village(values["village"], line, villages, problems)
        household = " ".join(values["household"].split())
        if not household:
            problems.append(Problem(line, "empty_household"))
        elif len(household) > HOUSEHOLD_MAX:
            problems.append(Problem(line, "long_household", {"max": HOUSEHOLD_MAX}))
        phone = _phone(values.get("phone", ""), line, problems)
        if len(problems) == before:
            assert birth_year is not None and gender is not None and village_id is not None
            rows.append(
                RollRow(
                    line=line,
                    full_name=full_name,
                    name_key=key,
                    birth_year=birth_year,
                    gender=gender,
                    village_id=village_id,
                    household=household,
                    phone=phone,
                )
            )
    return ReadResult(rows, problems)


def _text(cell: Cell) -> str:
    if type(cell) is str:  # every cell of a CSV file: the common case first
        text = cell.strip()
        if text[:1] == "'":
            text = unneutralised(text)
        return text
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # Excel keeps every number as a float: 12 is 12.0
    if isinstance(cell, datetime):
        cell = cell.date()
    return unneutralised(str(cell).strip())


_BRACKETS = re.compile(r"\([^)]*\)")
_NOT_LETTERS = re.compile(r"[\W_]+")
_KYRGYZ_TYPED_AS_RUSSIAN = str.maketrans({"ө": "о", "ү": "у", "ң": "н", "ё": "е"})


def _header_key(text: str, keep_brackets: bool = False) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    if not keep_brackets:
        text = _BRACKETS.sub("", text)
    return _NOT_LETTERS.sub("", text.translate(_KYRGYZ_TYPED_AS_RUSSIAN))


_COLUMN_BY_NAME = {
    _header_key(name, keep_brackets=True): column
    for column, names in COLUMN_NAMES.items()
    for name in names
} | {_header_key(name): column for column, names in COLUMN_NAMES.items() for name in names}


def _columns(cells: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = _COLUMN_BY_NAME.get(_header_key(cell, keep_brackets=True))
        column = column or _COLUMN_BY_NAME.get(_header_key(cell))
        if column is not None and column not in found:
            found[column] = index
    return found


def _header(texts: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The header line (its index) and where each column is: the line, among the first few
    that are not blank, that names the most columns."""
    best: tuple[int, dict[str, int]] | None = None
    searched = 0
    for index, cells in enumerate(texts):
        if not any(cells):
            continue
        columns = _columns(cells)
        if best is None or len(columns) > len(best[1]):
            best = (index, columns)
        searched += 1
        if searched == HEADER_SEARCHED_IN or len(columns) == len(COLUMNS):
            break
    return best or (0, {})


# 1985, and 1985 г. / 1985 ж. as some clerks write it
_YEAR = re.compile(r"(\d{4})(?:\s*(?:г|ж)\.?)?")
# 12.03.1985, 12/03/1985, 1985-03-12, 1985-03-12 00:00:00
_DATE_YEAR = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](\d{4})|(\d{4})-\d{1,2}-\d{1,2}(?:[ T].*)?")


def _birth_year(
    cell: Cell, text: str, line: int, current_year: int, problems: list[Problem]
) -> int | None:
    year: int | None = None
    if isinstance(cell, date):
        year = cell.year
    elif not text:
        problems.append(Problem(line, "empty_year"))
        return None
    elif _YEAR.fullmatch(text):
        year = int(text[:4])
    elif matched := _DATE_YEAR.fullmatch(text):
        year = int(matched.group(1) or matched.group(2))
    if year is None:
        problems.append(Problem(line, "bad_year", {"value": text[:40]}))
        return None
    if not FIRST_YEAR <= year <= current_year:
        problems.append(
            Problem(
                line, "year_out_of_range", {"year": year, "first": FIRST_YEAR, "last": current_year}
            )
        )
        return None
    return year


_GENDER_BY_WORD = {word: gender for gender, words in GENDER_WORDS.items() for word in words}


def _gender(text: str, line: int, problems: list[Problem]) -> str | None:
    if not text:
        problems.append(Problem(line, "empty_gender"))
        return None
    gender = _GENDER_BY_WORD.get(text.casefold().rstrip("."))
    if gender is None:
        problems.append(Problem(line, "bad_gender", {"value": text[:40]}))
    return gender


class _VillageMatcher:
    """A village's name as clerks write it ("Ак-Суу", "ак суу", "АкСуу", "Ак-Суу " ...) to the
    municipality's village. Kyrgyz letters typed as Russian ones ("Төрт-Көл" as "Торт-Кол")
    match too, unless that would make two villages alike."""

    def __init__(self, villages: Mapping[str, int]) -> None:
        self.names = sorted(villages, key=sort_key)
        self.exact = {self._key(name): village_id for name, village_id in villages.items()}
        loose: dict[str, set[int]] = {}
        for name, village_id in villages.items():
            loose.setdefault(self._loose(name), set()).add(village_id)
        self.loose = {key: ids.pop() for key, ids in loose.items() if len(ids) == 1}
        self.seen: dict[str, int | None] = {}

    @staticmethod
    def _key(name: str) -> str:
        return name_key(name).replace(" ", "")

    @classmethod
    def _loose(cls, name: str) -> str:
        return cls._key(name).translate(_KYRGYZ_TYPED_AS_RUSSIAN)

    def match(self, name: str) -> int | None:
        # A register names a few villages over and over: each spelling is worked out once.
        if name not in self.seen:
            self.seen[name] = self.exact.get(self._key(name)) or self.loose.get(self._loose(name))
        return self.seen[name]


def _village(
    text: str, line: int, villages: _VillageMatcher, problems: list[Problem]
) -> int | None:
    if not text:
        problems.append(Problem(line, "empty_village"))
        return None
    village_id = villages.match(text)
    if village_id is None and "?" in text:
        problems.append(Problem(line, "lost_letters", {"value": text[:100]}))
    elif village_id is None:
        problems.append(
            Problem(
                line,
                "unknown_village",
                {"value": text[:100], "villages": ", ".join(villages.names) or "—"},
            )
        )
    return village_id


def _phone(text: str, line: int, problems: list[Problem]) -> str | None:
    if not text:
        return None
    try:
        return normalise_phone(text)
    except PhoneError:
        problems.append(Problem(line, "bad_phone", {"value": text[:40]}))
        return None
