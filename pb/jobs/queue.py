"""The job queue: Huey, with its queue in SQLite beside the site's database by default, in Redis
when several hosts share the work (``PB_JOBS_QUEUE=redis://host:6379/0``).

Huey is small, maintained, and keeps its queue in SQLite as readily as in Redis: `make run`
needs nothing more than the site itself, and a deployment of several app servers points them
and their workers at one Redis. Only what the queue carries goes through it: a job's number. The
job's row, in the site's database, says what to do and how it ended (pb.models.jobs); its
progress, written every second or so while it runs, is kept in the queue's own key-value store,
out of the database whose write lock the job's transaction holds (on SQLite, one writer at a
time: a progress row written beside an import's transaction would wait for it to end).

``PB_JOBS_QUEUE`` is one of:

- ``sqlite:///path/to/jobs.sqlite`` (the default, in the instance folder): one host;
- ``redis://host:port/db``: any number of hosts;
- ``immediate``: each job runs at once, in the process that starts it (the tests).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

#: How long a running job may go without a sign of life before its page calls it stopped (a
#: worker killed, a host restarted) and offers to run it again. A job reports progress at least
#: every few seconds while it works; counting a city's ballots by Equal Shares, the longest step
#: that cannot report, takes under a minute.
STALLED_AFTER_SECONDS = 10 * 60


def queue_for(app: Flask) -> Huey:
    """The queue this application's configuration names, made on first use (a test app that
    never starts a job never touches the instance folder)."""
    queue: Huey | None = app.extensions.get("pb_jobs_queue")
    if queue is None:
        queue = _make_queue(app)
        from pb.jobs.running import run_job

        @queue.task(name="pb.jobs.run")
        def run(job_id: int) -> None:
            # A worker's thread has no app context: each job gets its own, and with it its own
            # database session.
            with app.app_context():
                run_job(job_id)

        app.extensions["pb_jobs_queue"] = queue
        app.extensions["pb_jobs_task"] = run
    return queue


def _make_queue(app: Flask) -> Huey:
    where = app.config.get("JOBS_QUEUE") or "sqlite:///" + os.path.join(
        app.instance_path, "jobs.sqlite"
    )
    # Results are not kept by Huey: a job's row says how it ended.
    if where == "immediate":
        return MemoryHuey("pb", immediate=True, results=False)
    if where.startswith("sqlite:///"):
        filename = where[len("sqlite:///") :]
        os.makedirs(os.path.dirname(filename) or ".", mode=0o700, exist_ok=True)
        return SqliteHuey("pb", filename=filename, results=False)
    if where.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("pb", url=where, results=False)
    raise RuntimeError(f"JOBS_QUEUE must be sqlite:///..., redis://... or immediate, not {where!r}")


def enqueue(job_id: int) -> None:
    """Hand a job, already committed, to the workers."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue_for(app)
    app.extensions["pb_jobs_task"](job_id)


@dataclass(frozen=True)
class Progress:
    done: int = 0
    total: int = 0
    at: float = 0.0  # time.time() of the last report: a sign of life

    @property
    def percent(self) -> int | None:
        if self.total <= 0:
            return None
        return min(100, self.done * 100 // self.total)


def _key(job_id: int) -> str:
    return f"pb:job:{job_id}:progress"


def report_progress(job_id: int, done: int, total: int) -> None:
    queue = queue_for(current_app._get_current_object())  # type: ignore[attr-defined]
    queue.put(_key(job_id), {"done": done, "total": total, "at": time.time()})


def progress_of(job_id: int) -> Progress:
    queue = queue_for(current_app._get_current_object())  # type: ignore[attr-defined]
    value: dict[str, Any] | None = queue.get(_key(job_id), peek=True)
    if not value:
        return Progress()
    return Progress(int(value["done"]), int(value["total"]), float(value["at"]))


def forget_progress(job_id: int) -> None:
    queue = queue_for(current_app._get_current_object())  # type: ignore[attr-defined]
    queue.delete(_key(job_id))


def run_worker(app: Flask, workers: int = 1) -> None:
    """Take jobs from the queue until stopped (Ctrl-C, or SIGTERM from a service manager)."""
    queue = queue_for(app)
    if queue.immediate:
        raise RuntimeError("JOBS_QUEUE is 'immediate': jobs run where they start, no worker")
    # Threads: a job spends its time in the database or in C code that releases the GIL, and a
    # thread shares the process's app and connection pool. The periodic scheduler is off: pb
    # has no periodic tasks.
    # An idle worker asks the queue at most a second apart (Huey backs off to 10 s by default):
    # an officer who has just pressed a button waits for it. On SQLite the question is one
    # small read; Redis blocks until a job comes anyway.
    queue.create_consumer(
        workers=workers, worker_type="thread", periodic=False, max_delay=1.0
    ).run()
