"""Voters' details on ballots: sealed while voting is open, counted and dropped when it closes.

A ballot's self-declared details (gender, age group, village) are needed only for the
participation figures, yet beside her choices they point at the voter: matched against the
profiles they give, they single out most account voters of a village. So they are never written
in the clear. While voting is open each ballot keeps them encrypted (AES-GCM, under a key derived
from the vote key: ``pb.keys.details_key``), padded to one length, so neither the database's
files nor a backup tell them, nor whether any were given. When voting closes they are read once,
in memory, inside the closing transaction, counted into ``VoterFigure`` (per detail) and
``ChoiceFigure`` (per proposal and detail), and the ballots are rewritten without them. Whoever
holds the vote key and the database together can read the details of ballots still open; after
close nobody can, since they are nowhere but in counts.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text, insert, select, type_coerce

from pb import keys
from pb.extensions import db
from pb.models import Ballot, ChoiceFigure, Gender, VoterFigure
from pb.models.voting import packed_items, read_item
from pb.voting.sheets import VoterDetails

logger = logging.getLogger(__name__)

#: The length of every sealed plaintext: the longest details (a gender, a band key of up to 10
#: characters, a village id) fit with room to spare, and every ballot's bytes are as long.
_PADDED = 64
_NONCE = 12
#: "Not given", as the figures store it.
NOT_GIVEN = ""
#: The details counted per proposal: what women and young people voted for.
PER_PROPOSAL = ("gender", "age")


def _aad(consultation_id: int) -> bytes:
    # Bound to the consultation: sealed details cannot be moved to another one's ballot.
    return f"pb: ballot details of consultation {consultation_id}".encode()


def seal(details: VoterDetails, consultation_id: int) -> bytes:
    """The details encrypted under the current vote key, all of one length (nothing given
    included, so the bytes do not tell whether anything was)."""
    plain = json.dumps(
        [
            details.gender.value if details.gender else None,
            details.age_group,
            details.village_id,
        ],
        separators=(",", ":"),
    ).encode()
    if len(plain) > _PADDED:
        raise ValueError("voter details too long to seal")
    nonce = os.urandom(_NONCE)
    padded = plain.ljust(_PADDED, b" ")
    return nonce + AESGCM(keys.details_key()).encrypt(nonce, padded, _aad(consultation_id))


def read(sealed: bytes | None, consultation_id: int) -> VoterDetails | None:
    """The details of a ballot, under the current vote key or an older one still accepted;
    None if none of this host's keys reads them (its vote key was rotated and the old one
    dropped while the vote was open, or the bytes were altered)."""
    if sealed is None:
        return VoterDetails()
    plain = _open(sealed, [AESGCM(key) for key in keys.details_keys()], _aad(consultation_id))
    return None if plain is None else _parsed(plain)


def _open(sealed: bytes, ciphers: Sequence[AESGCM], aad: bytes) -> bytes | None:
    nonce, body = sealed[:_NONCE], sealed[_NONCE:]
    for cipher in ciphers if len(nonce) == _NONCE else []:
        try:
            return cipher.decrypt(nonce, body, aad)
        except InvalidTag:
            continue
    return None


def _parsed(plain: bytes) -> VoterDetails:
    gender, age_group, village_id = json.loads(plain)
    return VoterDetails(
        gender=Gender(gender) if gender else None, age_group=age_group, village_id=village_id
    )


def unseal(sealed: bytes | None, consultation_id: int) -> VoterDetails:
    """The details of a ballot; none given if this host cannot read them (``read``)."""
    found = read(sealed, consultation_id)
    if found is None:
        _unreadable(consultation_id, 1)
        return VoterDetails()
    return found


def _unreadable(consultation_id: int, ballots: int) -> None:
    """Details no key of this host reads count as not given: a vote key dropped too early must
    not keep a consultation from ever closing. It is logged."""
    logger.error(
        "The voters' details of %d ballot(s) of consultation %s cannot be read with this "
        "host's VOTE_KEY or VOTE_KEY_FALLBACKS (README.md, Keys): counted as not given",
        ballots,
        consultation_id,
    )


@dataclass(frozen=True)
class Counted:
    """One ballot as the figures count it: how it came, what it said of its voter, and its
    choices (proposal id, points)."""

    channel: str
    details: VoterDetails
    choices: Sequence[tuple[int, int]]


def values_of(ballot: Counted) -> dict[str, str]:
    """The ballot's value for each detail, "" where not given."""
    details = ballot.details
    return {
        "gender": details.gender.value if details.gender else NOT_GIVEN,
        "age": details.age_group or NOT_GIVEN,
        "village": str(details.village_id) if details.village_id else NOT_GIVEN,
        "channel": ballot.channel,
    }


