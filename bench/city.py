"""A city on pb, end to end through the real server: issue 18's "Done when", measured.

Run from the repository root:
    .venv/bin/python bench/city.py [--db postgres|sqlite|both] [--ballots 100000] [--workers 2]

For each database it starts from nothing, as a fresh clone does: a new database (PostgreSQL: a
database ``pb_city`` of its own, made and dropped here, on the server BENCH_PG_ADMIN names;
SQLite: a file in a temporary folder), ``flask db upgrade`` (checked against the models: a
column the migrations lack is a failure, added here so that the rest can be measured) and
``flask load-demo``. Then it runs pb under gunicorn with pb.serving's settings and gunicorn's
default timeout (30 s), two workers (``--workers``), and beside it one ``flask worker`` for the
background jobs, its queue in a SQLite file of the same temporary folder (as ``make run`` keeps
it in the instance folder). Everything below goes through HTTP, as the demo officer
(``officer``), logged in through the login form:

1. Łódź 2022 (../shared/data/pabulib/Poland_Lodz_2022.pb, 90,494 voters) uploaded through the
   import page and followed on its job's progress (progress.json) to the end: the time, the
   ballots of the closed consultation its page leads to, and the peak memory (VmHWM) of the
   worker and of each gunicorn worker during the import. Target: the worker under 300 MB.
2. A consultation of the demo municipality in its voting phase with N ballots over 1,000
   proposals, as voting leaves them (written straight to the database by bench/close.py's
   ``fill``: casting 100,000 ballots through the site is vote_load.py's subject, not this one's).
   A batch of 5,000 codes is made through the codes page, and its first page of slips printed.
3. Voting closed through the phase form (confirmed, with a reason), then the results published,
   each followed on its job's page to the end: the time of each job (from sending the form to
   progress.json saying it ended; and of that, the time in the queue and at work) and the
   peaks of memory meanwhile.
4. As anyone, not logged in: the anonymous ballots (/c/<id>/export/ballots.pb) downloaded twice
   (written once at the close: both fast), the results page (its time, and its size raw and
   gzip-compressed), and the results as CSV and as XLSX.

Every request is timed; none may take over 30 s (gunicorn's timeout), answer 5xx, or be cut off,
no job may fail, and gunicorn's and the worker's logs must show no timeout nor traceback. One
line per measurement; the last line sums up every database:
    city failures=N slowest_request_s=X postgres: import_s=X ... sqlite: import_s=X ...
Only loopback is used; every wait is bounded.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LODZ = ROOT.parent / "shared" / "data" / "pabulib" / "Poland_Lodz_2022.pb"
LODZ_BALLOTS = 90_494
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "pb_city"
FLASK = str(ROOT / ".venv" / "bin" / "flask")
OFFICER, PASSWORD, MUNICIPALITY = "officer", "demo1234", "ak-suu"
PROPOSALS = 1_000
CODE_BATCH = 5_000
GUNICORN_TIMEOUT = 30.0  # gunicorn's default: pb.serving does not change it
WORKER_TARGET_MB = 300.0
JOB_LIMIT = 20 * 60  # seconds a job may take here before the bench gives up on it
POLL_SECONDS = 0.5  # as often as the job page's script asks
CONTINUE_TO_CONSULTATION = r'class="button" href="/c/(\d+)"'  # a done import's job page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Memory, from /proc (Linux): a process's peak resident memory, and resetting it before a phase.


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def reset_peak(pid: int) -> None:
    """Start the process's peak afresh (writing 5 to clear_refs resets VmHWM to the current RSS),
    so that each phase's peak is its own."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


# HTTP, as a browser does it: one session cookie, the forms' CSRF tokens, every request timed.


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Requests:
    """What every browser of a run sent: the slowest request, and what went wrong."""

    slowest: tuple[float, str] = (0.0, "")
    failures: list[str] = field(default_factory=list)

    def note(self, what: str, status: int, seconds: float) -> None:
        if seconds > self.slowest[0]:
            self.slowest = (seconds, what)
        if seconds > GUNICORN_TIMEOUT:
            self.failures.append(f"{what}: {seconds:.1f} s, over gunicorn's timeout")
        if status >= 500:
            self.failures.append(f"{what}: HTTP {status}")


