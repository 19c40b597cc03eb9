"""Two submissions racing from one voter or one code leave exactly one ballot, and no 500.

On SQLite this runs on a database file (the in-memory one is a single shared connection); with
TEST_DATABASE_URL it runs on PostgreSQL, where the row lock and unique constraints are what hold.
"""

import threading

import pytest
from sqlalchemy import func, select, text

from pb import create_app
from pb.extensions import db
from pb.models import Ballot, VoterLink, VotingCode
from pb.voting import casting, services
from tests import conftest, factories

THREADS = 8


@pytest.fixture
def shared_app(tmp_path, _database):
    url = conftest.TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'race.sqlite'}"
    app = create_app(conftest._config(SQLALCHEMY_DATABASE_URI=url))
    app.test_client_class = conftest.Client
    with app.app_context():
        if not conftest.TEST_DATABASE_URL:
            db.create_all()
        yield app
        db.session.remove()
        if conftest.TEST_DATABASE_URL:
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def race(clients, url, data):
    barrier = threading.Barrier(len(clients))
    statuses = []

    def submit(client):
        barrier.wait()
        statuses.append(client.post(url, data=data).status_code)

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def test_racing_submissions_from_one_account_leave_one_ballot(shared_app):
    world = factories.build_world()
    p1, *_ = factories.open_voting(world.consultation)
    url = f"/c/{world.consultation.id}/vote"
    data = {"choice": [str(p1.id)]}
    clients = [shared_app.test_client(user=world.resident) for _ in range(THREADS)]
    db.session.close()  # the test's own session must not hold the database while requests run
    statuses = race(clients, url, data)
    assert statuses == [302] * THREADS
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 1


def test_racing_submissions_with_one_code_leave_one_ballot(shared_app):
    world = factories.build_world()
    p1, *_ = factories.open_voting(world.consultation)
    services.generate_codes(world.officer, world.consultation, 1, None)
    (code,) = services.batch_codes(db.session.scalars(select(services.CodeBatch)).one())
    url = f"/c/{world.consultation.id}/vote"
    data = {"code": code, "choice": [str(p1.id)]}
    clients = [shared_app.test_client() for _ in range(THREADS)]
    db.session.close()
    statuses = race(clients, url, data)
    # One records the ballot; the others find a code that voted, and no receipt to change it.
    assert sorted(statuses) == [200] * (THREADS - 1) + [302]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 1


