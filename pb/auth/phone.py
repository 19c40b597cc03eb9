"""Kyrgyz phone numbers: what people type, turned into one written form, "+996 XXX XXX XXX"."""

from __future__ import annotations

import re
import unicodedata


class PhoneError(ValueError):
    """Why a number was not accepted: ``foreign`` or ``invalid``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_SEPARATORS = re.compile(r"[\s\-().\u00a0]")


def _plain(raw: str) -> str:
    """``raw`` without separators, with every script's digits as ASCII ones.

    A phone keyboard may type full-width (０) or Arabic-Indic (٠) digits, and Python counts
    them as digits: kept as typed, "0555 000 ００1" would be another account than
    "0555 000 001", one that looks the same. NFKC turns full-width forms (digits, "＋") into
    plain ones; any other script's decimal digit becomes its ASCII digit.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c for c in text
    )
    return _SEPARATORS.sub("", text)


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def normalise_phone(raw: str) -> str:
    """Accept "0555 12 34 56", "555123456", "996555123456", "+996 (555) 12-34-56", "00996...".

    Kyrgyz numbers have nine digits after the country code 996; a leading 0 is the domestic
    trunk prefix. Any other country code is refused: accounts are for residents of Kyrgyzstan.
    """
    text = _plain(raw)
    if not text:
        raise PhoneError("invalid")
    international = False
    if text.startswith("+"):
        international, text = True, text[1:]
    elif text.startswith("00"):
        international, text = True, text[2:]
    if not _ascii_digits(text):
        raise PhoneError("invalid")
    if international:
        if not text.startswith("996"):
            raise PhoneError("foreign")
        national = text[3:]
    elif len(text) == 12 and text.startswith("996"):
        national = text[3:]
    elif len(text) == 10 and text.startswith("0"):
        national = text[1:]
    elif len(text) == 9:
        national = text
    elif len(text) > 10:
        # A long number without +996 is another country's, written in full.
        raise PhoneError("foreign")
    else:
        raise PhoneError("invalid")
    if len(national) != 9 or national.startswith("0"):
        raise PhoneError("invalid")
    return f"+996 {national[:3]} {national[3:6]} {national[6:]}"


def looks_like_phone(text: str) -> bool:
    stripped = _plain(text)
    return _ascii_digits(stripped.lstrip("+"))