def record_figures(consultation_id: int, ballots: Iterable[Counted]) -> None:
    """Count the ballots into the consultation's figures: per detail, and per proposal for
    gender and age. One detail per row: no row tells two details of one person."""
    voters: Counter[tuple[str, str]] = Counter()
    chose: Counter[tuple[int, str, str]] = Counter()
    points: Counter[tuple[int, str, str]] = Counter()
    for ballot in ballots:
        values = values_of(ballot)
        voters.update(values.items())
        for proposal_id, given in ballot.choices:
            for dimension in PER_PROPOSAL:
                key = (proposal_id, dimension, values[dimension])
                chose[key] += 1
                points[key] += given
    _insert_figures(consultation_id, voters, chose, points)


def record_figures_at_close(consultation_id: int) -> None:
    """Count the consultation's ballots into its figures, as ``record_figures`` does, reading
    them from the database: what closing voting runs, before the ballots are rewritten without
    their details.

    Made for a city's 150,000 ballots: each ballot's details are decrypted once, with ciphers
    made once (not one per ballot), and parsed once per distinct plaintext (a few dozen: the
    combinations of gender, age group and village). Read in batches, each ballot is then only
    the index of its profile, and its choices are counted per (proposal, profile) before being
    spread over the details. Nothing stays in memory but the counts."""
    ciphers = [AESGCM(key) for key in keys.details_keys()]
    aad = _aad(consultation_id)
    # Each distinct (gender, age, village) once, as the strings the figures store.
    parsed: dict[bytes | None, tuple[str, str, str]] = {}
    profiles: dict[tuple[str, str, str, str], int] = {}
    # Per choice as stored ("12:3") and profile first: one counter update per choice, and
    # each distinct choice read as numbers once.
    by_stored_choice: Counter[tuple[str, int]] = Counter()
    count_of_profile: Counter[int] = Counter()
    unreadable = 0
    for channel, sealed, packed in db.session.execute(
        select(Ballot.channel, Ballot.sealed_details, type_coerce(Ballot.choices, Text)).where(
            Ballot.consultation_id == consultation_id
        ),
        execution_options={"yield_per": _BATCH},
    ):
        plain = None if sealed is None else _open(sealed, ciphers, aad)
        if sealed is not None and plain is None:
            unreadable += 1  # counted as nothing given: see _unreadable
        values = parsed.get(plain)
        if values is None:
            values = parsed[plain] = _strings(VoterDetails() if plain is None else _parsed(plain))
        profile = profiles.setdefault((*values, channel.value), len(profiles))
        count_of_profile[profile] += 1
        by_stored_choice.update((item, profile) for item in packed_items(packed))
    if unreadable:
        _unreadable(consultation_id, unreadable)
    if not count_of_profile:
        return
    chose_by_profile: Counter[tuple[int, int]] = Counter()
    points_by_profile: Counter[tuple[int, int]] = Counter()
    for (item, profile), n in by_stored_choice.items():
        proposal_id, given = read_item(item)
        chose_by_profile[(proposal_id, profile)] += n
        points_by_profile[(proposal_id, profile)] += n * given
    voters: Counter[tuple[str, str]] = Counter()
    for profile_values, index in profiles.items():
        for dimension, value in zip(_DIMENSIONS, profile_values, strict=True):
            voters[(dimension, value)] += count_of_profile[index]
    by_index = {index: values for values, index in profiles.items()}
    chose: Counter[tuple[int, str, str]] = Counter()
    points: Counter[tuple[int, str, str]] = Counter()
    for (proposal_id, index), n in chose_by_profile.items():
        gender, age = by_index[index][:2]
        for dimension, value in (("gender", gender), ("age", age)):
            chose[(proposal_id, dimension, value)] += n
            points[(proposal_id, dimension, value)] += points_by_profile[(proposal_id, index)]
    _insert_figures(consultation_id, voters, chose, points)


#: Rows read at a time at close: memory stays bounded whatever the number of ballots.
_BATCH = 10_000
_DIMENSIONS = ("gender", "age", "village", "channel")


def _strings(details: VoterDetails) -> tuple[str, str, str]:
    """(gender, age, village) as ``values_of`` gives them."""
    return (
        details.gender.value if details.gender else NOT_GIVEN,
        details.age_group or NOT_GIVEN,
        str(details.village_id) if details.village_id else NOT_GIVEN,
    )


def _insert_figures(
    consultation_id: int,
    voters: Counter[tuple[str, str]],
    chose: Counter[tuple[int, str, str]],
    points: Counter[tuple[int, str, str]],
) -> None:
    if voters:
        db.session.execute(
            insert(VoterFigure),
            [
                {"consultation_id": consultation_id, "dimension": d, "value": v, "ballots": n}
                for (d, v), n in sorted(voters.items())
            ],
        )
    if chose:
        db.session.execute(
            insert(ChoiceFigure),
            [
                {
                    "consultation_id": consultation_id,
                    "proposal_id": pid,
                    "dimension": d,
                    "value": v,
                    "ballots": n,
                    "points": points[(pid, d, v)],
                }
                for (pid, d, v), n in sorted(chose.items())
            ],
        )
