"""Names as the roll compares them: the same person written by two clerks should compare equal.

Household registers are typed by hand, in Cyrillic, by many people over many years: "Ё" and
"Е" are used for one another, capitals and spacing vary, and some clerks type Latin letters that
look like Cyrillic ones. Kyrgyz letters (ң, ө, ү) are kept: they tell names apart.
"""

from __future__ import annotations

import re
import unicodedata

# Latin letters typed for the Cyrillic ones they look like (lower case, after casefold).
_LOOKALIKES = str.maketrans(
    {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к", "m": "м"}
)
_NOT_NAME = re.compile(r"[^\w\s-]")
_SPACES = re.compile(r"[\s-]+")


def clean_name(raw: str) -> str:
    """A name as it will be shown: trimmed, single spaces, in NFC."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def name_key(raw: str) -> str:
    """The name as compared, for search and for likely duplicates."""
    text = unicodedata.normalize("NFC", raw).casefold().replace("ё", "е")
    if any("а" <= ch <= "я" or ch in "өүң" for ch in text):
        # Latin lookalikes only in a name that is otherwise Cyrillic: an English name stays.
        text = text.translate(_LOOKALIKES)
    text = _NOT_NAME.sub("", text)
    return _SPACES.sub(" ", text).strip()
