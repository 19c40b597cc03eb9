"""The database's own files, read as an attacker without the app's keys would read them, link
no voter to a choice (issue 15, part 11; README "Who can learn what").

Residents log in and vote (one changes her ballot), code holders vote (one changes hers with
her receipt), a backup is taken while voting runs, and an officer closes the vote. Then the
test reads what an attacker with the database's files would have, not through the app:
- on PostgreSQL, every page of every table, index and TOAST table through ``pageinspect``
  (dead row versions included, with the transaction that wrote or locked each), and the WAL
  from before the first vote to after the close, copied from ``pg_wal`` and decoded with
  ``pg_waldump``, each record's own bytes read from the raw segments;
- on SQLite, the main file, the ``-wal`` file frame by frame (grouped by the request that
  appended them), and the backup's file.

What names a voter in the clear is seeded to be unmistakable: her account's and her roll
entry's ids (distinctive 32-bit numbers, searched in each database's binary encoding and as
decimal text), her phone, name, login token, and the id of the village she gave as her detail.
The test fails if any of these is found
- in the same row (PostgreSQL) or page (SQLite, WAL frames, backups) as a ballot's id, live or
  dead, before or after close: the choices are one join away;
- in anything written or locked by a transaction that wrote a ballot or its choices while
  voting ran (PostgreSQL: heap rows by their xmin/xmax, WAL records by their transaction;
  SQLite: the WAL frames of a vote), nor may such a transaction touch the tables that name
  people: the transaction is her ballot, whatever its rows say;
- in what logging in and voting write at all (the time of her visit would date her ballot).
Each check is shown able to fail: a planted transaction that names a voter beside a ballot is
found by the same reading.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from pb import create_app
from pb.backups import backup, client_programs, major_version
from pb.extensions import db
from pb.models import (
    Ballot,
    Electorate,
    Gender,
    Membership,
    Role,
    RollEntry,
    User,
    Village,
)
from tests import conftest, factories

TEST_DATABASE_URL = conftest.TEST_DATABASE_URL
ACCOUNT_VOTERS = 5
BALLOT_ID = re.compile(rb"[0-9a-f]{32}")


def distinctive(k: int) -> int:
    """A 32-bit id no other value of the test shares, in any byte order."""
    return 1_900_000_000 + k * 1_234_567


# -- what names a voter, as the raw bytes of each database hold it ---------------------------


@dataclass
class Voter:
    user_id: int
    entry_id: int
    village_id: int
    phone: str
    name: str
    full_name: str
    login_token: str

    def patterns(self, byte_order: str) -> dict[bytes, str]:
        """Each value naming her, as bytes, with what it is."""
        found: dict[bytes, str] = {}
        for what, number in (
            ("account id", self.user_id),
            ("roll entry id", self.entry_id),
            ("village id of her details", self.village_id),
        ):
            found[struct.pack(f"{byte_order}i", number)] = what
            found[str(number).encode()] = what + " (as text)"
        for what, value in (
            ("phone", self.phone),
            ("name", self.name),
            ("name on the roll", self.full_name),
            ("login token", self.login_token),
        ):
            found[value.encode()] = what
        return found


def naming(data: bytes, patterns: dict[bytes, str]) -> list[str]:
    return [what for pattern, what in patterns.items() if pattern in data]


def co_occurring(where: str, data: bytes, ballots: set[bytes], patterns: dict[bytes, str]):
    """A finding if ``data`` holds a ballot's id and anything naming a voter."""
    if not ballots.intersection(BALLOT_ID.findall(data)):
        return []
    return [f"{where}: a ballot's id beside {what}" for what in naming(data, patterns)]


# -- the vote --------------------------------------------------------------------------------


@dataclass
class Vote:
    app: Flask
    voters: list[Voter]
    ballots_while_voting: set[bytes]
    ballots_after_close: set[bytes]


