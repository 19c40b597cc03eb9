"""Files kept in the database, written and read a chunk at a time (pb.models.jobs says why)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from sqlalchemy import insert, select

from pb.extensions import db
from pb.models import StoredFile, StoredFileChunk

#: A chunk's size: large enough that a 16 MB upload is 64 rows, small enough that reading one
#: costs nothing next to what is done with it.
CHUNK_BYTES = 256 * 1024


def store(
    municipality_id: int, name: str, content_type: str, chunks: Iterable[bytes]
) -> StoredFile:
    """Keep the bytes ``chunks`` yields as one file (the caller commits)."""
    stored = StoredFile(municipality_id=municipality_id, name=name, content_type=content_type)
    db.session.add(stored)
    db.session.flush()
    size = 0
    position = 0
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        while len(pending) >= CHUNK_BYTES:
            _write(stored.id, position, bytes(pending[:CHUNK_BYTES]))
            del pending[:CHUNK_BYTES]
            position += 1
        size += len(chunk)
    if pending or position == 0:
        _write(stored.id, position, bytes(pending))
    stored.size = size
    return stored


def _write(file_id: int, position: int, data: bytes) -> None:
    db.session.execute(
        insert(StoredFileChunk).values(file_id=file_id, position=position, data=data)
    )


def store_upload(
    municipality_id: int, upload: IO[bytes], name: str, content_type: str
) -> StoredFile:
    return store(municipality_id, name, content_type, iter(lambda: upload.read(CHUNK_BYTES), b""))


def chunks_of(file_id: int) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time: one row in memory at once, whatever the file's size."""
    positions = db.session.scalars(
        select(StoredFileChunk.position)
        .where(StoredFileChunk.file_id == file_id)
        .order_by(StoredFileChunk.position)
    ).all()
    for position in positions:
        data = db.session.scalar(
            select(StoredFileChunk.data).where(
                StoredFileChunk.file_id == file_id, StoredFileChunk.position == position
            )
        )
        if data:
            yield data
