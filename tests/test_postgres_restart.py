"""Faults on election day, for real: pb served by gunicorn (two workers, as the README runs
it) on a PostgreSQL cluster of the test's own, with voters voting (by account and by code) in
threads while

- the cluster restarts (``pg_ctl restart -m fast``): requests meanwhile get the translated 503
  page, never a 500, and votes work again afterwards without restarting pb;
- a gunicorn worker is killed (SIGKILL) mid-vote: gunicorn starts another.

Then voting is closed and every receipt a voter was shown (a redirect to the receipt page) is
checked among the counted ballots: nothing acknowledged is lost. A voter whose request failed
sends it again, as a voter would.

The cluster is made with initdb and pg_ctl from PostgreSQL's binaries (Debian's
/usr/lib/postgresql/<version>/bin), run as the ``postgres`` user when the tests run as root
(initdb refuses root). Without them the tests skip; with ``PB_REQUIRE_POSTGRES_CLUSTER=1`` (as
in CI) they fail instead. They do not use TEST_DATABASE_URL.
"""

from __future__ import annotations

import glob
import http.client
import os
import pwd
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import func, select

from pb import ROOT, create_app
from pb.consultations.services import advance_phase
from pb.extensions import db
from pb.models import Ballot, Consultation, Phase, User
from pb.voting import services as voting
from tests import factories

GUNICORN = Path(sys.executable).parent / "gunicorn"
ACCOUNT_VOTERS = 30
CODE_VOTERS = 30
THREADS = 6
UNAVAILABLE_RU = "Временно недоступно"


def _binaries() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]), reverse=True
    )
    for directory in found:
        if all(os.access(f"{directory}/{p}", os.X_OK) for p in ("initdb", "pg_ctl", "postgres")):
            return Path(directory)
    return None