def _site(url: str) -> Flask:
    # Uncompressed full-page images in the WAL: what an attacker reads at best (compressed
    # ones are only a decompression away).
    options = {"connect_args": {"options": "-c wal_compression=off"}} if "postgresql" in url else {}
    app = create_app(
        conftest._config(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
    )
    app.test_client_class = conftest.Client
    return app


def _seed() -> tuple[factories.World, list[Voter], list]:
    world = factories.build_world()
    municipality = world.municipality
    voters = []
    for k in range(ACCOUNT_VOTERS):
        village = Village(id=distinctive(100 + k), name=f"Village-{k}")
        municipality.villages.append(village)
        world.consultation.villages.append(village)
        user = User(
            id=distinctive(k),
            phone=f"+996 700 {k:03d} 9{k}7",
            display_name=f"Voter Qzx{k}wv",
            locale="en",
            gender=Gender.FEMALE,
            birth_year=1990 + k,
            village=village,
        )
        user.set_password(factories.PASSWORD)
        db.session.add(user)
        db.session.flush()
        user.memberships.append(Membership(municipality_id=municipality.id, role=Role.RESIDENT))
        entry = RollEntry(
            id=distinctive(50 + k),
            municipality_id=municipality.id,
            village_id=village.id,
            household=f"H-{k}",
            full_name=f"Roll Qzy{k}wv",
            name_key=f"roll qzy{k}wv",
            birth_year=1990 + k,
            gender=Gender.FEMALE,
            user_id=user.id,
        )
        db.session.add(entry)
        db.session.flush()
        voters.append(
            Voter(
                user.id,
                entry.id,
                village.id,
                user.phone,
                user.display_name,
                entry.full_name,
                user.login_token,
            )
        )
    db.session.commit()
    # Proposals authored by nobody among the voters: a proposal's page holds its author's id.
    proposals = factories.open_voting(world.consultation, electorate=Electorate.ROLL)
    return world, voters, proposals


def _ballot_ids() -> set[bytes]:
    return {i.encode() for i in db.session.scalars(select(Ballot.id))}


# -- PostgreSQL: pages, rows and WAL ---------------------------------------------------------


@contextmanager
def scratch_postgresql() -> Iterator[tuple[str, Engine]]:
    """A database of the test's own, and a superuser's connection to it (autocommit)."""
    server = make_url(TEST_DATABASE_URL)
    name = f"{server.database}_raw_files"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as sql:
        sql.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        sql.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name)
    reader = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=None)
    try:
        yield url.render_as_string(hide_password=False), reader
    finally:
        reader.dispose()
        with admin.connect() as sql:
            sql.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class HeapRow:
    relation: str
    block: int
    xmin: int
    xmax: set[int]  # the transactions that deleted or locked it (a multixact's members)
    data: bytes


