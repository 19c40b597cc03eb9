"""Pages only read: no GET, on any route and as any role, writes to the database, and the
results are counted inside the change that makes them needed (close, import, publication)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select

from pb.consultations import phases
from pb.consultations.services import advance_phase
from pb.extensions import db
from pb.models import Ballot, Channel, CountedResult, Job, JobState, Phase
from pb.results.counting import count_at_close, result_for
from pb.results.imports import import_pb
from pb.voting.services import seal_ballots
from tests import factories
from tests.test_bad_input import QUERY_NAMES, _urls, _world_with_everything

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE")

SMALL_PB = """META
key;value
description;Imported budget
budget;1000
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
1;600;Well
2;500;Road
VOTES
voter_id;vote
a;1
b;1,2
c;1
"""


@contextmanager
def writes_recorded():
    """The statements that write, sent to the database while the block runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().split(None, 1)[0].upper() in WRITES:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _ballot(consultation, *proposals):
    ballot = Ballot(consultation_id=consultation.id, channel=Channel.ONLINE)
    ballot.choices = {p.id: 1 for p in proposals}
    db.session.add(ballot)
    db.session.commit()


def _published(world):
    consultation = factories.make_consultation(world.municipality, title_en="Published one")
    first, *_ = factories.open_voting(consultation)
    _ballot(consultation, first)
    advance_phase(world.officer, consultation, Phase.VOTING, reason="For the test.")
    advance_phase(world.officer, consultation, Phase.CLOSED)
    return consultation


def _closed_by_an_older_pb(world):
    """Closed before results were counted at close: no stored result."""
    consultation = factories.make_consultation(world.municipality, title_en="Older one")
    first, *_ = factories.open_voting(consultation)
    _ballot(consultation, first)
    consultation.phase = Phase.CLOSED
    db.session.commit()
    return consultation


def test_no_page_writes_to_the_database_as_any_role(app):
    world, path_values = _world_with_everything(Phase.VOTING)
    advance_phase(world.officer, world.consultation, Phase.VOTING, reason="For the test.")
    published = _published(world)
    older = _closed_by_an_older_pb(world)
    with app.test_request_context():
        imported = import_pb(
            world.officer, world.municipality, [SMALL_PB.encode()], world.village.id
        )
    path_values["consultation_id"] = [
        world.consultation.id,
        published.id,
        older.id,
        imported.id,
        999999,
    ]
    roles = {
        "visitor": None,
        "resident": world.resident,
        "officer": world.officer,
        "council": world.council,
        "admin": world.admin,
        "outsider": world.outsider,
    }
    # The receipt check, which once counted failures on a GET, is a POST now: no exception.
    urls = [url for url, methods in _urls(app, path_values) if "GET" in methods]
    assert any("/results" in url for url in urls) and any("/protocol" in url for url in urls)
    writers = []
    for role, user in roles.items():
        client = app.test_client(user=user) if user else app.test_client()
        for url in urls:
            # Plain, and with every query parameter a page reads set to a code-like value (a
            # wrong code or receipt is what a GET once counted as a failure).
            for query in ({}, dict.fromkeys(QUERY_NAMES, "AAAA-AAAA-AAAA")):
                with writes_recorded() as seen:
                    status = client.get(url, query_string=query).status_code
                if url.startswith("/api/"):
                    # The open data API counts each request per address in the database: that
                    # count is its throttle (pb.api.http.count_request), and all it writes.
                    seen = [s for s in seen if "throttle_events" not in s]
                if seen:
                    writers.append((role, url, query != {}, status, seen[0][:60]))
    assert writers == []


def test_results_are_counted_when_voting_closes_after_the_ballots_are_sealed(app, world):
    closing = phases.reactions_to(Phase.CLOSED)
    assert closing.index(seal_ballots) < closing.index(count_at_close)
    first, second, *_ = factories.open_voting(world.consultation)
    _ballot(world.consultation, first, second)
    _ballot(world.consultation, first)
    advance_phase(world.officer, world.consultation, Phase.VOTING, reason="For the test.")
    stored = db.session.scalars(select(CountedResult)).one()
    assert stored.ballots == 2 and stored.details["projects"][str(first.id)]["votes"] == 2


def test_an_imported_file_is_counted_with_its_import(app, world):
    with app.test_request_context():
        imported = import_pb(
            world.officer, world.municipality, [SMALL_PB.encode()], world.village.id
        )
    stored = db.session.scalars(
        select(CountedResult).where(CountedResult.consultation_id == imported.id)
    ).one()
    assert stored.ballots == 3 and stored.total_cost == 600


def test_a_consultation_closed_by_an_older_pb_is_counted_in_memory_and_saved_at_publication(
    app, world, council_client
):
    older = _closed_by_an_older_pb(world)
    with writes_recorded() as seen:
        response = council_client.get(f"/c/{older.id}/results")
    assert response.status_code == 200 and "1 funded proposal" in response.get_data(as_text=True)
    assert seen == []
    assert result_for(older).ballots == 1
    assert db.session.scalar(select(func.count()).select_from(CountedResult)) == 0
    advance_phase(world.officer, older, Phase.CLOSED)
    assert db.session.scalars(select(CountedResult.ballots)).all() == [1]


def test_publishing_is_one_transaction_and_nothing_follows_its_commit(app, world, officer_client):
    first, *_ = factories.open_voting(world.consultation)
    _ballot(world.consultation, first)
    world.consultation.phase = Phase.CLOSED  # closed by an older pb: counted at publication
    db.session.commit()
    consultation_id = world.consultation.id
    events: list[str] = []

    def on_commit(conn):  # type: ignore[no-untyped-def]
        events.append("COMMIT")

    def on_statement(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        events.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(db.engine, "commit", on_commit)
    event.listen(db.engine, "before_cursor_execute", on_statement)
    try:
        response = officer_client.post(
            f"/c/{consultation_id}/phase",
            data={"direction": "advance", "expected": "closed", "confirm": "yes"},
        )
    finally:
        event.remove(db.engine, "commit", on_commit)
        event.remove(db.engine, "before_cursor_execute", on_statement)
    assert response.status_code == 302
    # Publishing runs as a job (here in the request: the tests' queue is immediate). Three
    # transactions: the request saves the job, a worker claims it, then the move, its record,
    # the count and the job's end are written together, before one commit; nothing after it
    # (a read may follow, in a transaction that ends without writing).
    assert events.count("COMMIT") == 3
    last = len(events) - 1 - events[::-1].index("COMMIT")
    claim = events.index("COMMIT") + 1
    work_starts = events.index("COMMIT", claim) + 1
    assert [e for e in events[claim : work_starts - 1] if e in WRITES] == ["UPDATE"]
    before, after = events[work_starts:last], events[last + 1 :]
    assert {"INSERT", "UPDATE"} <= set(before)
    assert not set(after) & set(WRITES)
    job = db.session.scalars(select(Job)).one()
    assert (job.state, job.result) == (JobState.DONE, {"phase": "published"})
    assert db.session.scalars(select(CountedResult.ballots)).all() == [1]
