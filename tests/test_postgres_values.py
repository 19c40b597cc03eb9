"""pb.postgres._text: the values pb's prepared statements send, in PostgreSQL's text form
(no server needed)."""

import enum
from datetime import datetime

import pytest

from pb.postgres import _text


class Colour(enum.StrEnum):
    RED = "red"


class Size(enum.IntEnum):
    LARGE = 3


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (True, b"t"),
        (False, b"f"),
        (0, b"0"),
        (-12, b"-12"),
        (Size.LARGE, b"3"),
        ("", b""),
        ("Ала-Бука", "Ала-Бука".encode()),
        (Colour.RED, b"red"),
        (datetime(2026, 3, 8, 10, 30, 5, 123), b"2026-03-08T10:30:05.000123"),
        ([4, 5, -6], b"{4,5,-6}"),
        ((), b"{}"),
    ],
)
def test_values_in_text_form(value, text):
    assert _text(value) == text


@pytest.mark.parametrize("value", [1.5, b"bytes", ["a", "b"], [1, None], [True], {"a": 1}])
def test_what_it_does_not_know_is_refused(value):
    with pytest.raises(TypeError):
        _text(value)