class PostgresFiles:
    """What a superuser (or whoever has the data directory) reads, without the app's keys."""

    def __init__(self, connection) -> None:  # type: ignore[no-untyped-def]
        self.sql = connection
        self.sql.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        self.database_oid = self.sql.execute(
            text("SELECT oid FROM pg_database WHERE datname = current_database()")
        ).scalar_one()

    def relations(self) -> list[tuple[str, str, int]]:
        """(name, kind, relfilenode) of every table, index and TOAST table of pb's schema."""
        return [
            tuple(row)  # type: ignore[misc]
            for row in self.sql.execute(
                text(
                    "SELECT c.oid::regclass::text, c.relkind, c.relfilenode FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relkind IN ('r', 'i', 't') AND c.relfilenode <> 0"
                    " AND (n.nspname = 'public' OR c.oid IN (SELECT reltoastrelid FROM"
                    "  pg_class k JOIN pg_namespace m ON m.oid = k.relnamespace"
                    "  WHERE m.nspname = 'public'))"
                )
            )
        ]

    def pages(self) -> Iterator[tuple[str, int, bytes]]:
        for name, _kind, _node in self.relations():
            blocks = self.sql.execute(
                text("SELECT pg_relation_size(CAST(:r AS regclass)) / 8192"), {"r": name}
            ).scalar_one()
            for block in range(blocks):
                page = self.sql.execute(
                    text("SELECT get_raw_page(:r, :b)"), {"r": name, "b": block}
                ).scalar_one()
                yield name, block, bytes(page)

    def rows(self, only: Iterable[str] | None = None) -> Iterator[HeapRow]:
        """Every row version still on the heap pages, live or dead."""
        wanted = set(only) if only is not None else None
        for name, kind, _node in self.relations():
            if kind == "i" or (wanted is not None and name not in wanted):
                continue
            blocks = self.sql.execute(
                text("SELECT pg_relation_size(CAST(:r AS regclass)) / 8192"), {"r": name}
            ).scalar_one()
            for block in range(blocks):
                for xmin, xmax, infomask, data in self.sql.execute(
                    text(
                        "SELECT t_xmin::text::bigint, t_xmax::text::bigint, t_infomask, t_data"
                        " FROM heap_page_items(get_raw_page(:r, :b)) WHERE t_data IS NOT NULL"
                    ),
                    {"r": name, "b": block},
                ):
                    yield HeapRow(name, block, xmin, self._xmax(xmax, infomask), bytes(data))

    def _xmax(self, xmax: int, infomask: int) -> set[int]:
        if not xmax:
            return set()
        if infomask & 0x1000:  # HEAP_XMAX_IS_MULTI: the members are the transactions
            return {
                int(member)
                for (member,) in self.sql.execute(
                    text("SELECT xid::text::bigint FROM pg_get_multixact_members(CAST(:m AS xid))"),
                    {"m": str(xmax)},
                )
            }
        return {xmax}

    def lsn(self) -> str:
        return self.sql.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()

    def nodes_of(self, tables: Iterable[str]) -> set[int]:
        """The relfilenodes of these tables and of their indexes and TOAST tables."""
        return {
            node
            for (node,) in self.sql.execute(
                text(
                    "SELECT relfilenode FROM pg_class WHERE oid = ANY(CAST(:t AS regclass[]))"
                    " OR oid IN (SELECT indexrelid FROM pg_index"
                    "  WHERE indrelid = ANY(CAST(:t AS regclass[])))"
                    " OR oid IN (SELECT reltoastrelid FROM pg_class"
                    "  WHERE oid = ANY(CAST(:t AS regclass[])))"
                ),
                {"t": list(tables)},
            )
        }


