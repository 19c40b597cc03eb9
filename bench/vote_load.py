"""Load test of voting with the voter roll in force: many concurrent voters cast ballots, with
their accounts and with codes, against pb served by gunicorn on loopback (with pb.serving's
settings, as the README runs it), on SQLite and on PostgreSQL.

Run from the repository root:
    .venv/bin/python bench/vote_load.py [--quick] [--db sqlite|postgres|both] [--without-roll]

Only the roll votes in the consultation (Electorate.ROLL), and its municipality's roll holds
ROLL_SIZE people besides the voters, so that finding a voter on it is an index lookup in a table
of a real size. Half the voters vote with their accounts: residents whose accounts an officer
confirmed against their entries on the roll, so that each one's first ballot is checked against
the roll and marks her as voting online, in the statement that records it. The other half vote
with codes, which do not touch the roll. Each account logs in, and each client opens its ballot
page (session cookie, CSRF token), before the timing starts; what each ballot will send is drawn
beforehand, so that the clients, on the same cores as the server, spend no more per request than
they must. Every voter's ballot is sent a second time by a racing client: an account's must
replace the first, a code's (sent without the first's receipt) be refused; never a second ballot
(one ballot per account and per code).

For each database it prints ballots per second and the 99th-percentile latency of casting a
ballot, for all ballots and for each kind of voter; errors; voters acknowledged against ballots
stored; the roll marks made against the accounts acknowledged (one each, all "online"); and the
throughput of a trivial endpoint of the same app (/health) with as many clients, and the ratio of
vote throughput to it (all ballots, and each kind alone). Account ballots, code ballots and
/health take turns (ROUNDS slices of each), so that a shared host whose speed drifts during the
run slows them alike. Then, one request at a time, the CPU an account's vote, a code's vote and a
/health request cost the workers (and PostgreSQL); the ballots of that phase count among those
acknowledged and stored.

The last line reads: acknowledged=N stored=N duplicates=N errors=N ratio=X
(summed over the databases, and the lowest ratio of all ballots). Targets: no lost or duplicated
ballots, one roll mark per account that voted, no errors, vote throughput at least a quarter of
the trivial endpoint's with the roll in force. ``--without-roll`` runs the same voters in a
consultation where anyone registered votes (Electorate.REGISTERED), to compare.

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
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "pb_bench"
TIME_LIMIT = 120  # seconds per phase, whatever happens
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
ROUNDS = 5  # turns of account votes, code votes and /health
ROLL_SIZE = 5000  # people on the roll besides the voters
CPU_SAMPLE = 300  # voters of each kind kept aside for measuring the CPU of one vote
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # cheap logins: the bench measures votes
ACCOUNT, CODE = "account", "code"

SURNAMES = ("Асан", "Токтогул", "Жумабек", "Мамыт", "Осмон", "Бакир", "Абдыкадыр", "Исак")
SURNAMES += ("Сыдык", "Турдубай", "Кадыр", "Эсенбек", "Сарбагыш", "Дөөлөт", "Үсөн", "Чынгыз")
FEMALE_NAMES = ("Айзада", "Гүлнара", "Жылдыз", "Нургүл", "Айпери", "Бермет", "Чолпон", "Мээрим")
MALE_NAMES = ("Азамат", "Бакыт", "Эрлан", "Нурлан", "Улан", "Марат", "Талант", "Канат", "Өмүр")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class World:
    consultation_id: int
    proposal_ids: list[int]
    codes: list[str]
    accounts: list[str]  # user names
    roll_size: int


def bench_app(database_url: str, secret: str) -> Any:
    from pb import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secret,
            "VOTE_KEY": f"{secret}-vote",  # as the server's (below): slips printed here vote there
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
        }
    )


def prepare(database_url: str, secret: str, codes: int, accounts: int, roll: bool) -> World:
    """A world with a consultation in its voting phase, ``codes`` codes, and ``accounts``
    residents confirmed on a roll of ROLL_SIZE more people."""
    app = bench_app(database_url, secret)

    from sqlalchemy import select, text

    from pb.extensions import db
    from pb.models import CodeBatch, Electorate
    from pb.voting import services
    from tests import factories

    with app.app_context():
        db.drop_all()
        db.create_all()
        world = factories.build_world()
        world.consultation.electorate = Electorate.ROLL if roll else Electorate.REGISTERED
        proposals = factories.open_voting(
            world.consultation, costs=(300_000, 250_000, 200_000, 150_000, 100_000)
        )
        services.generate_codes(world.officer, world.consultation, codes, "bench")
        batch = db.session.scalars(select(CodeBatch)).one()
        names, roll_size = add_roll(world, accounts)
        if db.engine.dialect.name == "postgresql":
            # As autovacuum would soon after an import: the planner's figures for the new rows.
            db.session.execute(text("ANALYZE"))
        db.session.commit()
        result = World(
            world.consultation.id,
            [p.id for p in proposals],
            services.batch_codes(batch),
            names,
            roll_size,
        )
        db.session.remove()
        db.engine.dispose()
    return result


def add_roll(world: Any, accounts: int) -> tuple[list[str], int]:
    """The municipality's roll, as imported from the household register: ROLL_SIZE people and
    ``accounts`` more, each of whom has an account (a resident's) that an officer confirmed
    against her entry. Written in bulk: the ORM one by one would take minutes. Returns the
    accounts' user names and the size of the roll."""
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from pb.extensions import db
    from pb.models import Gender, Membership, Role, RollEntry, User
    from pb.roll.names import name_key
    from tests import factories

    chooser = secrets.SystemRandom()
    password_hash = generate_password_hash(factories.PASSWORD, method=PASSWORD_HASH_METHOD)
    names = [f"voter{n}" for n in range(accounts)]
    user_ids = list(
        db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "username": name,
                    "password_hash": password_hash,
                    "display_name": f"Voter {n}",
                    "locale": "ky",
                }
                for n, name in enumerate(names)
            ],
        )
    )
    municipality = world.municipality
    db.session.execute(
        insert(Membership),
        [
            {"user_id": user_id, "municipality_id": municipality.id, "role": Role.RESIDENT}
            for user_id in user_ids
        ],
    )
    now = datetime.now(UTC)
    village_ids = [v.id for v in municipality.villages]
    people = ROLL_SIZE + accounts
    # The confirmed voters are scattered among the others, as a roll imported first and
    # confirmed person by person afterwards would have them.
    confirmed = dict(zip(chooser.sample(range(people), accounts), user_ids, strict=True))
    entries = []
    for n in range(people):
        gender = chooser.choice(list(Gender))
        female = gender is Gender.FEMALE
        surname = chooser.choice(SURNAMES) + ("ова" if female else "ов")
        given = chooser.choice(FEMALE_NAMES if female else MALE_NAMES)
        father = chooser.choice(MALE_NAMES)
        full_name = f"{surname} {given} {father} {'кызы' if female else 'уулу'}"
        user_id = confirmed.get(n)
        entries.append(
            {
                "municipality_id": municipality.id,
                "village_id": village_ids[n % len(village_ids)],
                "household": str(n // 5 + 1),
                "full_name": full_name,
                "name_key": name_key(full_name),
                "birth_year": chooser.randint(1940, 2006),
                "gender": gender,
                "phone": (
                    f"+996 {chooser.randint(500, 779)} {chooser.randint(100, 999)} "
                    f"{chooser.randint(100, 999)}"
                    if n % 2
                    else None
                ),
                "user_id": user_id,
                "confirmed_by_id": world.officer.id if user_id else None,
                "confirmed_at": now if user_id else None,
            }
        )
    db.session.execute(insert(RollEntry), entries)
    return names, people


@dataclass
class Stored:
    ballots: int
    online_ballots: int
    codes_used: int
    account_links: int
    roll_marks: int
    online_marks: int


def count_stored(database_url: str, secret: str) -> Stored:
    from sqlalchemy import func, select

    from pb.extensions import db
    from pb.models import Ballot, Channel, RollMark, VoterLink, VotingCode

    def count(*where: Any, of: Any = Ballot) -> int:
        return db.session.scalar(select(func.count()).select_from(of).where(*where)) or 0

    app = bench_app(database_url, secret)
    with app.app_context():
        stored = Stored(
            ballots=count(),
            online_ballots=count(Ballot.channel == Channel.ONLINE),
            codes_used=count(VotingCode.used.is_(True), of=VotingCode),
            # Links name no account nor code (pb.voting.voters): each used code has one.
            account_links=count(of=VoterLink) - count(VotingCode.used.is_(True), of=VotingCode),
            roll_marks=count(of=RollMark),
            online_marks=count(RollMark.channel == Channel.ONLINE, of=RollMark),
        )
        db.engine.dispose()
    return stored


class Server:
    def __init__(self, database_url: str, secret: str, workers: int) -> None:
        self.port = free_port()
        env = dict(
            os.environ, DATABASE_URL=database_url, SECRET_KEY=secret, PB_VOTE_KEY=f"{secret}-vote"
        )
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


def csrf_field(page: str) -> str:
    """The CSRF token of the page's form, as the form sends it."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return urllib.parse.urlencode([("csrf_token", found.group(1))])


@dataclass(frozen=True)
class Session:
    """A logged-in account's session cookie and the CSRF token of its ballot page."""

    cookie: str
    token_field: str


@dataclass
class Client:
    port: int
    cookie: str = ""
    token_field: str = ""  # the CSRF token, as the form sends it
    conn: http.client.HTTPConnection | None = None

    def open_ballot(self, vote_path: str, by_code: bool = True) -> None:
        """Take a session cookie and a CSRF token from the ballot page, which must ask for a
        code, or not (an account that may vote with itself)."""
        status, page, _ = self.request("GET", vote_path)
        if status != 200 or ('name="code"' in page) != by_code:
            raise RuntimeError(
                f"the ballot page is not one to vote {'by code' if by_code else 'with an account'}"
            )
        self.token_field = csrf_field(page)

    def log_in(self, login: str, password: str) -> None:
        """A new session, logged in as this account."""
        self.cookie = ""
        _status, page, _ = self.request("GET", "/login")
        form = urllib.parse.urlencode([("login", login), ("password", password)])
        status, _, _ = self.request("POST", "/login", f"{csrf_field(page)}&{form}")
        if status != 302:
            raise RuntimeError(f"{login} could not log in")

    def request(
        self, method: str, path: str, body: str | None = None, session: Session | None = None
    ) -> tuple[int, str, float]:
        """Send a request with this client's cookie, or with an account's ``session`` (whose
        cookie stays as it was: the server's answer does not change it)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Accept-Language": "en"}
        cookie = session.cookie if session else self.cookie
        if cookie:
            headers["Cookie"] = cookie
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
        if set_cookie and session is None:
            self.cookie = set_cookie.split(";", 1)[0]
        return response.status, text, elapsed


@dataclass
class Tally:
    """Latencies and voters acknowledged by kind (ACCOUNT, CODE; "health"), and errors."""

    latencies: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    acknowledged: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


Work = Callable[[Client, Any, Tally], None]


def run_clients(clients: list[Client], jobs: Sequence[Any], work: Work, tally: Tally) -> float:
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
            except (OSError, http.client.HTTPException, RuntimeError):
                with tally.lock:
                    tally.errors += 1

    threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


@dataclass(frozen=True)
class Voter:
    kind: str  # ACCOUNT or CODE
    name: str  # the account's user name, or the code
    session: Session | None = None  # an account's; a code is sent with its client's session


@dataclass(frozen=True)
class Job:
    voter: Voter
    form: str  # what the ballot sends besides the CSRF token: two choices, and the code


def vote_jobs(
    voters: list[Voter], proposal_ids: list[int], chooser: secrets.SystemRandom
) -> list[Job]:
    """Per voter, the ballot she sends: two choices, and her code if she votes with one."""
    jobs = []
    for voter in voters:
        fields: list[tuple[str, object]] = [("code", voter.name)] if voter.kind == CODE else []
        fields += [("choice", p) for p in chooser.sample(proposal_ids, 2)]
        jobs.append(Job(voter, "&" + urllib.parse.urlencode(fields)))
    return jobs


def log_in_accounts(
    port: int, vote_path: str, names: list[str], clients: int
) -> dict[str, Session]:
    """Each account logged in and its ballot page opened, by as many clients as will vote."""
    from tests.factories import PASSWORD

    sessions: dict[str, Session] = {}
    tally = Tally()

    def log_in(client: Client, name: str, tally: Tally) -> None:
        client.log_in(name, PASSWORD)
        client.open_ballot(vote_path, by_code=False)
        with tally.lock:
            sessions[name] = Session(client.cookie, client.token_field)

    run_clients([Client(port) for _ in range(clients)], names, log_in, tally)
    if len(sessions) != len(names):
        raise RuntimeError(
            f"{len(names) - len(sessions)} accounts could not log in and open their ballot"
        )
    return sessions


def p99_ms(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] * 1000


def bench(
    label: str, database_url: str, voters: int, clients: int, workers: int, roll: bool
) -> dict[str, float]:
    secret = secrets.token_hex(16)
    counts = {ACCOUNT: voters - voters // 2, CODE: voters // 2}
    world = prepare(
        database_url, secret, counts[CODE] + CPU_SAMPLE, counts[ACCOUNT] + CPU_SAMPLE, roll
    )
    server = Server(database_url, secret, workers)
    try:
        vote_path = f"/c/{world.consultation_id}/vote"
        # Untimed, like a resident who logs in and opens the ballot before she votes.
        sessions = log_in_accounts(server.port, vote_path, world.accounts, clients)
        everyone = {
            ACCOUNT: [Voter(ACCOUNT, name, sessions[name]) for name in world.accounts],
            CODE: [Voter(CODE, code) for code in world.codes],
        }

        def cast(client: Client, job: Job, tally: Tally) -> None:
            voter = job.voter
            token_field = voter.session.token_field if voter.session else client.token_field
            status, _, elapsed = client.request(
                "POST", vote_path, token_field + job.form, voter.session
            )
            with tally.lock:
                tally.latencies[voter.kind].append(elapsed)
                if status == 302:
                    tally.acknowledged[voter.kind].add(voter.name)
                elif not (status == 200 and voter.kind == CODE):
                    # A code's second submission without the first's receipt is refused, as
                    # it must be (a code changes its ballot only with that receipt).
                    tally.errors += 1

        def health(client: Client, _: int, tally: Tally) -> None:
            status, _, elapsed = client.request("GET", "/health")
            with tally.lock:
                tally.latencies["health"].append(elapsed)
                if status != 200:
                    tally.errors += 1

        # Every voter's ballot twice, the two submissions spread among different clients: a
        # voter who taps "vote" twice, or two people who share one slip.
        # What each sends is drawn beforehand: the clients share the cores with the server.
        chooser = secrets.SystemRandom()
        timed = {kind: everyone[kind][: counts[kind]] for kind in (ACCOUNT, CODE)}
        jobs = {kind: vote_jobs(timed[kind] * 2, world.proposal_ids, chooser) for kind in timed}
        for kind_jobs in jobs.values():
            chooser.shuffle(kind_jobs)
        # Account votes, code votes and /health take turns, a slice of each per round, so that
        # a machine whose speed drifts during the run (a shared host) slows them alike.
        votes, trivial = Tally(), Tally()
        seconds = dict.fromkeys((ACCOUNT, CODE, "health"), 0.0)
        voting_clients = [Client(server.port) for _ in range(clients)]
        visitors = [Client(server.port) for _ in range(clients)]
        # Untimed, like a voter opening the ballot: each code client's session cookie and CSRF
        # token. This also warms up both endpoints (the workers compile templates on first use).
        for client, visitor in zip(voting_clients, visitors, strict=True):
            client.open_ballot(vote_path)
            visitor.request("GET", "/health")
        sizes = {kind: -(-len(jobs[kind]) // ROUNDS) for kind in jobs}
        for turn in range(ROUNDS):
            order = (ACCOUNT, CODE) if turn % 2 == 0 else (CODE, ACCOUNT)
            for kind in order:
                start = turn * sizes[kind]
                batch = jobs[kind][start : start + sizes[kind]]
                seconds[kind] += run_clients(voting_clients, batch, cast, votes)
            seconds["health"] += run_clients(
                visitors, range(sizes[ACCOUNT] + sizes[CODE]), health, trivial
            )
        spare = {kind: everyone[kind][counts[kind] :] for kind in (ACCOUNT, CODE)}
        cpu = cpu_per_request(
            server,
            vote_path,
            cast,
            health,
            {kind: vote_jobs(spare[kind], world.proposal_ids, chooser) for kind in spare},
        )
    finally:
        server.stop()
    stored = count_stored(database_url, secret)
    trivial_rate = len(trivial.latencies["health"]) / seconds["health"]
    sent = {kind: len(votes.latencies[kind]) for kind in (ACCOUNT, CODE)}
    rates = {kind: sent[kind] / seconds[kind] for kind in sent}
    vote_seconds = seconds[ACCOUNT] + seconds[CODE]
    vote_rate = sum(sent.values()) / vote_seconds
    ratio = vote_rate / trivial_rate
    if cpu:
        for kind, names in cpu["tally"].acknowledged.items():
            votes.acknowledged[kind] |= names
        votes.errors += cpu["tally"].errors
    acknowledged = {kind: len(votes.acknowledged[kind]) for kind in (ACCOUNT, CODE)}
    print(
        f"{label}: {sum(sent.values())} ballots sent by {clients} clients in {vote_seconds:.1f} s: "
        f"{vote_rate:.0f} ballots/s, p99 {p99_ms(votes.latencies[ACCOUNT] + votes.latencies[CODE]):.0f} ms, "
        f"errors {votes.errors}; /health {trivial_rate:.0f} req/s "
        f"(p99 {p99_ms(trivial.latencies['health']):.0f} ms); ratio {ratio:.2f}; "
        f"acknowledged {sum(acknowledged.values())} distinct voters, stored {stored.ballots}"
    )
    print(
        f"{label}: by accounts{' on the roll' if roll else ' (no roll)'}: {sent[ACCOUNT]} ballots in "
        f"{seconds[ACCOUNT]:.1f} s, {rates[ACCOUNT]:.0f} ballots/s, "
        f"p99 {p99_ms(votes.latencies[ACCOUNT]):.0f} ms, ratio {rates[ACCOUNT] / trivial_rate:.2f}; "
        f"by codes: {sent[CODE]} ballots in {seconds[CODE]:.1f} s, {rates[CODE]:.0f} ballots/s, "
        f"p99 {p99_ms(votes.latencies[CODE]):.0f} ms, ratio {rates[CODE] / trivial_rate:.2f}"
    )
    marks_expected = acknowledged[ACCOUNT] if roll else 0
    print(
        f"{label}: accounts acknowledged {acknowledged[ACCOUNT]}, with a ballot "
        f"{stored.account_links} ({stored.online_ballots} online ballots); codes acknowledged "
        f"{acknowledged[CODE]}, used {stored.codes_used}; roll marks {stored.roll_marks} "
        f"({stored.online_marks} online, {marks_expected} expected) on a roll of {world.roll_size}"
    )
    if cpu:

        def spent(kind: str) -> str:
            workers, database = cpu[kind]
            in_postgres = f" + {database:.2f} ms in PostgreSQL" if label == "postgres" else ""
            return f"{workers:.2f} ms in the workers{in_postgres}"

        print(
            f"{label}: CPU per request, one client at a time: vote by account {spent(ACCOUNT)}; "
            f"vote by code {spent(CODE)}; /health {cpu['health'][0]:.2f} ms"
        )
    if stored.roll_marks != marks_expected or stored.online_marks != marks_expected:
        print(f"{label}: ROLL MARKS WRONG: {stored.roll_marks} marks, {marks_expected} expected")
    return {
        "acknowledged": sum(acknowledged.values()),
        "stored": stored.ballots,
        "duplicates": stored.ballots - stored.codes_used - stored.account_links,
        "errors": votes.errors + trivial.errors,
        "ratio": ratio,
    }


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


def cpu_per_request(
    server: Server, vote_path: str, cast: Work, health: Work, jobs: dict[str, list[Job]]
) -> dict[str, Any] | None:
    """CPU milliseconds per request of gunicorn's workers (and of PostgreSQL's backends for the
    bench database), one request at a time, for a vote by account, a vote by code and /health:
    what the ratio above comes down to on a machine whose cores are all busy. Read from /proc
    (Linux); None elsewhere. The votes' tally (what was acknowledged, errors) is returned too."""
    if not Path("/proc/self/stat").exists():
        return None
    workers = _pids("-P", str(server.process.pid))
    client = Client(server.port)
    client.open_ballot(vote_path)
    tally = Tally()
    result: dict[str, Any] = {"tally": tally}
    sample = len(jobs[CODE])
    for name, work, items in (
        (ACCOUNT, cast, jobs[ACCOUNT]),
        (CODE, cast, jobs[CODE]),
        ("health", health, range(sample)),
    ):
        backends = _pids("-f", f"postgres: .* {PG_DATABASE} ")
        before = _cpu_seconds(workers), _cpu_seconds(backends)
        for item in items:
            work(client, item, tally)
        after = _cpu_seconds(workers), _cpu_seconds(backends)
        result[name] = tuple(
            (b - a) / len(items) * 1000 for a, b in zip(before, after, strict=True)
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
    parser.add_argument(
        "--without-roll",
        action="store_true",
        help="anyone registered votes (no roll check, no marks): to compare",
    )
    args = parser.parse_args()
    voters = 300 if args.quick else 2000
    roll = not args.without_roll
    results = []
    tmp = tempfile.mkdtemp(prefix="pb-bench-")
    try:
        if args.db in ("sqlite", "both"):
            url = f"sqlite:///{tmp}/bench.sqlite"
            results.append(bench("sqlite", url, voters, args.clients, args.workers, roll))
        if args.db in ("postgres", "both"):
            url = postgres_url()
            if url:
                results.append(bench("postgres", url, voters, args.clients, args.workers, roll))
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