@dataclass
class Browser:
    port: int
    log: Requests
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str | None = None,
        gzip_ok: bool = False,
    ) -> Reply:
        # Longer than gunicorn's timeout: a request that overran it shows as cut off (its
        # worker killed) or as its real time, never as the client giving up first.
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=GUNICORN_TIMEOUT * 4)
        headers = {"Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        if gzip_ok:
            headers["Accept-Encoding"] = "gzip"
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            seconds = time.perf_counter() - started
            self.log.failures.append(f"{method} {path}: cut off after {seconds:.1f} s ({error!r})")
            raise
        finally:
            conn.close()
        seconds = time.perf_counter() - started
        self.log.note(f"{method} {path}", response.status, seconds)
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, headers, data, seconds)

    def get(self, path: str, gzip_ok: bool = False) -> Reply:
        return self.request("GET", path, gzip_ok=gzip_ok)

    def post(self, path: str, fields: list[tuple[str, str]]) -> Reply:
        body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", path, body, "application/x-www-form-urlencoded")

    def post_file(
        self, path: str, fields: list[tuple[str, str]], name: str, filename: str, data: bytes
    ) -> Reply:
        boundary = secrets.token_hex(16)
        disposition = f"--{boundary}\r\nContent-Disposition: form-data"
        parts = [
            f'{disposition}; name="{key}"\r\n\r\n{value}\r\n'.encode() for key, value in fields
        ]
        parts.append(
            f'{disposition}; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}"
        )

    def token(self, path: str) -> str:
        """The CSRF token of the page's forms (one per session)."""
        page = self.get(path)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        if page.status != 200 or found is None:
            raise RuntimeError(f"no form on {path} (HTTP {page.status})")
        return found.group(1)

    def log_in(self, login: str, password: str) -> None:
        token = self.token("/login")
        reply = self.post(
            "/login", [("csrf_token", token), ("login", login), ("password", password)]
        )
        if reply.status != 302:
            raise RuntimeError(f"{login} could not log in (HTTP {reply.status})")


def job_path(reply: Reply, what: str) -> str:
    """The job page a form's POST redirected to."""
    location = urllib.parse.urlsplit(reply.headers.get("location", "")).path
    if reply.status != 302 or not re.fullmatch(r"/jobs/\d+", location):
        raise RuntimeError(
            f"{what}: HTTP {reply.status} to {location or 'nowhere'}, not a job page"
        )
    return location


@dataclass(frozen=True)
class JobRun:
    seconds: float  # from the POST that started it to progress.json saying it ended
    state: str
    polls: int
    path: str  # the job's page
    page: str  # the job's page once ended


def follow(browser: Browser, path: str, started: float) -> JobRun:
    """Poll the job's progress.json, as its page's script does, until the job ends."""
    import json

    polls = 0
    while time.perf_counter() - started < JOB_LIMIT:
        reply = browser.get(f"{path}/progress.json")
        polls += 1
        progress = json.loads(reply.body)
        if progress["finished"] or progress["stalled"]:
            seconds = time.perf_counter() - started
            page = browser.get(path)
            return JobRun(seconds, progress["state"], polls, path, page.text)
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"{path}: not finished after {JOB_LIMIT} s")


def why_failed(page: str) -> str:
    found = re.search(r'role="alert">\s*(.*?)\s*</p>', page, re.S)
    return re.sub(r"\s+", " ", found.group(1)) if found else "(no reason shown)"


# The site: a fresh database, gunicorn, and a worker.