def server_program(sql, name: str) -> str:  # type: ignore[no-untyped-def]
    """PostgreSQL's program of the server's own major version (pg_waldump reads only its own
    version's WAL). Missing, the test skips; with PB_REQUIRE_POSTGRES_CLUSTER=1 (CI) it fails."""
    major = int(sql.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    for program in client_programs(name):
        if f"/postgresql/{major}/bin/" in program or major_version(program) == major:
            return program
    reason = f"{name} of PostgreSQL {major} is not installed"
    if os.environ.get("PB_REQUIRE_POSTGRES_CLUSTER") == "1":
        pytest.fail(f"required here (PB_REQUIRE_POSTGRES_CLUSTER=1): {reason}")
    pytest.skip(reason)


@dataclass
class WalRecord:
    xid: int
    lsn: int
    length: int
    description: str
    nodes: set[tuple[int, int]]  # (database oid, relfilenode) of the blocks it changes
    data: bytes = b""


def _lsn(value: str) -> int:
    high, low = value.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def read_wal(files: PostgresFiles, start: str, end: str, folder: Path) -> list[WalRecord]:
    """The WAL records from ``start`` to ``end``, each with its own bytes from the segments."""
    sql = files.sql
    waldump = server_program(sql, "pg_waldump")
    segment_size = int(
        sql.execute(
            text("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'")
        ).scalar_one()
    )
    block_size = int(
        sql.execute(
            text("SELECT setting FROM pg_settings WHERE name = 'wal_block_size'")
        ).scalar_one()
    )
    first, last = sql.execute(
        text("SELECT pg_walfile_name(CAST(:s AS pg_lsn)), pg_walfile_name(CAST(:e AS pg_lsn))"),
        {"s": start, "e": end},
    ).one()
    names = [
        name
        for (name,) in sql.execute(
            text(
                "SELECT name FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'"
                " AND name BETWEEN :f AND :l ORDER BY name"
            ),
            {"f": first, "l": last},
        )
    ]
    assert names[0] == first and names[-1] == last, "WAL segments went missing during the test"
    folder.mkdir()
    stream = bytearray()
    for name in names:
        segment = sql.execute(
            text("SELECT pg_read_binary_file('pg_wal/' || :n)"), {"n": name}
        ).scalar_one()
        (folder / name).write_bytes(bytes(segment))
        stream += bytes(segment)
    stream_start = _lsn(start) - _lsn(start) % segment_size
    dumped = subprocess.run(
        [waldump, f"--path={folder}", f"--start={start}", f"--end={end}"],
        capture_output=True,
        text=True,
    )
    records = []
    for line in dumped.stdout.splitlines():
        found = re.search(
            r"len \(rec/tot\):\s*\d+/\s*(\d+), tx:\s*(\d+), lsn: ([0-9A-F]+/[0-9A-F]+),.*?desc: (.*)",
            line,
        )
        if not found:
            continue
        length, xid, lsn, description = found.groups()
        nodes = {
            (int(db_oid), int(node))
            for _space, db_oid, node in re.findall(r"rel (\d+)/(\d+)/(\d+)", line)
        }
        record = WalRecord(int(xid), _lsn(lsn), int(length), description, nodes)
        record.data = _record_bytes(
            stream, record.lsn - stream_start, record.length, segment_size, block_size
        )
        records.append(record)
    assert records, f"pg_waldump read nothing: {dumped.stderr[-500:]}"
    return records


def _record_bytes(
    stream: bytes, offset: int, length: int, segment_size: int, block_size: int
) -> bytes:
    """A record's bytes from the WAL stream, leaving out the page headers it runs across (a
    long header at a segment's start, a short one on every other WAL page)."""
    out = bytearray()
    while len(out) < length and offset < len(stream):
        page_end = (offset // block_size + 1) * block_size
        take = min(length - len(out), page_end - offset)
        out += stream[offset : offset + take]
        offset = page_end
        if len(out) < length:
            offset += 40 if offset % segment_size == 0 else 24
    return bytes(out)


# -- SQLite: the files, frame by frame -------------------------------------------------------


def sqlite_pages(data: bytes) -> Iterator[tuple[int, bytes]]:
    size = struct.unpack(">H", data[16:18])[0]
    size = 65536 if size == 1 else size
    for number in range(len(data) // size):
        yield number + 1, data[number * size : (number + 1) * size]


@dataclass
class Frame:
    index: int
    page: int
    commit: bool
    data: bytes


def wal_frames(path: Path) -> list[Frame]:
    if not path.exists():
        return []
    data = path.read_bytes()
    if len(data) < 32:
        return []
    page_size = struct.unpack(">I", data[8:12])[0]
    frames = []
    offset = 32
    while offset + 24 + page_size <= len(data):
        page, after_commit = struct.unpack(">II", data[offset : offset + 8])
        frames.append(
            Frame(len(frames), page, after_commit != 0, data[offset + 24 : offset + 24 + page_size])
        )
        offset += 24 + page_size
    return frames


def wal_salt(path: Path) -> bytes:
    return path.read_bytes()[16:24] if path.exists() else b""


# -- the tests -------------------------------------------------------------------------------


def _log_in(client, voter: Voter) -> None:
    response = client.post("/login", data={"login": voter.phone, "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _vote(client, consultation_id: int, proposal_ids, village_id: int | None = None, **fields):
    data = {
        "choice": [str(p) for p in proposal_ids],
        "gender": "female" if village_id else "",
        "age_group": "",
        "village_id": str(village_id or ""),
        **fields,
    }
    response = client.post(f"/c/{consultation_id}/vote", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def _receipt(client, consultation_id: int) -> str:
    with client.session_transaction() as kept:
        return kept["receipts"][str(consultation_id)]["number"]


def _codes(officer_client, consultation_id: int, size: int) -> list[str]:
    from tests.voting.test_codes import CODE_RE

    made = officer_client.post(
        f"/c/{consultation_id}/codes", data={"size": str(size), "label": "A"}
    )
    assert made.status_code == 302
    return CODE_RE.findall(officer_client.get(made.headers["Location"]).get_data(as_text=True))


def _close(officer_client, consultation_id: int) -> None:
    response = officer_client.post(
        f"/c/{consultation_id}/phase",
        data={"direction": "advance", "expected": "voting", "confirm": "yes", "reason": "Early."},
    )
    assert response.status_code == 302


class Steps:
    """The life of the vote, with a hook around each request that may write: the test reads
    what each one appended to the WAL."""

    def __init__(self, app: Flask, around) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.around = around  # around(kind, voter) -> context manager

    def run(self, backup_to: Path) -> Vote:
        app = self.app
        with app.app_context():
            world, voters, proposals = _seed()
            officer = conftest._client_for(app, world.officer)
            consultation = world.consultation.id
            p1, p2, p3, p4 = (p.id for p in proposals)
            # The test's own session holds no transaction while the site works: on SQLite a
            # transaction holds the write lock from its start (pb.sqlite).
            db.session.remove()
            codes = _codes(officer, consultation, 3)
            for k, voter in enumerate(voters):
                client = app.test_client()
                with self.around("login", voter):
                    _log_in(client, voter)
                with self.around("vote", voter):
                    _vote(client, consultation, [(p1, p2, p3, p4)[k % 4]], voter.village_id)
                if k == 0:  # she changes her mind
                    with self.around("vote", voter):
                        _vote(client, consultation, [p4], voter.village_id)
            coder = app.test_client()
            with self.around("vote", None):
                _vote(coder, consultation, [p2], code=codes[0])
            with self.around("vote", None):
                receipt = _receipt(coder, consultation)
                _vote(coder, consultation, [p3], code=codes[0], earlier_receipt=receipt)
            with self.around("vote", None):
                _vote(app.test_client(), consultation, [p1, p3], code=codes[1])
            backup(db.engine, backup_to)
            while_voting = _ballot_ids()
            db.session.remove()
            with self.around("close", None):
                _close(officer, consultation)
            after_close = _ballot_ids()
            db.session.remove()
            assert len(after_close) == ACCOUNT_VOTERS + 2
            return Vote(app, voters, while_voting, after_close)


def _all_patterns(voters: list[Voter], byte_order: str) -> dict[bytes, str]:
    patterns: dict[bytes, str] = {}
    for voter in voters:
        patterns.update(
            {
                p: f"{what} of voter {voter.user_id}"
                for p, what in voter.patterns(byte_order).items()
            }
        )
    return patterns


PEOPLE_TABLES = ("users", "roll_entries")


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="reads PostgreSQL's files; set TEST_DATABASE_URL")
def test_postgresql_pages_and_wal_link_no_voter_to_a_choice(tmp_path):
    with scratch_postgresql() as (url, reader), reader.connect() as sql:
        files = PostgresFiles(sql)
        # Keep the WAL from here until the test has read it.
        sql.execute(text("SELECT pg_create_physical_replication_slot('pb_raw_files', true, true)"))
        app = _site(url)
        with app.app_context():
            db.create_all()
        visits: list[tuple[str, int | None, str, str]] = []

        @contextmanager
        def around(kind, voter):  # type: ignore[no-untyped-def]
            before = files.lsn()
            yield
            visits.append((kind, voter.user_id if voter else None, before, files.lsn()))

        start = files.lsn()
        with app.app_context():
            # Voting's transactions: whatever wrote a ballot or its choices before close.
            vote = Steps(app, around).run(tmp_path / "during-voting.dump")
        end = files.lsn()
        patterns = _all_patterns(vote.voters, "<")
        people_nodes = files.nodes_of(PEOPLE_TABLES)
        ballot_nodes = files.nodes_of(("ballots",))
        records = read_wal(files, start, end, tmp_path / "wal")
        ours = [r for r in records if any(d == files.database_oid for d, _ in r.nodes)]
        close_xids = {
            r.xid
            for r in ours
            for kind, _, a, b in visits
            if kind == "close" and _lsn(a) <= r.lsn < _lsn(b)
        }
        voting_xids = {
            r.xid
            for r in ours
            if r.xid and r.xid not in close_xids and any(n in ballot_nodes for _, n in r.nodes)
        }
        assert len(voting_xids) >= ACCOUNT_VOTERS + 4  # every ballot, and every change of one

        findings: list[str] = []
        # 1. Rows: no row version, live or dead, holds a ballot's id beside a voter's name;
        #    none written or locked by a vote names anybody, nor is of a table of people.
        ballots = vote.ballots_while_voting | vote.ballots_after_close
        rows = list(files.rows())
        for row in rows:
            where = f"{row.relation} block {row.block} (xmin {row.xmin})"
            findings += co_occurring(where, row.data, ballots, patterns)
            if ({row.xmin} | row.xmax) & voting_xids:
                if row.relation in PEOPLE_TABLES:
                    findings.append(f"{where}: a row of people written or locked by a vote")
                findings += [
                    f"{where}: written by a vote, names {w}" for w in naming(row.data, patterns)
                ]
        # 2. Pages, indexes included: no page holds a ballot's id and a voter's name.
        for relation, block, page in files.pages():
            findings += co_occurring(f"page {block} of {relation}", page, ballots, patterns)
        # 3. WAL: a vote's records touch no table of people and name nobody; logging in and
        #    voting write nothing to those tables at all.
        for record in ours:
            where = f"WAL record at {record.lsn:X} (tx {record.xid}: {record.description[:60]})"
            if record.xid in voting_xids:
                if any(n in people_nodes for _, n in record.nodes):
                    findings.append(f"{where}: a vote's record changes a table of people")
                findings += [
                    f"{where}: a vote's record names {w}" for w in naming(record.data, patterns)
                ]
            findings += co_occurring(where, record.data, ballots, patterns)
        for kind, _user, before, after in visits:
            if kind in ("login", "vote"):
                for record in ours:
                    if (
                        record.xid
                        and _lsn(before) <= record.lsn < _lsn(after)
                        and any(n in people_nodes for _, n in record.nodes)
                    ):
                        findings.append(
                            f"a {kind} wrote to a table of people: {record.description[:80]}"
                        )
        # 4. The backup taken while voting ran, row by row as pg_restore writes it out.
        dumped = _restored_sql(sql, tmp_path / "during-voting.dump")
        for number, line in enumerate(dumped.splitlines()):
            findings += co_occurring(f"backup line {number}", line, ballots, patterns)
        assert findings == []

        # The reading can fail: what was seeded is where it should be ...
        people_rows = [r for r in rows if r.relation in PEOPLE_TABLES]
        assert all(
            any(struct.pack("<i", v.user_id) in r.data for r in people_rows) for v in vote.voters
        )
        assert any(
            naming(r.data, patterns)
            for r in records
            if r.nodes & {(files.database_oid, n) for n in people_nodes}
        )
        assert ballots & set(BALLOT_ID.findall(b"".join(r.data for r in records)))
        # ... and a transaction that names a voter beside a ballot is found, in rows and WAL.
        planted_start = files.lsn()
        voter = vote.voters[0]
        with app.app_context(), db.engine.begin() as planted:
            planted.execute(
                text(
                    "INSERT INTO ballots (id, consultation_id, channel) VALUES ('"
                    + "ab" * 16
                    + "', 1, 'online')"
                )
            )
            planted.execute(
                text("UPDATE users SET display_name = display_name WHERE id = :u"),
                {"u": voter.user_id},
            )
            planted.execute(
                text("INSERT INTO throttle_events (key, at) VALUES (:k, now())"),
                {"k": voter.phone},
            )
        planted_xid = next(
            r.xmin for r in files.rows(["ballots"]) if BALLOT_ID.findall(r.data) == [b"ab" * 16]
        )
        named = struct.pack("<i", voter.user_id)
        assert any(r.xmin == planted_xid and named in r.data for r in files.rows(["users"]))
        assert any(
            r.xmin == planted_xid and naming(r.data, patterns)
            for r in files.rows(["throttle_events"])
        )
        planted_records = read_wal(files, planted_start, files.lsn(), tmp_path / "planted")
        assert any(
            r.xid == planted_xid and any(n in people_nodes for _, n in r.nodes)
            for r in planted_records
        )
        assert any(r.xid == planted_xid and naming(r.data, patterns) for r in planted_records)
        with app.app_context():
            db.engine.dispose()


def _restored_sql(sql, dump: Path) -> bytes:  # type: ignore[no-untyped-def]
    restore = server_program(sql, "pg_restore")
    return subprocess.run(
        [restore, "--file=-", "--data-only", str(dump)], capture_output=True, check=True
    ).stdout


def test_sqlite_files_link_no_voter_to_a_choice(tmp_path):
    database = tmp_path / "site.sqlite"
    wal = Path(f"{database}-wal")
    app = _site(f"sqlite:///{database}")
    with app.app_context():
        db.create_all()
    appended: list[tuple[str, int | None, list[Frame]]] = []

    @contextmanager
    def around(kind, voter):  # type: ignore[no-untyped-def]
        salt, before = wal_salt(wal), len(wal_frames(wal))
        yield
        assert wal_salt(wal) == salt, "the WAL was checkpointed and restarted during the test"
        appended.append((kind, voter.user_id if voter else None, wal_frames(wal)[before:]))

    vote = Steps(app, around).run(tmp_path / "during-voting.sqlite")
    patterns = _all_patterns(vote.voters, ">")
    ballots = vote.ballots_while_voting | vote.ballots_after_close
    findings: list[str] = []
    # 1. What each login and each vote appended to the WAL names nobody (a vote's frames are
    #    its transaction: her ballot), and holds no ballot's id beside a name.
    votes = [frames for kind, _, frames in appended if kind == "vote"]
    assert all(frames for frames in votes)
    for kind, _user, frames in appended:
        for frame in frames:
            where = f"WAL frame {frame.index} (page {frame.page}) of a {kind}"
            if kind in ("login", "vote"):
                findings += [f"{where}: names {w}" for w in naming(frame.data, patterns)]
            findings += co_occurring(where, frame.data, ballots, patterns)
    # 2. Every frame in the WAL, every page of the main file and of the backup taken while
    #    voting ran: no page holds a ballot's id beside a voter's name.
    every_frame = wal_frames(wal)
    for frame in every_frame:
        findings += co_occurring(f"WAL frame {frame.index}", frame.data, ballots, patterns)
    for label, path in (("main file", database), ("backup", tmp_path / "during-voting.sqlite")):
        for number, page in sqlite_pages(path.read_bytes()):
            findings += co_occurring(f"page {number} of the {label}", page, ballots, patterns)
    assert findings == []

    # The reading can fail: the voters' names are in the files, the ballots' ids too ...
    everything = database.read_bytes() + b"".join(f.data for f in every_frame)
    for voter in vote.voters:
        assert struct.pack(">i", voter.user_id) in everything and voter.phone.encode() in everything
    assert ballots & set(BALLOT_ID.findall(everything))
    # ... and a transaction that writes a ballot and touches a voter's row is found.
    with app.app_context():
        before = len(wal_frames(wal))
        with db.engine.begin() as planted:
            planted.execute(
                text("INSERT INTO ballots (id, consultation_id, channel) VALUES (:i, 1, 'online')"),
                {"i": "ab" * 16},
            )
            planted.execute(
                text("UPDATE users SET display_name = display_name || ' ' WHERE id = :u"),
                {"u": vote.voters[0].user_id},
            )
        frames = wal_frames(wal)[before:]
        assert any(naming(f.data, patterns) for f in frames)
        db.engine.dispose()