def test_racing_changes_from_one_code_leave_one_of_the_ballots_whole(shared_app):
    """Submissions from one code with different choices, racing: the ballot kept is exactly
    the one recorded, never a mix (a replacement that read the choices before another
    submission committed would leave that one's choices beside its own). A change needs the
    receipt of the ballot it replaces, and that receipt changes with it: of changes racing with
    one receipt, one is recorded and the others are refused."""
    world = factories.build_world()
    proposals = factories.open_voting(world.consultation)
    services.generate_codes(world.officer, world.consultation, 1, None)
    (code,) = services.batch_codes(db.session.scalars(select(services.CodeBatch)).one())
    url = f"/c/{world.consultation.id}/vote"
    ids = [p.id for p in proposals]
    # The last proposal is the cheapest: any of the others with it fits the budget.
    choice_sets = [{i} for i in ids] + [{i, ids[-1]} for i in ids[:-1]]
    receipt = ""  # the first round casts the code's first ballot
    for _round in range(3):
        clients = [shared_app.test_client() for _ in choice_sets]
        db.session.close()
        barrier = threading.Barrier(len(clients))
        sent = []

        def submit(client, chosen, barrier=barrier, sent=sent, receipt=receipt):
            barrier.wait()
            data = {
                "code": code,
                "earlier_receipt": receipt,
                "choice": [str(i) for i in sorted(chosen)],
            }
            sent.append((client.post(url, data=data).status_code, client, chosen))

        threads = [
            threading.Thread(target=submit, args=(c, chosen))
            for c, chosen in zip(clients, choice_sets, strict=False)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(status for status, _, _ in sent) == [200] * (len(choice_sets) - 1) + [302]
        ((_, winner, chosen),) = [s for s in sent if s[0] == 302]
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
        assert set(db.session.scalars(select(Ballot.choices)).one()) == chosen
        with winner.session_transaction() as kept:
            receipt = kept["receipts"][str(world.consultation.id)]["number"]


def _a_kept_sheet_and_a_code(shared_app):
    """Voting with one code not yet used, and a worker that keeps the ballot sheet (read for a
    resident's ballot, so the next vote reads nothing before its writes): the consultation's
    id, a proposal to choose, the code, and an officer's client."""
    world = factories.build_world()
    p1, *_ = factories.open_voting(world.consultation)
    services.generate_codes(world.officer, world.consultation, 1, None)
    (code,) = services.batch_codes(db.session.scalars(select(services.CodeBatch)).one())
    consultation_id, choice = world.consultation.id, str(p1.id)
    resident = shared_app.test_client(user=world.resident)
    officer = shared_app.test_client(user=world.officer)
    db.session.close()
    assert resident.post(f"/c/{consultation_id}/vote", data={"choice": [choice]}).status_code == 302
    return consultation_id, choice, code, officer


def test_voting_closing_between_a_votes_checks_and_its_writes(shared_app, monkeypatch):
    """A vote is checked against the ballot sheet its worker keeps, without the database; if
    voting closes before the writes, they see it, and nothing of the vote is left (no ballot,
    no used code, and no link to a voter that closing would otherwise have missed)."""
    consultation_id, choice, code, officer = _a_kept_sheet_and_a_code(shared_app)
    real_check = casting.check_ballot
    closed = []

    def close_meanwhile(*args, **kwargs):
        real_check(*args, **kwargs)
        closing = threading.Thread(
            target=lambda: closed.append(
                officer.post(
                    f"/c/{consultation_id}/phase",
                    data={
                        "direction": "advance",
                        "expected": "voting",
                        "confirm": "yes",
                        "reason": "Early, for the test.",
                    },
                ).status_code
            )
        )
        closing.start()
        closing.join(timeout=60)

    monkeypatch.setattr(casting, "check_ballot", close_meanwhile)
    response = shared_app.test_client().post(
        f"/c/{consultation_id}/vote", data={"choice": [choice], "code": code}
    )
    assert closed == [302]
    assert response.status_code == 200 and "Voting is not open." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1  # the resident's
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 0
    assert not db.session.scalar(select(VotingCode.used))


def test_closing_amid_a_crowd_of_voters_leaves_no_link_and_loses_no_ballot(shared_app):
    """Voters keep sending ballots while an officer closes voting: every ballot acknowledged
    was recorded before the close and sealed by it, every later one refused; no link to a
    voter survives the close. (Closing waits for the ballots being recorded: they hold a
    shared lock on the consultation's row.)"""
    world = factories.build_world()
    p1, *_ = factories.open_voting(world.consultation)
    services.generate_codes(world.officer, world.consultation, 400, None)
    codes = services.batch_codes(db.session.scalars(select(services.CodeBatch)).one())
    consultation_id, choice = world.consultation.id, str(p1.id)
    officer = shared_app.test_client(user=world.officer)
    db.session.close()
    url = f"/c/{consultation_id}/vote"
    statuses: list[int] = []
    started = threading.Barrier(THREADS + 1)

    def voter(mine):
        client = shared_app.test_client()
        started.wait()
        for code in mine:
            statuses.append(client.post(url, data={"choice": [choice], "code": code}).status_code)

    threads = [threading.Thread(target=voter, args=(codes[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    started.wait()
    while len(statuses) < 40:
        threading.Event().wait(0.005)
    closing = officer.post(
        f"/c/{consultation_id}/phase",
        data={
            "direction": "advance",
            "expected": "voting",
            "confirm": "yes",
            "reason": "Early, for the test.",
        },
    )
    for t in threads:
        t.join(timeout=120)
    assert closing.status_code == 302
    assert set(statuses) <= {200, 302} and 200 in statuses
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 0
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == statuses.count(302)


def test_a_vote_after_closing_is_refused_and_writes_nothing(shared_app):
    consultation_id, choice, code, officer = _a_kept_sheet_and_a_code(shared_app)
    closing = officer.post(
        f"/c/{consultation_id}/phase",
        data={
            "direction": "advance",
            "expected": "voting",
            "confirm": "yes",
            "reason": "Early, for the test.",
        },
    )
    assert closing.status_code == 302

    response = shared_app.test_client().post(
        f"/c/{consultation_id}/vote", data={"choice": [choice], "code": code}
    )
    assert response.status_code == 200
    assert "Voting" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1  # the resident's
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 0
