"""Running a job in a worker: claim it, do its work as the person who asked, and say how it
ended, in every language, for whoever opens its page."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, cast

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, event, update
from sqlalchemy.orm import Session

from pb.config import LANGUAGES
from pb.errors import PermissionDenied, RuleViolation
from pb.extensions import db
from pb.jobs import queue
from pb.jobs.kinds import KINDS
from pb.models import Job, JobState, User
from pb.models.base import utcnow

logger = logging.getLogger("pb.jobs")

#: A job reports progress at most this often: every report is a write to the queue's store.
REPORT_EVERY_SECONDS = 0.5


def run_job(job_id: int) -> None:
    """Do the job, unless another worker has taken it or it has ended (a job handed to the queue
    twice, by a retry racing a slow worker, runs once)."""
    claimed = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.QUEUED)
            .values(state=JobState.RUNNING, started_at=utcnow(), attempts=Job.attempts + 1)
        ),
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return
    job = db.session.get(Job, job_id)
    assert job is not None
    kind = KINDS[job.kind]
    last_report = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last_report
        now = time.monotonic()
        if now - last_report >= REPORT_EVERY_SECONDS or (total and done >= total):
            last_report = now
            queue.report_progress(job_id, done, total)

    queue.report_progress(job_id, 0, 0)
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    try:
        if actor is None:
            raise PermissionDenied()
        # Marked done before the work, in the session: the work's own commit saves it with
        # the work, and a failure rolls both back. A job is never done without its work, nor
        # its work saved with the job still running.
        job.state = JobState.DONE
        # And when it ended, at the commit that ends it (the session's own event).
        event.listen(db.session(), "before_commit", _finishing(job), once=True)
        kind.run(job, actor, report)
    except Exception as error:
        db.session.rollback()
        _fail(job_id, error)
    else:
        if db.session.dirty or db.session.new:
            # A runner that did not commit its work: it is saved now, with the job's end.
            db.session.commit()
        logger.info("job %s (%s) done", job_id, job.kind)
    finally:
        queue.forget_progress(job_id)


def _finishing(job: Job) -> Callable[[Session], None]:
    def stamp(session: Session) -> None:
        job.finished_at = utcnow()

    return stamp


def _fail(job_id: int, error: Exception) -> None:
    if isinstance(error, RuleViolation):
        message: object = error.message
    elif isinstance(error, PermissionDenied):
        message = _l("You do not have permission to do this.")
    else:
        # Not the exception's text: it may hold what a page must not show (values, SQL).
        logger.exception("job %s failed", job_id)
        message = _l("Something went wrong on our side. Nothing was saved. You can try again.")
    said = {}
    for language in LANGUAGES:
        with force_locale(language):
            said[language] = str(message)
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=JobState.FAILED, error=said, finished_at=utcnow())
    )
    db.session.commit()
    logger.info("job %s failed: %s", job_id, said["en"])
