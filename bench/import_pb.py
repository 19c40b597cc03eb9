"""Importing a city's .pb file as a closed consultation (``pb.results.imports.import_pb``): the
seconds it takes and the peak memory of the whole process, on SQLite (a file) or PostgreSQL.

Run from the repository root, one import per process (the peak is the process's own):
    .venv/bin/python bench/import_pb.py [FILE] [--database-url URL]

FILE defaults to Łódź 2022 (../shared/data/pabulib/Poland_Lodz_2022.pb, 90,494 voters); the
database defaults to a fresh SQLite file in a temporary folder. A PostgreSQL database given by
--database-url is created if missing and its tables are dropped and made again: give it a
database of its own. The file is handed to the import in 64 KB chunks, as a worker reads an
upload back from the database.

The peak resident memory (RSS) is sampled every 5 ms, and told apart for the reading and
inserting and for the count at the end (``count_and_store``), with the process's own high-water
mark (getrusage) beside them. The last line reads:
    import_pb file=NAME db=sqlite|postgresql ballots=N seconds=X count_s=X peak_rss_mb=X
        read_insert_peak_mb=X count_peak_mb=X before_mb=X
The target (issue 18) is a peak under 300 MB for Łódź 2022 on both databases.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_FILE = ROOT.parent / "shared" / "data" / "pabulib" / "Poland_Lodz_2022.pb"
TARGET_MB = 300.0
CHUNK = 64 * 1024


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024


class Sampler(threading.Thread):
    """The highest RSS seen in each phase ("read_insert", then "count")."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.phase = "read_insert"
        self.peaks: dict[str, float] = {}
        self.running = True

    def run(self) -> None:
        while self.running:
            now = rss_mb()
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), now)
            time.sleep(0.005)


def chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def postgres_ready(url: str) -> None:
    """Create the database if it is missing."""
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone():
            conn.execute(f'CREATE DATABASE "{target.database}"')


def bench(path: Path, database_url: str) -> int:
    from flask_babel import force_locale
    from sqlalchemy import func, select

    from pb import create_app
    from pb.extensions import db
    from pb.models import Ballot, Role
    from pb.results import imports
    from tests import factories

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url}
    )
    sampler = Sampler()
    counted: dict[str, float] = {}
    original: Callable[..., Any] = imports.count_and_store

    def count_and_store(consultation: Any) -> Any:
        # The count's own share of the peak and of the time.
        sampler.phase = "count"
        started = time.perf_counter()
        try:
            return original(consultation)
        finally:
            counted["seconds"] = time.perf_counter() - started
            sampler.phase = "after"

    imports.count_and_store = count_and_store
    with app.app_context(), app.test_request_context(), force_locale("en"):
        db.drop_all()
        db.create_all()
        municipality = factories.make_municipality("lodz", villages=("Łódź",))
        officer = factories.make_user(municipality, Role.RESIDENT, Role.OFFICER)
        village_id = municipality.villages[0].id
        db.session.expire_all()
        before = rss_mb()
        sampler.start()
        started = time.perf_counter()
        consultation = imports.import_pb(officer, municipality, chunks(path), village_id)
        seconds = time.perf_counter() - started
        sampler.running = False
        sampler.join()
        ballots = db.session.scalar(
            select(func.count())
            .select_from(Ballot)
            .where(Ballot.consultation_id == consultation.id)
        )
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    high_water = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{path.name} ({path.stat().st_size / 1024 / 1024:.1f} MB) on {db_name(database_url)}: "
        f"{ballots} ballots in {seconds:.2f} s (count {counted.get('seconds', 0):.2f} s); "
        f"peak RSS {high_water:.0f} MB (before the import {before:.0f} MB; reading and "
        f"inserting {sampler.peaks.get('read_insert', 0):.0f} MB, count "
        f"{sampler.peaks.get('count', 0):.0f} MB); target under {TARGET_MB:.0f} MB: "
        f"{'met' if high_water < TARGET_MB else 'MISSED'}"
    )
    print(
        f"import_pb file={path.name} db={db_name(database_url)} ballots={ballots} "
        f"seconds={seconds:.2f} count_s={counted.get('seconds', 0):.2f} "
        f"peak_rss_mb={high_water:.0f} read_insert_peak_mb={sampler.peaks.get('read_insert', 0):.0f} "
        f"count_peak_mb={sampler.peaks.get('count', 0):.0f} before_mb={before:.0f}"
    )
    return 0 if high_water < TARGET_MB else 1


def db_name(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    if args.database_url:
        if args.database_url.startswith("postgresql"):
            postgres_ready(args.database_url)
        return bench(args.file, args.database_url)
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as tmp:
        return bench(args.file, f"sqlite:///{tmp}/bench.sqlite")


if __name__ == "__main__":
    sys.exit(main())