def _missing() -> str | None:
    """Why the tests cannot run here, if they cannot."""
    if _binaries() is None:
        return "PostgreSQL's server binaries not found (apt-get install postgresql)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "runuser not found: initdb refuses root and must run as postgres"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "no postgres user to run initdb as"
    if not GUNICORN.exists():
        return f"gunicorn not found at {GUNICORN}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary directory, on a free port."""

    def __init__(self, directory: Path) -> None:
        self.bin = _binaries()
        self.directory = directory
        self.data = directory / "data"
        self.port = _free_port()

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # Into a file, not a pipe: the server pg_ctl starts would hold a pipe open, and
        # waiting for its end would wait for the server to stop.
        with open(self.directory / "commands.log", "ab") as output:
            completed = subprocess.run(command, stdout=output, stderr=subprocess.STDOUT, timeout=60)
        if completed.returncode != 0:
            log = (self.directory / "commands.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{program} failed: {log}")

    def start(self) -> None:
        self.run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.directory} -c max_connections=50"
        )
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "log"),
            "-o",
            options,
            "-w",
            "start",
        )
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "pb")

    def restart(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/pb?connect_timeout=5"


class Gunicorn:
    def __init__(self, environment: dict[str, str], directory: Path) -> None:
        self.port = _free_port()
        self.log = open(directory / "gunicorn.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "-c",
                "python:pb.serving",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "pb:create_app()",
            ],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while request(self.port, "GET", "/health")[0] != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: " + self.output())
            time.sleep(0.1)

    def workers(self) -> list[int]:
        """The worker processes' ids (children of the master)."""
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.split("/")[2]))
        return children

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def request(
    port: int, method: str, path: str, data: dict | None = None, cookie: str | None = None
) -> tuple[int, dict[str, str], str]:
    """One request on a new connection: (status, headers, body); status 0 if the connection
    broke (a worker killed under it). Russian pages, to see the 503 translated."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept-Language": "ru"}
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    except (ConnectionError, http.client.HTTPException, OSError):
        return 0, {}, ""
    finally:
        connection.close()


def session_cookie(headers: dict[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return None


@dataclass
class Voter:
    choice: int
    cookie: str | None = None  # an account's logged-in session
    code: str | None = None


@dataclass
class Tally:
    """What the voters saw."""

    statuses: list[int] = field(default_factory=list)
    unavailable_pages: list[str] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    # Code voters whose ballot was recorded but whose answer was lost (her worker killed once
    # the statement had run): sent again without the receipt she never saw, it is refused, as
    # a code changes its ballot only with that receipt; her first ballot counts.
    answers_lost: int = 0
    acknowledged_after_fault: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Site:
    app: Flask  # the test's own, configured as gunicorn's workers are
    cluster: Cluster
    server: Gunicorn
    officer_id: int
    voters: dict[int, list[Voter]]  # by consultation id


def _environment(cluster: Cluster) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PB_", "PG"))}
    return {
        **base,
        "DATABASE_URL": cluster.url,
        "SECRET_KEY": "restart-test-secret",
        "PB_VOTE_KEY": "restart-test-vote-key",
        # Forms are sent without their pages, as a script would; CSRF has its own tests.
        "PB_WTF_CSRF_ENABLED": "false",
        "PB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def _prepare(app: Flask, port: int) -> tuple[int, dict[int, list[Voter]]]:
    """Two consultations in voting (one per fault), residents with accounts, and codes."""
    db.create_all()
    world = factories.build_world()
    other = factories.make_consultation(world.municipality, title_en="Budget 2028")
    residents = [
        factories.make_user(world.municipality, locale="ru") for _ in range(ACCOUNT_VOTERS)
    ]
    voters: dict[int, list[Voter]] = {}
    for consultation in (world.consultation, other):
        proposals = factories.open_voting(consultation)
        voting.generate_codes(world.officer, consultation, CODE_VOTERS, None)
        batch = db.session.scalars(
            select(voting.CodeBatch).where(voting.CodeBatch.consultation_id == consultation.id)
        ).one()
        voters[consultation.id] = [
            Voter(choice=proposals[i % len(proposals)].id, code=code)
            for i, code in enumerate(voting.batch_codes(batch))
        ]
    names = [user.username for user in residents]
    officer_id = world.officer.id
    db.session.commit()
    for name in names:
        status, headers, _ = request(
            port, "POST", "/login", {"login": name, "password": factories.PASSWORD}
        )
        assert status == 302, f"login of {name}: {status}"
        cookie = session_cookie(headers)
        for group in voters.values():
            group.append(Voter(choice=group[len(group) % 4].choice, cookie=cookie))
    return officer_id, voters


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    reason = _missing()
    if reason:
        if os.environ.get("PB_REQUIRE_POSTGRES_CLUSTER") == "1":
            pytest.fail(f"required here (PB_REQUIRE_POSTGRES_CLUSTER=1): {reason}")
        pytest.skip(reason)
    directory = Path(tempfile.mkdtemp(prefix="pb-cluster-"))
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(directory, postgres.pw_uid, postgres.pw_gid)
    cluster = Cluster(directory)
    server = app = None
    try:
        cluster.start()
        environment = _environment(cluster)
        with pytest.MonkeyPatch.context() as patch:
            for name, value in environment.items():
                patch.setenv(name, value)
            app = create_app()  # read from the environment, as gunicorn's workers do
        server = Gunicorn(environment, directory)
        with app.app_context():
            officer_id, voters = _prepare(app, server.port)
            db.session.remove()
        yield Site(app, cluster, server, officer_id, voters)
    finally:
        if server is not None:
            server.stop()
        if (cluster.data / "postmaster.pid").exists():
            cluster.stop()
        if app is not None:
            with app.app_context():
                db.engine.dispose()
        shutil.rmtree(directory, ignore_errors=True)


def vote_through(
    site: Site, consultation_id: int, fault: Callable[[], None], after: int, pause: float
) -> Tally:
    """Every voter votes, THREADS at a time, until each has a receipt; ``fault`` runs once
    ``after`` voters have one. A voter whose request failed waits a moment and sends it again.
    ``pause``: seconds between a thread's votes."""
    tally = Tally()
    waiting: queue.Queue[Voter] = queue.Queue()
    for voter in site.voters[consultation_id]:
        waiting.put(voter)
    remaining = [len(site.voters[consultation_id])]
    fault_started = threading.Event()
    fault_done = threading.Event()

    def one_vote(voter: Voter) -> None:
        data: dict[str, object] = {"choice": [str(voter.choice)]}
        if voter.code:
            data["code"] = voter.code
        status, headers, body = request(
            site.server.port, "POST", f"/c/{consultation_id}/vote", data, voter.cookie
        )
        with tally.lock:
            tally.statuses.append(status)
            if status == 302 and headers.get("Location", "").endswith(
                f"/c/{consultation_id}/voted"
            ):
                cookie = session_cookie(headers)
                assert cookie is not None
                serializer = site.app.session_interface.get_signing_serializer(  # type: ignore[attr-defined]
                    site.app
                )
                kept = serializer.loads(cookie)["receipts"][str(consultation_id)]
                tally.receipts.append(kept["number"])
                if fault_done.is_set():
                    tally.acknowledged_after_fault += 1
                remaining[0] -= 1
                if len(tally.receipts) == after:
                    fault_started.set()
                return
            if status == 200 and voter.code and "По этому коду уже проголосовали" in body:
                tally.answers_lost += 1
                remaining[0] -= 1
                return
            if status == 503:
                tally.unavailable_pages.append(body)
        time.sleep(0.2)  # the voter reads the page and sends her ballot again
        waiting.put(voter)

    def voter_thread() -> None:
        while True:
            with tally.lock:
                if remaining[0] == 0:
                    return
            try:
                voter = waiting.get(timeout=0.1)
            except queue.Empty:
                continue
            one_vote(voter)
            time.sleep(pause)

    threads = [threading.Thread(target=voter_thread, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    assert fault_started.wait(timeout=30), "the votes before the fault did not go through"
    fault()
    fault_done.set()
    for thread in threads:
        thread.join(timeout=45)
    assert not any(t.is_alive() for t in threads), (
        f"voters still waiting; statuses seen: {sorted(set(tally.statuses))}; "
        f"gunicorn: {site.server.output()}"
    )
    return tally


def counted(site: Site, consultation_id: int, receipts: list[str]) -> tuple[int, list[str]]:
    """Close voting, then: how many ballots were sealed, and the receipts not counted."""
    with site.app.app_context():
        db.engine.dispose()  # this process's own connections may predate a restart
        consultation = db.session.get(Consultation, consultation_id)
        advance_phase(
            db.session.get(User, site.officer_id),
            consultation,
            Phase.VOTING,
            reason="The test is over.",
            today=date(2026, 1, 1),
        )
        ballots = db.session.scalar(
            select(func.count())
            .select_from(Ballot)
            .where(Ballot.consultation_id == consultation_id)
        )
        lost = [r for r in receipts if not voting.receipt_was_counted(consultation, r)]
        db.session.remove()
        db.engine.dispose()
    return ballots or 0, lost


def _waiting_for_lock(connection: psycopg.Connection) -> int:
    """How many other sessions wait for a lock."""
    with psycopg.connect(str(connection.info.dsn)) as observer:
        row = observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_votes_survive_a_postgresql_restart_and_requests_meanwhile_get_503(site):
    consultation_id = min(site.voters)
    voters = len(site.voters[consultation_id])
    # Paced like people, so that votes keep coming while the server is down.
    tally = vote_through(site, consultation_id, site.cluster.restart, voters // 4, pause=0.05)

    unexpected = sorted({s for s in tally.statuses if s not in (302, 503)})
    assert not unexpected, f"statuses other than 302 and 503: {unexpected}"
    assert tally.unavailable_pages, "no request met the restart: the test proved nothing"
    assert all(UNAVAILABLE_RU in page for page in tally.unavailable_pages)
    assert tally.acknowledged_after_fault > 0  # votes work again, with no restart of pb
    assert len(tally.receipts) == voters  # every voter got there in the end
    ballots, lost = counted(site, consultation_id, tally.receipts)
    assert lost == []
    assert ballots == voters  # one each: a ballot sent again replaced the first


def test_votes_survive_a_worker_killed_mid_vote(site):
    consultation_id = max(site.voters)
    voters = len(site.voters[consultation_id])
    before = site.server.workers()
    assert len(before) == 2

    def kill_a_worker_mid_vote() -> None:
        # Both workers are made to wait in the middle of recording a ballot (the consultation's
        # row is locked, as a close would lock it), and one of them is killed there.
        with psycopg.connect(site.cluster.url.replace("+psycopg", "")) as holder:
            holder.execute(
                "SELECT id FROM consultations WHERE id = %s FOR UPDATE", (consultation_id,)
            )
            deadline = time.monotonic() + 10
            while _waiting_for_lock(holder) < 2:
                assert time.monotonic() < deadline, "the workers never waited on the lock"
                time.sleep(0.02)
            os.kill(before[0], signal.SIGKILL)
            time.sleep(0.2)
            holder.rollback()

    tally = vote_through(site, consultation_id, kill_a_worker_mid_vote, voters // 4, pause=0.05)

    unexpected = sorted({s for s in tally.statuses if s not in (302, 0, 200)})
    assert not unexpected, f"statuses other than 302 and a broken connection: {unexpected}"
    assert tally.statuses.count(200) == tally.answers_lost  # only codes whose answer was lost
    assert 0 in tally.statuses  # the vote under way when its worker was killed
    assert tally.acknowledged_after_fault > 0
    assert len(tally.receipts) + tally.answers_lost == voters
    after = site.server.workers()
    assert len(after) == 2 and before[0] not in after  # gunicorn started another
    ballots, lost = counted(site, consultation_id, tally.receipts)
    assert lost == []
    assert ballots == voters
