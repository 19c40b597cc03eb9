"""The results of a big consultation: counted once at publication, then pages read the stored
result.

Run: .venv/bin/python bench/results_page.py [--ballots N] [--db URL]   (from the repository root)

Builds a consultation with 40 proposals and N ballots (default 100,000; 1 to 5 choices each, with
gender, age group and village, sealed) in a fresh database (SQLite file by default; ``--db`` for
PostgreSQL — its tables are dropped and created), publishes it as an officer would (which counts
it, by Equal Shares), then asks for the results, participation and protocol pages as a council
member, 15 times each. Prints the time of the count at publication and, per page, its median
time and SQL statements, then a summary line:
    ballots=N publish_s=X results_ms=Y participation_ms=Z protocol_ms=W
The target (issue 4): the results page of a 100,000-ballot consultation in well under a second.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pb import create_app
from pb.extensions import db
from pb.models import Ballot, Channel, Gender, Phase
from pb.models.voting import new_ballot_id
from pb.voting.details import seal
from pb.voting.services import seal_ballots
from pb.voting.sheets import VoterDetails
from tests import factories

AGE_GROUPS = ("14-17", "18-35", "36-59", "60+", None)


def fill(consultation, ballots: int, rng: random.Random) -> None:
    proposals = factories.open_voting(
        consultation,
        costs=tuple(rng.randrange(20, 200) * 1_000 for _ in range(40)),
        counting_rule="equal-shares",
    )
    weights = [1 / (rank + 2) for rank in range(len(proposals))]
    villages = [v.id for v in consultation.villages] + [None]
    genders = [Gender.FEMALE, Gender.MALE, None]
    for start in range(0, ballots, 5_000):
        rows = []
        for _ in range(min(5_000, ballots - start)):
            ballot_id = new_ballot_id()
            chosen = {p.id for p in rng.choices(proposals, weights=weights, k=rng.randint(1, 5))}
            rows.append(
                {
                    "id": ballot_id,
                    "consultation_id": consultation.id,
                    "channel": rng.choice((Channel.ONLINE, Channel.CODE, Channel.PAPER)),
                    # Sealed as a vote seals them (pb.voting.details).
                    "sealed_details": seal(
                        VoterDetails(
                            rng.choice(genders), rng.choice(AGE_GROUPS), rng.choice(villages)
                        ),
                        consultation.id,
                    ),
                    "choices": dict.fromkeys(chosen, 1),
                }
            )
        db.session.execute(insert(Ballot), rows)
    # Closed as closing does it: the details counted into figures, the ballots rewritten.
    consultation.phase = Phase.CLOSED
    seal_ballots(consultation)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": options.db or f"sqlite:///{tmp}/bench.sqlite",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            db.drop_all()
            db.create_all()
            world = factories.build_world()
            started = time.perf_counter()
            fill(world.consultation, options.ballots, random.Random(1))
            print(f"{options.ballots} ballots stored in {time.perf_counter() - started:.1f} s")
            consultation_id = world.consultation.id
            officer_id, council_id = world.officer.get_id(), world.council.get_id()
        statements: list[str] = []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

        def client_for(user_id: str):
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = user_id
            return client

        officer, council = client_for(officer_id), client_for(council_id)
        started = time.perf_counter()
        response = officer.post(
            f"/c/{consultation_id}/phase",
            data={"direction": "advance", "expected": "closed", "confirm": "yes"},
        )
        publish = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        print(f"publication (counts the ballots once): {publish:.2f} s")
        medians = {}
        for name in ("results", "participation", "protocol"):
            timings = []
            for _ in range(15):
                statements.clear()
                started = time.perf_counter()
                response = council.get(f"/c/{consultation_id}/{name}")
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, (name, response.status_code)
            medians[name] = statistics.median(timings) * 1000
            print(
                f"{name:13} median={medians[name]:7.1f} ms max={max(timings) * 1000:7.1f} ms "
                f"html={len(response.data) / 1024:5.1f} KB statements={len(statements)}"
            )
        if options.db:
            with app.app_context():
                db.drop_all()
    print(
        f"ballots={options.ballots} publish_s={publish:.2f} results_ms={medians['results']:.1f} "
        f"participation_ms={medians['participation']:.1f} protocol_ms={medians['protocol']:.1f}"
    )


if __name__ == "__main__":
    main()
