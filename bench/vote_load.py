"""Load test of voting: many concurrent voters cast ballots with codes against pb served by
gunicorn on loopback (with pb.serving's settings, as the README runs it), on SQLite and on
PostgreSQL.

Run from the repository root:  .venv/bin/python bench/vote_load.py [--quick] [--db sqlite|postgres|both]

For each database it prints ballots per second, the 99th-percentile latency of casting a ballot,
errors, and ballots stored against ballots acknowledged (every code is also sent a second time
by a racing client, to look for duplicates); in the same run it measures a trivial endpoint of
the same app (/health) with as many clients, and prints the ratio of the two throughputs. The
two take turns (ROUNDS slices of each), so that a shared host whose speed drifts during the run
slows both alike; each client opens its ballot (session cookie, CSRF token) before the timing
starts, and what it will send is drawn beforehand, so that the clients, on the same cores as the
server, spend no more per request than they must. Then,
one request at a time, the CPU a vote and a /health request cost the workers (and PostgreSQL);
the ballots of that phase count among those acknowledged and stored.
The last line reads: acknowledged=N stored=N duplicates=N errors=N ratio=X
(summed over the databases, and the lowest ratio). Targets: no lost or duplicated ballots, no
errors, vote throughput at least a quarter of the trivial endpoint's.

Only loopback is used; request loops are bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "pb_bench"
TIME_LIMIT = 120  # seconds per phase, whatever happens
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
ROUNDS = 5  # turns of votes and /health


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database_url: str, secret: str, voters: int) -> tuple[int, list[int], list[str]]:
    """A world with a consultation in its voting phase and ``voters`` codes."""
    from sqlalchemy import select

    from pb import create_app
    from pb.extensions import db
    from pb.models import CodeBatch
    from pb.voting import services
    from tests import factories

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secret,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        world = factories.build_world()
        proposals = factories.open_voting(
            world.consultation, costs=(300_000, 250_000, 200_000, 150_000, 100_000)
        )
        services.generate_codes(world.officer, world.consultation, voters, "bench")
        batch = db.session.scalars(select(CodeBatch)).one()
        codes = services.batch_codes(batch)
        result = world.consultation.id, [p.id for p in proposals], codes
        db.session.remove()
        db.engine.dispose()
    return result


def count_stored(database_url: str, secret: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from pb import create_app
    from pb.extensions import db
    from pb.models import Ballot, VotingCode

    app = create_app(
        {"TESTING": True, "SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": database_url}
    )
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Ballot))
        used = db.session.scalar(select(func.count()).where(VotingCode.used.is_(True)))
        db.engine.dispose()
    return stored, used


class Server:
    def __init__(self, database_url: str, secret: str, workers: int) -> None:
        self.port = free_port()
        env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:pb.serving",
                "--workers",
                str(workers),
                "--threads",
                str(THREADS),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "pb:create_app()",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@dataclass
class Client:
    port: int
    cookie: str = ""
    token_field: str = ""  # the CSRF token, as the form sends it
    conn: http.client.HTTPConnection | None = None

    def open_ballot(self, vote_path: str) -> None:
        """Take a session cookie and a CSRF token from the ballot page."""
        _status, page, _ = self.request("GET", vote_path)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.token_field = urllib.parse.urlencode([("csrf_token", token)])

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, float]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Accept-Language": "en"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        elapsed = time.perf_counter() - started
        set_cookie = response.getheader("Set-Cookie")
        if set_cookie:
            self.cookie = set_cookie.split(";", 1)[0]
        return response.status, text, elapsed


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_clients(clients: list[Client], jobs: list, work, tally: Tally) -> float:  # type: ignore[no-untyped-def]
    """Run ``work`` over the jobs, each client in a thread of its own; the seconds it took."""
    queue = list(jobs)
    queue_lock = threading.Lock()
    deadline = time.time() + TIME_LIMIT

    def worker(client: Client) -> None:
        while time.time() < deadline:
            with queue_lock:
                if not queue:
                    return
                job = queue.pop()
            try:
                work(client, job, tally)
            except (OSError, http.client.HTTPException):
                with tally.lock:
                    tally.errors += 1

    threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def vote_jobs(
    codes: list[str], proposal_ids: list[int], chooser: secrets.SystemRandom
) -> list[tuple[str, str]]:
    """Per code, what its voter sends besides the CSRF token: the code and two choices."""
    return [
        (
            code,
            "&"
            + urllib.parse.urlencode(
                [("code", code)] + [("choice", p) for p in chooser.sample(proposal_ids, 2)]
            ),
        )
        for code in codes
    ]


def bench(
    label: str, database_url: str, voters: int, clients: int, workers: int
) -> dict[str, float]:
    secret = secrets.token_hex(16)
    consultation_id, proposal_ids, codes = prepare(database_url, secret, voters + CPU_SAMPLE)
    codes, spare = codes[:voters], codes[voters:]
    server = Server(database_url, secret, workers)
    try:
        vote_path = f"/c/{consultation_id}/vote"

        def cast(client: Client, job: tuple[str, str], tally: Tally) -> None:
            code, choices = job
            body = client.token_field + choices
            status, _, elapsed = client.request("POST", vote_path, body)
            with tally.lock:
                tally.latencies.append(elapsed)
                if status == 302:
                    tally.acknowledged.add(code)
                else:
                    tally.errors += 1

        def health(client: Client, _: int, tally: Tally) -> None:
            status, _, elapsed = client.request("GET", "/health")
            with tally.lock:
                tally.latencies.append(elapsed)
                if status != 200:
                    tally.errors += 1

        # Every code twice, the two submissions spread among different clients: a voter who
        # taps "vote" twice, or two people who share one slip.
        # What each sends is drawn beforehand: the clients share the cores with the server.
        chooser = secrets.SystemRandom()
        jobs = vote_jobs(codes + codes, proposal_ids, chooser)
        chooser.shuffle(jobs)
        # Votes and /health take turns, a slice of each per round, so that a machine whose
        # speed drifts during the run (a shared host) slows both alike.
        votes, trivial = Tally(), Tally()
        vote_seconds = trivial_seconds = 0.0
        voters = [Client(server.port) for _ in range(clients)]
        visitors = [Client(server.port) for _ in range(clients)]
        # Untimed, like a voter opening the ballot: each client's session cookie and CSRF token.
        # This also warms up both endpoints (the workers compile templates on first use).
        for voter, visitor in zip(voters, visitors, strict=False):
            voter.open_ballot(vote_path)
            visitor.request("GET", "/health")
        size = -(-len(jobs) // ROUNDS)
        for start in range(0, len(jobs), size):
            vote_seconds += run_clients(voters, jobs[start : start + size], cast, votes)
            trivial_seconds += run_clients(visitors, list(range(size)), health, trivial)
        cpu = cpu_per_request(
            server, vote_path, cast, health, vote_jobs(spare, proposal_ids, chooser)
        )
    finally:
        server.stop()
    stored, used = count_stored(database_url, secret)
    vote_rate = len(votes.latencies) / vote_seconds
    trivial_rate = len(trivial.latencies) / trivial_seconds
    p99 = statistics.quantiles(votes.latencies, n=100)[98] * 1000
    ratio = vote_rate / trivial_rate
    if cpu:
        votes.acknowledged |= cpu["tally"].acknowledged
        votes.errors += cpu["tally"].errors
    print(
        f"{label}: {len(votes.latencies)} ballots sent by {clients} clients in {vote_seconds:.1f} s: "
        f"{vote_rate:.0f} ballots/s, p99 {p99:.0f} ms, errors {votes.errors}; "
        f"/health {trivial_rate:.0f} req/s (p99 {statistics.quantiles(trivial.latencies, n=100)[98] * 1000:.0f} ms); "
        f"ratio {ratio:.2f}; acknowledged {len(votes.acknowledged)} distinct codes, stored {stored}, "
        f"codes used {used}"
    )
    if cpu:
        database = f" + {cpu['vote'][1]:.2f} ms in PostgreSQL" if label == "postgres" else ""
        print(
            f"{label}: CPU per request, one client at a time: vote {cpu['vote'][0]:.2f} ms in the "
            f"workers{database}; /health {cpu['health'][0]:.2f} ms"
        )
    return {
        "acknowledged": len(votes.acknowledged),
        "stored": stored,
        "duplicates": stored - used,
        "errors": votes.errors + trivial.errors,
        "ratio": ratio,
    }


CPU_SAMPLE = 300  # codes kept aside for measuring the CPU of one vote


def _cpu_seconds(pids: list[str]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _pids(*pgrep_arguments: str) -> list[str]:
    found = subprocess.run(["pgrep", *pgrep_arguments], capture_output=True, text=True)
    return found.stdout.split()


def cpu_per_request(server: Server, vote_path: str, cast, health, jobs: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    """CPU seconds per request of gunicorn's workers (and of PostgreSQL's backends for the
    bench database), one request at a time: what the ratio above comes down to on a machine
    whose cores are all busy. Read from /proc (Linux); None elsewhere. The votes' tally (what
    was acknowledged, errors) is returned too."""
    if not Path("/proc/self/stat").exists():
        return None
    workers = _pids("-P", str(server.process.pid))
    client = Client(server.port)
    client.open_ballot(vote_path)
    tally = Tally()
    result: dict[str, object] = {"tally": tally}
    for name, work, items in (("vote", cast, jobs), ("health", health, range(len(jobs)))):
        backends = _pids("-f", f"postgres: .* {PG_DATABASE} ")
        before = _cpu_seconds(workers), _cpu_seconds(backends)
        for item in items:
            work(client, item, tally)
        after = _cpu_seconds(workers), _cpu_seconds(backends)
        result[name] = tuple(
            (b - a) / len(jobs) * 1000 for a, b in zip(before, after, strict=False)
        )
    return result


def postgres_url() -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    except psycopg.Error as error:
        print(f"PostgreSQL not reachable ({error.__class__.__name__}); skipping it")
        return None
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return base.replace("postgresql://", "postgresql+psycopg://") + "/" + PG_DATABASE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    voters = 300 if args.quick else 2000
    results = []
    tmp = tempfile.mkdtemp(prefix="pb-bench-")
    try:
        if args.db in ("sqlite", "both"):
            results.append(
                bench("sqlite", f"sqlite:///{tmp}/bench.sqlite", voters, args.clients, args.workers)
            )
        if args.db in ("postgres", "both"):
            url = postgres_url()
            if url:
                results.append(bench("postgres", url, voters, args.clients, args.workers))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not results:
        return 1
    print(
        "acknowledged={} stored={} duplicates={} errors={} ratio={:.2f}".format(
            sum(r["acknowledged"] for r in results),
            sum(r["stored"] for r in results),
            sum(r["duplicates"] for r in results),
            sum(r["errors"] for r in results),
            min(r["ratio"] for r in results),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
