"""Closing a city-sized vote: the ballots sealed and counted in the transaction that closes it.

Run from the repository root:
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/pb_bench \\
        .venv/bin/python bench/close.py [--ballots 150000] [--proposals 1000] [--rule greedy]

Without DATABASE_URL it uses a temporary SQLite file. The database's tables are dropped and
made again: give it a database of its own.

Builds a consultation with N ballots (default 100,000) over 1,000 proposals, as voting leaves
them: about 55 % cast online with an account, 35 % with a printed code, 10 % on paper at village
meetings; each online and code ballot with its voter link and receipt, each code's plain text
still kept for the slips; 1 to 8 choices per ballot, popular proposals more often; the voter's
details (gender, age group, village) sealed as a vote seals them, none given on a fifth. Then an
officer closes voting (``advance_phase`` to CLOSED, which seals the ballots, counts their
details into the participation figures, and counts the result), committed, and it prints the
time of each part and of the whole. The target (issue 18): under 10 s on PostgreSQL at 150,000
ballots. The last line reads:
    close ballots=N choices=M db=<dialect> close_s=X ballots_per_s=Y
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pb import create_app
from pb.consultations import phases
from pb.consultations.services import advance_phase
from pb.extensions import db
from pb.models import (
    Ballot,
    Channel,
    ChoiceFigure,
    CodeBatch,
    Consultation,
    Gender,
    Meeting,
    Phase,
    Proposal,
    ProposalStatus,
    Receipt,
    User,
    VoterLink,
    VotingCode,
)
from pb.models.voting import new_ballot_id
from pb.voting.details import seal
from pb.voting.sheets import VoterDetails
from tests import factories

AGE_GROUPS = ("14-17", "18-35", "36-59", "60+")
TARGET_SECONDS = 10.0
CHUNK = 5_000


def fill(consultation, ballots: int, proposal_count: int, rule: str, rng: random.Random) -> int:  # type: ignore[no-untyped-def]
    """Store the ballots as voting leaves them; returns the number of choices."""
    # Added in one insert: the factories' one commit per proposal would time the set-up.
    ids = list(
        db.session.scalars(
            insert(Proposal).returning(Proposal.id),
            [
                {
                    "consultation_id": consultation.id,
                    "title": f"Project {n + 1}",
                    "description": "A description long enough to be useful.",
                    "estimated_cost": rng.randrange(20, 400) * 1_000,
                    "category_id": consultation.categories[n % len(consultation.categories)].id,
                    "village_id": consultation.villages[n % len(consultation.villages)].id,
                    "status": ProposalStatus.ACCEPTED,
                }
                for n in range(proposal_count)
            ],
        )
    )
    factories.open_voting(
        consultation, costs=(), counting_rule=rule, budget=50_000_000, allow_paper=True
    )
    # A few proposals are popular, most are chosen by few (Zipf-like, as real ballots are).
    weights = [1 / (rank + 1) for rank in range(len(ids))]
    villages = [v.id for v in consultation.villages]
    meetings = []
    for n, village_id in enumerate(villages * 3):
        meeting = Meeting(
            consultation_id=consultation.id, village_id=village_id, held_on=date(2026, 12, 2 + n)
        )
        db.session.add(meeting)
        meetings.append(meeting)
    batch = CodeBatch(consultation_id=consultation.id, size=0, label="bench")
    db.session.add(batch)
    db.session.flush()
    meeting_ids = [m.id for m in meetings]
    genders = [Gender.FEMALE, Gender.MALE]
    channels = (Channel.ONLINE, Channel.CODE, Channel.PAPER)
    choice_count = codes_made = 0
    for start in range(0, ballots, CHUNK):
        rows, links, code_rows = [], [], []
        for _ in range(min(CHUNK, ballots - start)):
            ballot_id = new_ballot_id()
            channel = rng.choices(channels, weights=(55, 35, 10))[0]
            given = rng.random() > 0.2
            chosen = set(rng.choices(ids, weights=weights, k=rng.randint(1, 8)))
            details = (
                VoterDetails(rng.choice(genders), rng.choice(AGE_GROUPS), rng.choice(villages))
                if given
                else VoterDetails()
            )
            rows.append(
                {
                    "id": ballot_id,
                    "consultation_id": consultation.id,
                    "channel": channel,
                    "sealed_details": seal(details, consultation.id),
                    "meeting_id": rng.choice(meeting_ids) if channel == Channel.PAPER else None,
                    "choices": dict.fromkeys(chosen, 1),
                }
            )
            choice_count += len(chosen)
            if channel != Channel.PAPER:
                links.append(
                    {
                        "consultation_id": consultation.id,
                        "voter_digest": secrets.token_hex(32),
                        "ballot_id": ballot_id,
                        "receipt_digest": secrets.token_hex(32),
                    }
                )
            if channel == Channel.CODE:
                codes_made += 1
                code_rows.append(
                    {
                        "batch_id": batch.id,
                        "consultation_id": consultation.id,
                        "digest": secrets.token_hex(32),
                        "plain": f"{codes_made:012d}",
                        "used": True,
                    }
                )
        db.session.execute(insert(Ballot), rows)
        if links:
            db.session.execute(insert(VoterLink), links)
        if code_rows:
            db.session.execute(insert(VotingCode), code_rows)
    batch.size = codes_made
    db.session.commit()
    return choice_count


@contextmanager
def timed_reactions(timings: dict[str, float]) -> Iterator[None]:
    """Time each reaction to closing (sealing, counting) on its own, as registered."""
    registered = phases._reactions[Phase.CLOSED]
    originals = dict(registered)

    def wrap(name: str, reaction: Callable[..., None]) -> Callable[..., None]:
        def timed(consultation) -> None:  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            reaction(consultation)
            timings[name] = time.perf_counter() - started

        return timed

    for key, reaction in originals.items():
        registered[key] = wrap(reaction.__name__, reaction)
    try:
        yield
    finally:
        registered.update(originals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--proposals", type=int, default=1_000)
    parser.add_argument("--rule", default="greedy", help="counting rule (greedy, equal-shares)")
    parser.add_argument("--seed", type=int, default=18)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": url,
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            }
        )
        with app.app_context():
            dialect = db.engine.dialect.name
            db.drop_all()
            db.create_all()
            world = factories.build_world()
            started = time.perf_counter()
            choices = fill(
                world.consultation,
                options.ballots,
                options.proposals,
                options.rule,
                random.Random(options.seed),
            )
            consultation_id, officer_id = world.consultation.id, world.officer.id
            print(
                f"{options.ballots} ballots ({choices} choices, {options.proposals} proposals) "
                f"stored on {dialect} in {time.perf_counter() - started:.1f} s"
            )
        # A fresh context, as a request closing voting would have: nothing already loaded.
        with app.app_context():
            consultation = db.session.get(Consultation, consultation_id)
            officer = db.session.get(User, officer_id)
            assert consultation is not None and officer is not None
            timings: dict[str, float] = {}
            with timed_reactions(timings):
                started = time.perf_counter()
                advance_phase(officer, consultation, Phase.VOTING, reason="Bench: closed early.")
                elapsed = time.perf_counter() - started
            assert consultation.phase == Phase.CLOSED
            for name, seconds in timings.items():
                print(f"  {name:16} {seconds:6.2f} s")
            print(f"  {'commit and rest':16} {elapsed - sum(timings.values()):6.2f} s")
            kept = db.session.scalar(select(func.count()).select_from(Ballot))
            figures = db.session.scalar(select(func.count()).select_from(ChoiceFigure))
            receipts = db.session.scalar(select(func.count()).select_from(Receipt))
            links = db.session.scalar(select(func.count()).select_from(VoterLink))
            assert kept == options.ballots and links == 0, (kept, links)
            print(
                f"closed in {elapsed:.2f} s ({options.ballots / elapsed:,.0f} ballots/s; "
                f"target under {TARGET_SECONDS:.0f} s on PostgreSQL): {kept} ballots kept, "
                f"{receipts} receipts, {figures} per-proposal figures"
            )
            if dialect == "postgresql":
                # The counts above hold the tables until the session lets them go.
                db.session.close()
                db.drop_all()
    print(
        f"close ballots={options.ballots} choices={choices} db={dialect} close_s={elapsed:.2f} "
        f"ballots_per_s={options.ballots / elapsed:.0f}"
    )


if __name__ == "__main__":
    main()