@dataclass
class Site:
    label: str
    database_url: str
    folder: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    port: int = 0
    drift: list[str] = field(default_factory=list)

    @classmethod
    def fresh(cls, label: str, folder: Path) -> Site:
        if label == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
                conn.execute(f"CREATE DATABASE {PG_DATABASE}")
            base = PG_ADMIN_URL.rsplit("/", 1)[0]
            url = base.replace("postgresql://", "postgresql+psycopg://") + "/" + PG_DATABASE
        else:
            url = f"sqlite:///{folder}/pb.sqlite"
        secret = secrets.token_hex(16)
        env = dict(
            os.environ,
            DATABASE_URL=url,
            SECRET_KEY=secret,
            PB_VOTE_KEY=f"{secret}-vote",
            PB_JOBS_QUEUE=f"sqlite:///{folder}/jobs.sqlite",
            FLASK_APP="pb",
        )
        site = cls(label, url, folder, env)
        site.flask("db", "upgrade")
        site.drift = site.schema_drift()
        site.flask("load-demo")
        return site

    def flask(self, *command: str) -> None:
        started = time.perf_counter()
        done = subprocess.run([FLASK, *command], cwd=ROOT, env=self.env, capture_output=True)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stderr.decode()}")
        print(f"{self.label}: flask {' '.join(command)}: {time.perf_counter() - started:.1f} s")

    def schema_drift(self) -> list[str]:
        """What the models have that the migrations did not make (a fresh clone would fail on
        it). Missing columns are added here, without their constraints, so that the rest can
        still be measured; the drift counts as a failure."""
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext
        from sqlalchemy import text

        from pb.extensions import db

        app = self.app()
        with app.app_context():
            with db.engine.begin() as conn:
                drift = compare_metadata(MigrationContext.configure(conn), db.metadata)
                for change in drift:
                    if isinstance(change, tuple) and change[0] == "add_column":
                        _, _, table, column = change
                        kind = column.type.compile(dialect=conn.dialect)
                        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column.name} {kind}"))
            db.engine.dispose()
        return [describe(change) for change in drift]

    def app(self) -> Any:
        """The same app, in this process, for what the bench writes or checks directly."""
        from pb import create_app

        return create_app(
            {
                "TESTING": True,
                "SECRET_KEY": self.env["SECRET_KEY"],
                "VOTE_KEY": self.env["PB_VOTE_KEY"],
                "SQLALCHEMY_DATABASE_URI": self.database_url,
                "JOBS_QUEUE": self.env["PB_JOBS_QUEUE"],
            }
        )

    def start(self, workers: int) -> None:
        self.port = free_port()
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", "python:pb.serving"]
        gunicorn += ["--workers", str(workers), "--bind", f"127.0.0.1:{self.port}"]
        commands = {"gunicorn": [*gunicorn, "pb:create_app()"], "worker": [FLASK, "worker"]}
        for name, command in commands.items():
            with open(self.folder / f"{name}.log", "wb") as log:
                self.processes[name] = subprocess.Popen(
                    command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
                )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200 and len(self.gunicorn_workers()) == workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    @property
    def worker_pid(self) -> int:
        return self.processes["worker"].pid

    def gunicorn_workers(self) -> list[int]:
        return children(self.processes["gunicorn"].pid)

    def reset_peaks(self) -> None:
        for pid in [self.worker_pid, *self.gunicorn_workers()]:
            reset_peak(pid)

    def peaks(self) -> tuple[float, list[float]]:
        """The worker's peak and each gunicorn worker's, in MB, since the last reset."""
        return peak_mb(self.worker_pid), [peak_mb(pid) for pid in self.gunicorn_workers()]

    def log_problems(self) -> list[str]:
        """What gunicorn and the worker logged of timeouts, errors and tracebacks."""
        problems = []
        for name in ("gunicorn", "worker"):
            for line in (self.folder / f"{name}.log").read_text(errors="replace").splitlines():
                if re.search(r"WORKER TIMEOUT|Traceback|\bERROR\b|\bCRITICAL\b|failed", line):
                    problems.append(f"{name} log: {line.strip()[:300]}")
        return problems

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def drop(self) -> None:
        if self.label == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def describe(change: Any) -> str:
    """One of alembic's differences, briefly."""
    if isinstance(change, tuple) and change[0] == "add_column":
        return f"add_column {change[2]}.{change[3].name}"
    if isinstance(change, tuple) and change[0] == "add_fk":
        constraint = change[1]
        return f"add_fk {constraint.table.name}({', '.join(constraint.column_keys)})"
    return repr(change)[:200]


# What is written straight to the database, and read back to check.


def voting_consultation(site: Site, ballots: int) -> int:
    """A consultation of the demo municipality in its voting phase, with ``ballots`` ballots over
    PROPOSALS proposals as voting leaves them (bench/close.py's fill); its id."""
    from close import fill
    from sqlalchemy import select

    from pb.extensions import db
    from pb.models import Municipality
    from tests import factories

    app = site.app()
    with app.app_context():
        municipality = db.session.scalars(
            select(Municipality).where(Municipality.slug == MUNICIPALITY)
        ).one()
        consultation = factories.make_consultation(municipality, title_en="City budget (bench)")
        fill(consultation, ballots, PROPOSALS, "greedy", random.Random(18))
        consultation_id = consultation.id
        db.session.remove()
        db.engine.dispose()
    return consultation_id


def job_waited(site: Site, path: str) -> float:
    """How long the job waited in the queue before a worker took it, from its row."""
    from pb.extensions import db
    from pb.models import Job

    app = site.app()
    with app.app_context():
        job = db.session.get(Job, int(path.rsplit("/", 1)[1]))
        assert job is not None and job.started_at is not None
        waited = (job.started_at - job.created_at).total_seconds()
        db.session.remove()
        db.engine.dispose()
    return waited


def consultation_figures(site: Site, consultation_id: int) -> tuple[str, int]:
    """The consultation's phase and its ballots, as stored."""
    from sqlalchemy import func, select

    from pb.extensions import db
    from pb.models import Ballot, Consultation

    app = site.app()
    with app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        assert consultation is not None
        count = db.session.scalar(
            select(func.count())
            .select_from(Ballot)
            .where(Ballot.consultation_id == consultation_id)
        )
        phase = consultation.phase.value
        db.session.remove()
        db.engine.dispose()
    return phase, count or 0


