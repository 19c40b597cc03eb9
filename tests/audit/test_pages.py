"""Council members and administrators read a municipality's audit trail and export it; no one
else does. The page only reads, filters without a 500, and speaks the reader's language."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from pb.audit import trail
from pb.consultations import services as consultations
from pb.extensions import db
from pb.models import Phase, Role
from tests import factories

PAGE = "/m/ak-suu/audit"
EXPORT = "/m/ak-suu/audit.csv"


def some_history(world: factories.World) -> None:
    """An advance and a step back (with a reason), and an administrator's own action."""
    consultations.advance_phase(world.officer, world.consultation, Phase.COLLECTING)
    consultations.step_back(world.officer, world.consultation, Phase.REVIEW, "Wrong dates")
    trail.record(world.admin, "municipality.create", municipality_id=None, target=("x", None))
    db.session.commit()


def test_council_member_reads_the_trail_newest_first(app, world, council_client):
    with app.test_request_context():
        some_history(world)
    page = council_client.get(PAGE).get_data(as_text=True)
    assert "2 entries" in page
    page = page.split("<tbody>")[1]
    back, forward = page.index("Phase stepped back"), page.index("Phase moved forward")
    assert back < forward
    assert world.officer.display_name in page
    assert "Collection of proposals → Review of proposals" in page
    assert "Wrong dates" in page
    # The administrator's entry belongs to no municipality: not on this page.
    assert "Municipality created" not in page


def test_the_trail_reads_in_russian_and_kyrgyz(app, world):
    with app.test_request_context():
        some_history(world)
    client = app.test_client(user=world.council)
    for language, label in (("ru", "Этап продвинут вперёд"), ("ky", "Этап алдыга жылдырылды")):
        world.council.locale = language
        db.session.commit()
        page = client.get(PAGE).get_data(as_text=True)
        assert label in page, language


def test_municipality_page_links_the_trail_for_council_and_admins(app, world):
    for who, shown in (("council", True), ("admin", True), ("officer", False), ("resident", False)):
        page = app.test_client(user=getattr(world, who)).get("/m/ak-suu").get_data(as_text=True)
        assert (PAGE in page) is shown, who


@pytest.mark.parametrize("who", ["officer", "resident", "outsider", "outside_officer"])
def test_others_may_not_read_or_export(app, world, who):
    client = app.test_client(user=getattr(world, who))
    for url in (PAGE, EXPORT, "/admin/audit", "/admin/audit.csv"):
        assert client.get(url).status_code == 403, url


def test_council_of_another_municipality_may_not_read(app, world):
    other_council = factories.make_user(world.other_municipality, Role.RESIDENT, Role.COUNCIL)
    client = app.test_client(user=other_council)
    assert client.get(PAGE).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.get("/m/ton/audit").status_code == 200


def test_visitors_are_sent_to_log_in(client, world):
    for url in (PAGE, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_reads_every_municipality_and_the_site_trail(app, world, admin_client):
    with app.test_request_context():
        some_history(world)
    assert admin_client.get(PAGE).status_code == 200
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "3 entries" in page and "Municipality created" in page
    assert admin_client.get("/admin/audit.csv").status_code == 200
    assert app.test_client(user=world.council).get("/admin/audit").status_code == 403


def test_export_is_csv_with_formulas_neutralised(app, world, council_client):
    world.officer.display_name = '=HYPERLINK("http://x")'
    db.session.commit()
    with app.test_request_context():
        some_history(world)
    response = council_client.get(EXPORT)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "at_utc", "actor_id"]
    assert [r[5] for r in rows[1:]] == ["phase.step_back", "phase.advance"]
    assert all(r[3] == '\'=HYPERLINK("http://x")' for r in rows[1:])
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_filters_by_action_and_dates(app, world, council_client):
    with app.test_request_context():
        some_history(world)
    page = council_client.get(PAGE, query_string={"action": "phase.advance"}).get_data(as_text=True)
    assert "1 entry" in page and "Phase moved forward" in page.split("<tbody>")[1]
    assert "Phase stepped back" not in page.split("<tbody>")[1]
    page = council_client.get(PAGE, query_string={"since": "2999-01-01"}).get_data(as_text=True)
    assert "0 entries" in page and "No entries." in page
    # The filter's days are the municipalities' (Bishkek's): from 18:00 UTC a day ahead of UTC's.
    latest = db.session.scalar(db.select(db.func.max(trail.AuditEntry.at)))
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    today = latest.replace(tzinfo=UTC).astimezone(zone).date().isoformat()
    page = council_client.get(PAGE, query_string={"since": today, "until": today}).get_data(
        as_text=True
    )
    assert "2 entries" in page
    csv_text = council_client.get(EXPORT, query_string={"action": "phase.step_back"}).get_data(
        as_text=True
    )
    assert "phase.step_back" in csv_text and "phase.advance" not in csv_text


@pytest.mark.parametrize(
    "query",
    [
        {"since": "x"},
        {"until": "2026-13-45"},
        {"since": "2026-12-02", "until": "2026-12-01"},
        {"action": "ballot.peek"},
        {"action": "   "},
        {"since": "0001-01-01"},
        {"until": "9999-12-31"},
        {"page": "99999999999999999999"},
        {"since": "\u0661\u0662"},
    ],
)
def test_bad_filters_are_told_not_failed(app, world, council_client, query):
    with app.test_request_context():
        some_history(world)
    response = council_client.get(PAGE, query_string=query)
    assert response.status_code == 200
    assert council_client.get(EXPORT, query_string=query).status_code == 200


def test_a_wrong_filter_says_so(app, world, council_client):
    page = council_client.get(PAGE, query_string={"since": "x"}).get_data(as_text=True)
    assert "The filters are not applied" in page
    page = council_client.get(
        PAGE, query_string={"since": "2026-12-02", "until": "2026-12-01"}
    ).get_data(as_text=True)
    assert "The end date cannot be before the start date." in page


def test_the_page_takes_the_same_queries_however_long_the_trail(
    app, world, council_client, count_queries
):
    def queries() -> int:
        with count_queries() as counter:
            assert council_client.get(PAGE).status_code == 200
        return counter.count

    trail.record(
        world.officer, "codes.void", municipality_id=world.municipality.id, target=("x", 1)
    )
    db.session.commit()
    few = queries()
    for _ in range(30):
        trail.record(
            world.officer, "codes.void", municipality_id=world.municipality.id, target=("x", 1)
        )
    db.session.commit()
    assert queries() == few
