"""Starting jobs, and trying a failed or stopped one again."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from pb.audit import trail as audit
from pb.errors import PermissionDenied, RuleViolation
from pb.extensions import db
from pb.jobs import files, queue
from pb.jobs.kinds import KINDS
from pb.models import Job, JobState, User
from pb.models.base import utcnow


def start(
    actor: User,
    kind: str,
    municipality_id: int,
    *,
    consultation_id: int | None = None,
    params: dict[str, Any] | None = None,
    upload: tuple[IO[bytes], str, str] | None = None,
) -> Job:
    """Save a job (and the file it reads) and hand it to the workers. The caller has checked
    that ``actor`` may ask for it; the job checks again when it runs, as her.

    The same job asked for again while one is waiting or running (a double click, a second
    officer) is that one: its page is shown, nothing is started twice."""
    job_kind = KINDS[kind]
    if consultation_id is not None:
        pending = db.session.scalar(
            select(Job).where(
                Job.consultation_id == consultation_id,
                Job.kind == kind,
                Job.state.in_((JobState.QUEUED, JobState.RUNNING)),
            )
        )
        if pending is not None and not stalled(pending):
            return pending
    job = Job(
        kind=kind,
        municipality_id=municipality_id,
        consultation_id=consultation_id,
        created_by_id=actor.id,
        params=params or {},
    )
    if upload is not None:
        stream, name, content_type = upload
        job.input_file = files.store_upload(municipality_id, stream, name, content_type)
    db.session.add(job)
    db.session.flush()
    audit.record(
        actor,
        "job.start",
        municipality_id=municipality_id,
        target=("job", job.id),
        after={"kind": job_kind.name, "consultation": consultation_id},
    )
    job_id = job.id  # read before the commit, which expires it: reading it after would begin
    # a transaction, holding SQLite's write lock while the job runs (in the tests, here)
    db.session.commit()
    # After the commit: a worker that takes it at once must find it.
    queue.enqueue(job_id)
    return job


def stalled(job: Job, now: float | None = None) -> bool:
    """Whether a running job has given no sign of life for too long (its worker was stopped), or
    a queued one has waited as long (no worker runs): either may be started again."""
    if job.finished:
        return False
    now = now or time.time()
    if job.state == JobState.RUNNING:
        progress = queue.progress_of(job.id)
        last = progress.at or _epoch(job.started_at)
    else:
        last = _epoch(job.created_at)
    return now - last > queue.STALLED_AFTER_SECONDS


def _epoch(moment: datetime | None) -> float:
    return moment.replace(tzinfo=UTC).timestamp() if moment else 0.0


def retry(actor: User, job: Job) -> Job:
    """Run a failed or stopped job again, as it was asked. Safe: every job's work is one
    transaction, so a failed or stopped one saved nothing, and one done is not retried."""
    if not KINDS[job.kind].may_follow(actor, job):
        raise PermissionDenied()
    if job.state == JobState.DONE:
        raise RuleViolation(_l("This work is done already."))
    if not (job.state == JobState.FAILED or stalled(job)):
        raise RuleViolation(_l("This work is still under way."))
    job.state = JobState.QUEUED
    job.error = None
    job.started_at = None
    job.finished_at = None
    job.created_at = utcnow()
    audit.record(
        actor,
        "job.retry",
        municipality_id=job.municipality_id,
        target=("job", job.id),
        after={"kind": job.kind, "attempts": job.attempts},
    )
    job_id = job.id  # before the commit, as in start()
    db.session.commit()
    queue.enqueue(job_id)
    return job
