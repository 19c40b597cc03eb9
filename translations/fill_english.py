"""English is the source language: fill the en catalog's empty entries with their msgids.

Run by `make update-messages`; ky and ru are translated by people.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    with CATALOG.open("rb") as f:
        catalog = read_po(f, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = tuple(message.id)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        if message.fuzzy:
            message.flags.discard("fuzzy")
            message.string = message.id if not isinstance(message.id, tuple) else tuple(message.id)
    with CATALOG.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False, sort_output=True, no_location=True)
    print(f"en: {filled} entries filled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
