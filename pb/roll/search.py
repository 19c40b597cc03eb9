"""Finding people on a municipality's roll: at the office, at a village meeting's desk, when
confirming an account. One search for all of them."""

from __future__ import annotations

import contextlib

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from pb.alphabet import fold
from pb.auth.phone import PhoneError, looks_like_phone, normalise_phone
from pb.collation import folded, in_kyrgyz_order
from pb.extensions import db
from pb.models import RollEntry
from pb.roll.names import name_key

SHOWN_AT_MOST = 50


def search_entries(
    municipality_id: int,
    text: str = "",
    village_id: int | None = None,
    limit: int = SHOWN_AT_MOST,
) -> list[RollEntry]:
    """Entries of the roll matching ``text``, by name: every word typed must be part of the
    name, in any order ("асан гүл" finds "Асанова Гүлнара"), with ө, ү, ң typed as о, у, н or
    not ("асан гул" finds her too: ``pb.alphabet.fold``). A phone number finds the entry
    with that number, and what could be a household number finds that household too."""
    query = (
        select(RollEntry)
        .where(RollEntry.municipality_id == municipality_id)
        .options(joinedload(RollEntry.village))
        .order_by(in_kyrgyz_order(RollEntry.name_key), RollEntry.birth_year, RollEntry.id)
        .limit(limit)
    )
    if village_id is not None:
        query = query.where(RollEntry.village_id == village_id)
    text = text.strip()
    if text and looks_like_phone(text):
        found = [RollEntry.household == text]
        with contextlib.suppress(PhoneError):
            found.append(RollEntry.phone == normalise_phone(text))
        query = query.where(or_(*found))
    elif text:
        for word in name_key(text).split():
            query = query.where(folded(RollEntry.name_key).contains(fold(word), autoescape=True))
    return list(db.session.scalars(query))
