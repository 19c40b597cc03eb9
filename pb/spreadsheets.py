"""Text cells for spreadsheet programs. A cell of a CSV file that begins with "=", "+", "-" or
"@" (or a tab or carriage return before one) is run as a formula by Excel and LibreOffice when
the file is opened: a proposal title or a name typed by anyone could fetch a web address or run
a command on an officer's PC. An apostrophe before such a cell makes it text, which the
spreadsheet shows without the apostrophe. (XLSX files are written with formulas off:
``pb.results.exports.to_xlsx``.)"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: str) -> str:
    """A text cell as written to a CSV file: never run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unneutralised(value: str) -> str:
    """A cell read back from a CSV file pb wrote: without the apostrophe ``neutralised`` put."""
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value
