"""Passwords too easy to guess: the most common ones, the person's own name or phone, one key
pressed again and again.

The list (common_passwords.txt, beside this module) holds what people in Kyrgyzstan and
everywhere choose first: digit runs, keyboard rows (also Russian words typed with the Latin
layout, as "gfhjkm" for "пароль"), names of places and people. Throttling slows guessing
down; these are the passwords a guesser tries first, within the few tries the throttle allows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

COMMON = _l("This password is one of the most common ones and is guessed first. Choose another.")
PERSONAL = _l("The password must not be your name, user name or phone number.")
REPEATED = _l("The password must not be one character repeated.")

# Rows of the keyboards people here type on (Latin, Russian, Kyrgyz) and the digits: a
# password that runs along one of them, either way, is as good as a common one.
_RUNS = (
    "01234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "йцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю",
)
# What people add to a common word to pass a length rule: "password1", "qwerty2024!".
_SUFFIX = re.compile(r"[\W\d_]{1,5}$")
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
_NATIONAL_DIGITS = 9  # a Kyrgyz number without 996 or the trunk 0


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list, read once per process; lines starting with # are comments."""
    text = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8")
    entries = [_comparable(line) for line in text.splitlines() if line.strip() and line[0] != "#"]
    return frozenset(entries) | {_NOT_LETTER_OR_DIGIT.sub("", entry) for entry in entries}


def _comparable(text: str) -> str:
    # NFKC turns full-width letters and digits into plain ones, so they are no way around.
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _digits(text: str) -> str:
    return "".join(
        str(unicodedata.digit(c)) for c in text if unicodedata.digit(c, None) is not None
    )


def _is_run(word: str) -> bool:
    return any(word in run or word in run[::-1] for run in _RUNS)


def _personal_words(personal: Iterable[str | None]) -> set[str]:
    """The names a person is known by, whole and word by word, in comparable form."""
    words: set[str] = set()
    for value in personal:
        if not value:
            continue
        whole = _NOT_LETTER_OR_DIGIT.sub("", _comparable(value))
        if len(whole) >= 3:
            words.add(whole)
        words.update(w for w in _NOT_LETTER_OR_DIGIT.split(_comparable(value)) if len(w) >= 3)
    return words


def _phones(personal: Iterable[str | None]) -> set[str]:
    """The national nine digits of every phone number among ``personal``, however written."""
    found = set()
    for value in personal:
        digits = _digits(value or "")
        if len(digits) >= _NATIONAL_DIGITS:
            found.add(digits[-_NATIONAL_DIGITS:])
    return found


def password_problem(password: str, personal: Iterable[str | None] = ()) -> LazyString | None:
    """Why ``password`` is too easy to guess, or None. ``personal`` holds what identifies its
    owner: her name, user name and phone number, as far as they are known."""
    personal = list(personal)
    text = _comparable(password)
    bare = _NOT_LETTER_OR_DIGIT.sub("", text)
    if len(set(text)) <= 1 or len(set(bare)) == 1:
        return REPEATED
    stem = _SUFFIX.sub("", text)
    # The password as typed, without its punctuation, and without what was added at the end.
    forms = {text, bare, stem, _NOT_LETTER_OR_DIGIT.sub("", stem)} - {""}
    if forms & _personal_words(personal):
        return PERSONAL
    digits = _digits(text)
    if any(phone in digits for phone in _phones(personal)):
        return PERSONAL
    if forms & common_passwords() or (len(bare) >= 4 and _is_run(bare)):
        return COMMON
    return None
