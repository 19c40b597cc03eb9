"""Text cells for spreadsheet programs. A cell of a CSV file that begins with "=", "+", "-" or
"@" (or a tab or carriage return before one) is run as a formula by Excel and LibreOffice when
the file is opened: a proposal title or a name typed by anyone could fetch a web address or run
a command on an officer's PC. An apostrophe before such a cell makes it text, which the
spreadsheet shows without the apostrophe. (XLSX files are written with formulas off:
``pb.results.exports.to_xlsx``.)

A CSV file is written for the reader's spreadsheet program (``to_csv``). Excel splits a CSV
file into columns at the list separator of the computer's regional settings: a semicolon where
the comma is the decimal mark, as in Kyrgyz and Russian settings, a comma in English ones; and
it reads the file as UTF-8 only after a byte order mark. So a Kyrgyz or Russian reader gets
semicolons and decimal commas, an English reader commas and decimal points, both with the mark.
(A ``sep=;`` first line would make any Excel split at semicolons, but Excel then ignores the
byte order mark and shows the Cyrillic garbled.) XLSX, offered beside it, has neither problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"
# Languages whose regional settings write 1,5 for one and a half: their Excel splits at ";".
DECIMAL_COMMA = frozenset({"ky", "ru"})


def neutralised(value: str) -> str:
    """A text cell as written to a CSV file: never run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unneutralised(value: str) -> str:
    """A cell read back from a CSV file pb wrote: without the apostrophe ``neutralised`` put."""
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def csv_delimiter(language: str) -> str:
    """The separator a spreadsheet program set up for ``language`` splits CSV columns at."""
    return ";" if language in DECIMAL_COMMA else ","


def to_csv(rows: Iterable[Sequence[object]], language: str) -> str:
    """``rows`` as the text of a CSV file for a reader of ``language``: a byte order mark,
    that language's separator and decimal mark, every text cell neutralised."""
    delimiter = csv_delimiter(language)
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow([_cell(value, delimiter) for value in row])
    return out.getvalue()


def _cell(value: object, delimiter: str) -> object:
    if isinstance(value, str):
        return neutralised(value)
    if isinstance(value, (float, Fraction, Decimal)) and not isinstance(value, bool):
        text = str(float(value)) if isinstance(value, Fraction) else str(value)
        return text.replace(".", ",") if delimiter == ";" else text
    return value
