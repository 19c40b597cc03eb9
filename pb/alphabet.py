"""Kyrgyz alphabetical order and the folding rule of search: plain Python, no Flask.

Kyrgyz is written in Cyrillic with three letters Russian lacks, each after its nearest Russian
letter: а б в г д е ё ж з и й к л м н ң о ө п р с т у ү ф х ц ч ш щ ъ ы ь э ю я. Python's own
order (code points) puts ң, ө, ү after я. ``sort_key`` gives the Kyrgyz order, as ICU's Kyrgyz
collation does on PostgreSQL (``pb.collation``): case matters only between names otherwise
equal (lower case first), spaces and punctuation come before digits, digits before letters,
Cyrillic before Latin.

``fold`` is what search compares: lower case, and ө, ү, ң, ё as о, у, н, е, since many people
type on Russian keyboards without the Kyrgyz letters ("тон" finds "Тоң").
"""

from __future__ import annotations

import unicodedata

KYRGYZ_ALPHABET = "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя"

# The letters search treats as the same, and the SQL that applies the same rule
# (pb.collation) is built from these two strings.
FOLD_FROM = "өүңё"
FOLD_TO = "оуне"
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)

_RANK = {letter: rank for rank, letter in enumerate(KYRGYZ_ALPHABET)}
# Groups in their order; within a group, a letter's rank.
_SPACE_OR_MARK, _DIGIT, _CYRILLIC, _LATIN, _OTHER = range(5)


def fold(text: str) -> str:
    """``text`` as search compares it: lower case, ө→о, ү→у, ң→н, ё→е."""
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD)


def _primary(char: str) -> tuple[int, int]:
    if char in _RANK:
        return (_CYRILLIC, _RANK[char])
    if char.isdigit():
        return (_DIGIT, unicodedata.digit(char, 0))
    if char.isalpha():
        # Other Cyrillic letters (і, ї...) after the Kyrgyz ones, Latin after Cyrillic.
        group = _CYRILLIC if "Ѐ" <= char <= "ӿ" else _LATIN if char < "ɐ" else _OTHER
        return (group, len(_RANK) + ord(char))
    return (_SPACE_OR_MARK, ord(char))


def sort_key(text: str | None) -> tuple[tuple[tuple[int, int], ...], tuple[bool, ...], str]:
    """A key that orders names as a Kyrgyz reader expects: ``sorted(names, key=sort_key)``."""
    text = unicodedata.normalize("NFC", text or "")
    return (
        tuple(_primary(low) for char in text for low in char.lower()),
        tuple(char != char.lower() for char in text),
        text,
    )


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` comes before, with or after ``b`` (SQLite's collation callback)."""
    key_a, key_b = sort_key(a), sort_key(b)
    return (key_a > key_b) - (key_a < key_b)