# The measurements.


@dataclass
class Run:
    """One database's run: its site, the officer's browser, and what it found."""

    label: str
    site: Site
    officer: Browser
    failures: list[str] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)

    def say(self, line: str) -> None:
        print(f"{self.label}: {line}", flush=True)

    def job(self, what: str, start: Callable[[], Reply]) -> tuple[JobRun, float, str]:
        """Start a job (``start`` sends its form) and follow it to its end: the run, the
        worker's peak memory meanwhile, and a line of its times and peaks."""
        self.site.reset_peaks()
        started = time.perf_counter()
        sent = start()
        path = job_path(sent, what)
        run = follow(self.officer, path, started)
        worker, web = self.site.peaks()
        said = f"worker peak {worker:.0f} MB, gunicorn workers' " + ", ".join(
            f"{mb:.0f}" for mb in web
        )
        if run.state == "done":
            # The job's row says when a worker took it; when it ended is when progress.json
            # first said so (its row's finished_at is set as its work begins).
            waited = job_waited(self.site, path)
            ran = run.seconds - sent.seconds - waited
            said = (
                f"form sent in {sent.seconds:.1f} s, waited {waited:.1f} s in the queue, "
                f"ran {ran:.1f} s (±{POLL_SECONDS} s); {said} MB"
            )
            self.summary[f"{what}_ran_s"] = f"{ran:.1f}"
        else:
            self.failures.append(f"{what}: job {path} {run.state}: {why_failed(run.page)}")
        self.summary[f"{what}_s"] = f"{run.seconds:.1f}"
        return run, worker, said


def import_lodz(run: Run) -> None:
    """Łódź 2022 through the import page, followed to the consultation it made."""
    browser, page = run.officer, f"/m/{MUNICIPALITY}/import"
    token = browser.token(page)
    village = re.search(
        r'<select[^>]*name="village_id".*?<option[^>]*value="(\d+)"', browser.get(page).text, re.S
    )
    assert village is not None, "no village to choose on the import page"
    data = LODZ.read_bytes()
    fields = [("csrf_token", token), ("village_id", village.group(1))]
    job, worker_mb, said = run.job(
        "import", lambda: browser.post_file(page, fields, "file", LODZ.name, data)
    )
    made = re.search(CONTINUE_TO_CONSULTATION, job.page)
    if job.state == "done" and made is None:
        run.failures.append(
            "import: the job's page, once done, did not lead to the consultation "
            "(pb/results/import_job.py saves job.result after the import's commit)"
        )
        for _ in range(10):  # that second commit comes just after
            time.sleep(0.5)
            if made := re.search(CONTINUE_TO_CONSULTATION, browser.get(job.path).text):
                break
    phase, ballots = consultation_figures(run.site, int(made.group(1))) if made else ("none", 0)
    run.say(
        f"import {LODZ.name} ({len(data) / 1e6:.1f} MB): job {job.state} in {job.seconds:.1f} s "
        f"({job.polls} polls of progress.json); {said} (target under {WORKER_TARGET_MB:.0f}); "
        f"{ballots:,} ballots, consultation {phase}"
    )
    if (ballots, phase) != (LODZ_BALLOTS, "closed"):
        run.failures.append(f"import: {ballots} ballots ({LODZ_BALLOTS} expected), {phase}")
    if worker_mb >= WORKER_TARGET_MB:
        run.failures.append(f"import: worker peak {worker_mb:.0f} MB")
    run.summary.update(ballots=str(ballots), import_worker_peak_mb=f"{worker_mb:.0f}")


def print_slips(run: Run, consultation: str) -> None:
    """A batch of CODE_BATCH codes made on the codes page, and its first page of slips."""
    browser = run.officer
    token = browser.token(f"{consultation}/codes")
    fields = [("csrf_token", token), ("size", str(CODE_BATCH)), ("label", "bench")]
    made = browser.post(f"{consultation}/codes", fields)
    slips = urllib.parse.urlsplit(made.headers.get("location", "")).path
    if made.status != 302 or not slips.endswith("/slips"):
        raise RuntimeError(f"codes: HTTP {made.status}, not to the slips")
    page = browser.get(f"{slips}?page=1")
    run.say(
        f"{CODE_BATCH:,} codes made in {made.seconds:.2f} s; slips page 1: HTTP {page.status} "
        f"in {page.seconds:.2f} s, {sizes(page)}"
    )
    run.summary["slips_page_s"] = f"{page.seconds:.2f}"


