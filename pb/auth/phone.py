"""Kyrgyz phone numbers: what people type, turned into one written form, "+996 XXX XXX XXX"."""

from __future__ import annotations

import re


class PhoneError(ValueError):
    """Why a number was not accepted: ``foreign`` or ``invalid``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_SEPARATORS = re.compile(r"[\s\-().\u00a0]")


def normalise_phone(raw: str) -> str:
    """Accept "0555 12 34 56", "555123456", "996555123456", "+996 (555) 12-34-56", "00996...".

    Kyrgyz numbers have nine digits after the country code 996; a leading 0 is the domestic
    trunk prefix. Any other country code is refused: accounts are for residents of Kyrgyzstan.
    """
    text = _SEPARATORS.sub("", raw or "")
    if not text:
        raise PhoneError("invalid")
    international = False
    if text.startswith("+"):
        international, text = True, text[1:]
    elif text.startswith("00"):
        international, text = True, text[2:]
    if not text.isdigit():
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
    stripped = _SEPARATORS.sub("", text or "")
    return bool(stripped) and (stripped.lstrip("+").isdigit())
