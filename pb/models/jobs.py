"""Work that outgrows a request: a ``Job`` the queue's workers run, and the files jobs read and
write (``StoredFile``).

A job's row is what lasts: who asked for what, on which consultation, and how it ended (done,
with what it made; or failed, with why in each language). Its progress while it runs is not kept
here but in the queue's own storage (pb.jobs.queue): a worker writing "1,200 of 90,494" every
second must not wait on, or hold, the database's write lock that the job's own transaction takes.

Files are kept in the database, in chunks, so that every app server and worker reaches them (no
host's disk is shared) and none is ever read into memory whole: an uploaded ``.pb`` file is read
chunk by chunk by the import, a published ``.pb`` file is sent chunk by chunk to its downloaders.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import Model
from pb.models.base import UTCDateTime, enum_column, utcnow


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Model):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_consultation_kind", "consultation_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A name registered in pb.jobs.kinds: what the job does and who may follow it.
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[JobState] = mapped_column(enum_column(JobState), default=JobState.QUEUED)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What the job was asked to do (the form's answers), as JSON values.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What it made, for the page that follows (a consultation's id, a stored file's id).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Why it failed, in each language ({"ky": ..., "ru": ..., "en": ...}): read later, by
    # whoever opens the page, in hers.
    error: Mapped[dict[str, str] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    # The file it reads (an upload), if any.
    input_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    input_file: Mapped[StoredFile | None] = relationship(foreign_keys=[input_file_id])

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class StoredFile(Model):
    """A file kept in the database: an upload a job reads, or a file a job wrote."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))  # as offered to a downloader
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoredFileChunk(Model):
    __tablename__ = "stored_file_chunks"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_files.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
