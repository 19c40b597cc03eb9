"""Who voted, as the rows written while voting keep it: digests keyed with the vote key
(``pb.keys``), never an account's, a code's or a roll entry's id.

A vote writes, in the one transaction that writes the voter's choices, her link
(``VoterLink``: which ballot is hers, so she may change it) and, where the roll votes, her mark
(``RollMark``: one voice per person). Had they held her ids, the database's files - its
write-ahead log, dead rows, a backup taken during voting - would link a named person to her
choices, and to the time she voted, long after the links are deleted at close. They hold
keyed digests instead, made in Python before the statement (no round trip): whoever has the
files but not the vote key cannot tell whose they are. The app, which holds the key, can:
that is what lets a voter change her ballot and the desk see who voted.

The digests are made with the current vote key. A link or mark made under an older key (the key
was rotated while a consultation was voting) is looked for under the older keys still accepted
(``VOTE_KEY_FALLBACKS``) only while there are any, so a vote costs one lookup more only then,
and keeps the digest it was made with: one link and one mark per voter, whatever the rotations.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute

from pb import keys
from pb.extensions import db
from pb.models import RollMark, VoterLink

_VOTER = "voter"
_ROLL = "roll entry"


def _account(consultation_id: int, user_id: int) -> str:
    return f"{consultation_id}:account:{user_id}"


def _code(consultation_id: int, code_digest: str) -> str:
    # Of the code's own digest (the one its row holds), not of the code: the vote has it
    # already, and it names the same code whatever key it was made with.
    return f"{consultation_id}:code:{code_digest}"


def _entry(consultation_id: int, entry_id: int) -> str:
    return f"{consultation_id}:{entry_id}"


def account_link(consultation_id: int, user_id: int) -> str:
    """The ``voter_digest`` of an account's link in a consultation."""
    return _settled_link(consultation_id, _account(consultation_id, user_id))


def code_link(consultation_id: int, code_digest: str) -> str:
    """The ``voter_digest`` of a code's link, from the code's digest."""
    return _settled_link(consultation_id, _code(consultation_id, code_digest))


def account_links(consultation_id: int, user_id: int) -> list[str]:
    """Every ``voter_digest`` an account's link may have (one per vote key accepted)."""
    return keys.digests(_VOTER, _account(consultation_id, user_id))


def entry_mark(consultation_id: int, entry_id: int) -> str:
    """The ``entry_digest`` of a person's mark in a consultation."""
    return _settled(
        RollMark.entry_digest,
        RollMark.consultation_id == consultation_id,
        _ROLL,
        _entry(consultation_id, entry_id),
    )


def entry_marks(consultation_id: int, entry_ids: Iterable[int]) -> dict[str, int]:
    """Every ``entry_digest`` the marks of these people may have, each with its entry's id:
    a few thousand are made in milliseconds."""
    return {
        digest: entry_id
        for entry_id in entry_ids
        for digest in keys.digests(_ROLL, _entry(consultation_id, entry_id))
    }


def _settled_link(consultation_id: int, value: str) -> str:
    return _settled(
        VoterLink.voter_digest, VoterLink.consultation_id == consultation_id, _VOTER, value
    )


def _settled(
    column: InstrumentedAttribute[str], in_consultation: ColumnElement[bool], kind: str, value: str
) -> str:
    """The digest a row already has under an older vote key, if one has; else the current
    key's. Without older keys (the usual case) no query is made."""
    current = keys.digest(kind, value)
    older = keys.older_digests(kind, value)
    if not older:
        return current
    found = db.session.scalar(select(column).where(in_consultation, column.in_(older)).limit(1))
    return found or current
