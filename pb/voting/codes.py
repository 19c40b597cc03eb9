"""Voting codes and receipt numbers: random, short enough to type from paper, no look-alikes."""

from __future__ import annotations

import secrets

from pb import keys

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: each character reads one way on a slip.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 10  # 25**10 ≈ 9.5e13 possible codes
RECEIPT_LENGTH = 12


# Bytes below this map evenly onto the alphabet (ten each); the others are dropped.
_EVEN_BELOW = 256 - 256 % len(ALPHABET)


def characters(random_bytes: bytes) -> list[str]:
    """The alphabet's characters that random bytes stand for, each as likely as the next."""
    return [ALPHABET[b % len(ALPHABET)] for b in random_bytes if b < _EVEN_BELOW]


def _random(length: int) -> str:
    # One read of the system's randomness for the lot, not one per character: a receipt is
    # drawn on every vote.
    chosen: list[str] = []
    while len(chosen) < length:
        chosen += characters(secrets.token_bytes(2 * length))
    return "".join(chosen[:length])


def group(text: str, size: int = 5) -> str:
    """ "ACDEFGHJKM" → "ACDEF-GHJKM", easier to read aloud and to type."""
    return "-".join(text[i : i + size] for i in range(0, len(text), size))


def slip_link(vote_url: str, code: str) -> str:
    """What a slip's QR code opens: the ballot, with the code after "#", the part of a link a
    browser never sends, so no server or proxy writes it to a log; the page's script
    (static/code_from_link.js) fills the code field from it."""
    return f"{vote_url}#code={code}"


def new_code() -> str:
    return _random(CODE_LENGTH)


def new_receipt() -> str:
    return _random(RECEIPT_LENGTH)


def normalise(typed: str) -> str:
    """What people type, upper-cased, without spaces or dashes."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())[:40]


def digest(kind: str, value: str) -> str:
    """A digest keyed with the current vote key, so the database alone does not let anyone
    test guesses offline. Lookups that must accept slips and receipts of older vote keys try
    ``keys.older_digests`` when this one finds nothing."""
    return keys.digest(kind, value)
