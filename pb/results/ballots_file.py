"""The anonymous ballots as a ``.pb`` file, written once and sent as stored.

Writing it means building the election from every ballot and asking the rule how to declare it
(pb.results.exports.ballots_pb): 11 s for a city's 100,000 ballots, once per download before
this, so that two anonymous downloads held up a two-worker host. The ballots and the count are
final once voting closes, so the file is written then, with the count, in the transaction that
closes voting (or imports a file, or publishes a consultation closed by an older pb), and each
download streams the stored chunks.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from pb.consultations.phases import on_entering
from pb.extensions import db
from pb.jobs import files
from pb.models import Consultation, CountedResult, Phase
from pb.results.counting import result_for
from pb.results.exports import ballots_pb

CONTENT_TYPE = "text/plain; charset=utf-8"


def file_name(consultation: Consultation) -> str:
    return f"pb-{consultation.id}-ballots.pb"


def write_ballots_file(consultation: Consultation) -> None:
    """Store the file for the consultation's stored result, unless it is stored already (the
    caller commits, with the change that made the result final)."""
    stored = db.session.scalar(
        select(CountedResult).where(CountedResult.consultation_id == consultation.id)
    )
    if stored is None or stored.ballots_file_id is not None:
        return
    text = ballots_pb(consultation)
    kept = files.store(
        consultation.municipality_id,
        file_name(consultation),
        CONTENT_TYPE,
        _encoded(text),
    )
    stored.ballots_file_id = kept.id


def _encoded(text: str) -> Iterator[bytes]:
    step = files.CHUNK_BYTES // 4  # a character is at most 4 bytes in UTF-8
    for start in range(0, len(text), step):
        yield text[start : start + step].encode("utf-8")


@on_entering(Phase.CLOSED)
def write_at_close(consultation: Consultation) -> None:
    write_ballots_file(consultation)


@on_entering(Phase.PUBLISHED)
def write_at_publication(consultation: Consultation) -> None:
    """A consultation closed by an older pb has no file yet: publication, which stores its
    count, writes it too."""
    write_ballots_file(consultation)


def stored_file_id(consultation: Consultation) -> int | None:
    """The stored file of the consultation's result, if one is stored for its current count."""
    stored = result_for(consultation)
    return stored.ballots_file_id if stored.id is not None else None
