"""Eight council members open the results of a just-closed, an imported and an older closed
consultation at once: every page answers 200 (pages only read, so none races to write).

On PostgreSQL only: the in-memory SQLite database is one shared connection, which serialises
requests and could not show the race."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import text

from pb import create_app
from pb.extensions import db
from pb.models import Ballot, Channel, Phase, Role
from tests import conftest, factories
from tests.results.test_pages_only_read import SMALL_PB

COUNCIL_MEMBERS = 8

pytestmark = pytest.mark.skipif(
    not conftest.TEST_DATABASE_URL,
    reason="concurrent requests need PostgreSQL (set TEST_DATABASE_URL)",
)


@pytest.fixture
def threaded_app(_database):
    app = create_app(conftest._config())
    app.test_client_class = conftest.Client
    with app.app_context():
        yield app
        db.session.remove()
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def _at_once(clients, url):
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def open_page(client):
        barrier.wait()
        statuses.append(client.get(url).status_code)

    threads = [threading.Thread(target=open_page, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def test_council_members_open_results_at_once_and_all_get_200(threaded_app):
    world = factories.build_world()
    proposals = factories.open_voting(world.consultation)
    for i in range(12):
        ballot = Ballot(consultation_id=world.consultation.id, channel=Channel.PAPER)
        ballot.choices = {proposals[i % 3].id: 1}
        db.session.add(ballot)
    older = factories.make_consultation(world.municipality, title_en="Closed by an older pb")
    factories.open_voting(older)
    older.phase = Phase.CLOSED
    db.session.commit()
    officer = threaded_app.test_client(user=world.officer)
    closing = officer.post(
        f"/c/{world.consultation.id}/phase",
        data={"direction": "advance", "expected": "voting", "confirm": "yes", "reason": "Early."},
    )
    assert closing.status_code == 302
    imported = officer.post(
        f"/m/{world.municipality.slug}/import",
        data={
            "file": (io.BytesIO(SMALL_PB.encode()), "small.pb"),
            "village_id": str(world.village.id),
        },
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    imported_id = int(imported.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    members = [world.council] + [
        factories.make_user(world.municipality, Role.COUNCIL) for _ in range(COUNCIL_MEMBERS - 1)
    ]
    consultation_ids = (world.consultation.id, imported_id, older.id)
    clients = [threaded_app.test_client(user=member) for member in members]
    db.session.close()  # the test's own session must not hold the database while pages run
    for consultation_id in consultation_ids:
        for page in ("results", "protocol", "participation"):
            statuses = _at_once(clients, f"/c/{consultation_id}/{page}")
            assert statuses == [200] * COUNCIL_MEMBERS, (consultation_id, page, statuses)