def move(run: Run, consultation: str, what: str, expected: str) -> None:
    """The next phase, through the phase form as its confirmation page sends it."""
    token = run.officer.token(consultation)
    fields = [
        ("csrf_token", token),
        ("direction", "advance"),
        ("expected", expected),
        ("confirm", "yes"),
        ("reason", "Closed for the bench."),  # needed before the announced end, else ignored
    ]
    job, _, said = run.job(what, lambda: run.officer.post(f"{consultation}/phase", fields))
    run.say(f"{what}: job {job.state} in {job.seconds:.1f} s; {said}")


def read_results(run: Run, consultation: str) -> None:
    """What anyone reads once results are published, as anyone (not logged in)."""
    reader = Browser(run.site.port, run.officer.log)
    for n in (1, 2):
        reply = reader.get(f"{consultation}/export/ballots.pb")
        run.say(
            f"ballots.pb download {n}: HTTP {reply.status} in {reply.seconds:.2f} s, "
            f"{len(reply.body) / 1e6:.1f} MB"
        )
        run.summary[f"pb_download{n}_s"] = f"{reply.seconds:.2f}"
    page = reader.get(f"{consultation}/results", gzip_ok=True)
    run.say(f"results page: HTTP {page.status} in {page.seconds:.2f} s, {sizes(page)}")
    run.summary["results_page_s"] = f"{page.seconds:.2f}"
    for fmt in ("csv", "xlsx"):
        reply = reader.get(f"{consultation}/export/results.{fmt}")
        run.say(
            f"results.{fmt}: HTTP {reply.status} in {reply.seconds:.2f} s, "
            f"{len(reply.body) / 1e3:.0f} KB"
        )
        run.summary[f"results_{fmt}_s"] = f"{reply.seconds:.2f}"


def bench(label: str, ballots: int, workers: int, folder: Path) -> Run:
    site = Site.fresh(label, folder)
    run = Run(label, site, Browser(0, Requests()))
    for change in site.drift:
        run.say(f"the migrations lack: {change}")
        run.failures.append(f"the migrations lack: {change}")
    try:
        site.start(workers)
        run.officer.port = site.port
        run.officer.log_in(OFFICER, PASSWORD)
        import_lodz(run)
        started = time.perf_counter()
        consultation = f"/c/{voting_consultation(site, ballots)}"
        run.say(
            f"{consultation}: {ballots:,} ballots over {PROPOSALS:,} proposals written in "
            f"{time.perf_counter() - started:.1f} s (bench/close.py's fill)"
        )
        print_slips(run, consultation)
        move(run, consultation, "close", "voting")
        move(run, consultation, "publish", "closed")
        phase, kept = consultation_figures(site, int(consultation.rsplit("/", 1)[1]))
        if (phase, kept) != ("published", ballots):
            run.failures.append(f"after publishing: {phase}, {kept} ballots")
        read_results(run, consultation)
    finally:
        site.stop()
        run.failures += run.officer.log.failures + site.log_problems()
        site.drop()
    seconds, request = run.officer.log.slowest
    run.say(
        f"slowest request {seconds:.2f} s ({request}); gunicorn's timeout {GUNICORN_TIMEOUT:.0f} s"
    )
    run.summary["slowest_request_s"] = f"{seconds:.2f}"
    for failure in run.failures:
        run.say(f"FAILED: {failure}")
    return run


def sizes(reply: Reply) -> str:
    """A page's size raw and gzip-compressed: pb sends it plain and the README's nginx compresses
    it (gzip_comp_level 5), so it is compressed here at that level."""
    if reply.headers.get("content-encoding") == "gzip":
        raw = gzip.decompress(reply.body)
        return f"{len(raw) / 1e3:.0f} KB raw, {len(reply.body) / 1e3:.0f} KB gzip as sent"
    packed = gzip.compress(reply.body, compresslevel=5)
    return (
        f"{len(reply.body) / 1e3:.0f} KB raw, {len(packed) / 1e3:.0f} KB gzip (compressed here, "
        "as the README's nginx does)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    labels = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    results = {}
    for label in labels:
        folder = Path(tempfile.mkdtemp(prefix=f"pb-city-{label}-"))
        try:
            results[label] = bench(label, args.ballots, args.workers, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    failures = sum(len(run.failures) for run in results.values())
    slowest = max(float(run.summary["slowest_request_s"]) for run in results.values())
    print(
        f"city failures={failures} slowest_request_s={slowest:.2f} "
        + " ".join(
            f"{label}: " + " ".join(f"{key}={value}" for key, value in run.summary.items())
            for label, run in results.items()
        )
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
