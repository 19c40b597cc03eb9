"""Background jobs with real workers: `flask worker` in its own process, taking jobs from a
SQLite queue (as `make run` does) and from Redis (as several hosts do); and the job's page."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from pb.extensions import db
from pb.jobs import queue
from pb.models import Ballot, Channel, Consultation, Job, JobState, Phase
from pb.models.base import utcnow
from tests import factories
from tests.conftest import TEST_DATABASE_URL, _app_context, _make_app
from tests.jobs.workers import start_worker, stop_worker


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


QUEUES = [
    pytest.param("sqlite", id="sqlite-queue"),
    pytest.param(
        "redis",
        id="redis-queue",
        marks=pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379"),
    ),
]


@pytest.fixture(params=QUEUES)
def queued_app(request: pytest.FixtureRequest, tmp_path: Path, _database: None) -> Iterator[Flask]:
    """The app on a database a worker process can share (a file, or PostgreSQL), with a real
    queue: a SQLite file, or a Redis database of its own, emptied first."""
    if request.param == "sqlite":
        where = f"sqlite:///{tmp_path}/jobs.sqlite"
    else:
        where = "redis://127.0.0.1:6379/13"
    database = TEST_DATABASE_URL or f"sqlite:///{tmp_path}/pb.sqlite"
    with _app_context(_make_app(SQLALCHEMY_DATABASE_URI=database, JOBS_QUEUE=where)) as app:
        queue.queue_for(app).flush()
        yield app


@pytest.fixture
def worker(queued_app: Flask) -> Iterator[subprocess.Popen[bytes]]:
    process = start_worker(queued_app)
    yield process
    stop_worker(process)


def _voting(world: factories.World, ballots: int = 30) -> int:
    """A consultation with ``ballots`` cast, whose voting has run its announced course."""
    consultation = world.consultation
    proposals = factories.open_voting(consultation)
    for number in range(ballots):
        ballot = Ballot(consultation_id=consultation.id, channel=Channel.PAPER)
        ballot.choices = {proposals[number % 3].id: 1}
        db.session.add(ballot)
    consultation.voting_until = utcnow().date() - timedelta(days=1)
    consultation_id = consultation.id
    db.session.commit()
    return consultation_id


def _read(statement):  # type: ignore[no-untyped-def]
    """A read by the test itself, its transaction ended at once: on a SQLite file every
    transaction outside a GET request takes the write lock (pb.sqlite), which the requests and
    the worker need."""
    try:
        return db.session.execute(statement).all()
    finally:
        db.session.rollback()


def _client(app: Flask, user: object):  # type: ignore[no-untyped-def]
    client = app.test_client(user=user)  # type: ignore[call-arg]
    db.session.rollback()  # it read the user's id
    return client


def _phase(consultation_id: int) -> Phase:
    return _read(select(Consultation.phase).where(Consultation.id == consultation_id))[0][0]


def _wait_until_finished(job_id: int, worker: subprocess.Popen[bytes]) -> Job:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job is not None
        db.session.expunge(job)
        db.session.rollback()
        if job.finished:
            return job
        if worker.poll() is not None:
            raise AssertionError(f"the worker stopped: {worker.stderr.read().decode()}")  # type: ignore[union-attr]
        time.sleep(0.2)
    raise AssertionError("the job did not finish in 90 s")


def test_a_worker_closes_voting_and_the_page_follows_it(queued_app, worker):
    world = factories.build_world()
    consultation_id = _voting(world)
    officer = _client(queued_app, world.officer)
    response = officer.post(
        f"/c/{consultation_id}/phase",
        data={"direction": "advance", "expected": "voting", "confirm": "yes"},
    )
    job_page = response.headers["Location"]
    assert job_page.endswith(f"/jobs/{_read(select(Job.id))[0][0]}")
    job = _wait_until_finished(int(job_page.rsplit("/", 1)[1]), worker)
    assert (job.state, job.result, job.attempts) == (JobState.DONE, {"phase": "closed"}, 1)
    # Stamped at the commit that ends the work, not when it began.
    assert job.started_at < job.finished_at
    assert _phase(consultation_id) == Phase.CLOSED
    page = officer.get(job_page).get_data(as_text=True)
    assert "Done." in page and f'href="/c/{consultation_id}"' in page
    # A finished job's page no longer refreshes itself, nor loads the script that would.
    assert 'http-equiv="refresh"' not in page and "jobs.js" not in page


def test_a_job_waits_in_the_queue_until_a_worker_takes_it(queued_app):
    world = factories.build_world()
    consultation_id = _voting(world)
    officer = _client(queued_app, world.officer)
    job_page = officer.post(
        f"/c/{consultation_id}/phase",
        data={"direction": "advance", "expected": "voting", "confirm": "yes"},
    ).headers["Location"]
    page = officer.get(job_page).get_data(as_text=True)
    assert "Waiting for its turn" in page
    # Without JavaScript it reloads itself; with it, jobs.js asks for the figures.
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert "jobs.js" in page
    state = officer.get(f"{job_page}/progress.json").get_json()
    assert state == {
        "state": "queued",
        "finished": False,
        "stalled": False,
        "percent": None,
        "status": "Waiting for its turn…",
    }
    # Asked again (a double click, another officer), it is the same job.
    again = officer.post(
        f"/c/{consultation_id}/phase",
        data={"direction": "advance", "expected": "voting", "confirm": "yes"},
    )
    assert again.headers["Location"] == job_page
    assert len(_read(select(Job.id))) == 1
    assert _phase(consultation_id) == Phase.VOTING


def test_a_job_nobody_takes_can_be_started_again(queued_app, worker):
    world = factories.build_world()
    consultation_id = _voting(world)
    job = Job(
        kind="close-voting",
        municipality_id=world.municipality.id,
        consultation_id=consultation_id,
        created_by_id=world.officer.id,
        params={"expected": "voting"},
        # Queued long ago, and lost: a queue emptied, or the host's disk replaced.
        created_at=utcnow() - timedelta(hours=1),
    )
    db.session.add(job)
    db.session.flush()
    job_id = job.id
    db.session.commit()
    officer = _client(queued_app, world.officer)
    page = officer.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "No worker has taken this work yet." in page
    officer.post(f"/jobs/{job_id}/retry")
    job = _wait_until_finished(job_id, worker)
    assert job.state == JobState.DONE
    assert _phase(consultation_id) == Phase.CLOSED
