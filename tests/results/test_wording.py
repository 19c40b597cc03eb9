"""Words residents read on results: "Funded" as an amount and as yes or no are two messages."""

import csv
import io
import re

import pytest

from pb.extensions import db
from pb.models import Ballot, Channel, Phase
from pb.results.counting import count_and_store
from tests import factories


@pytest.fixture
def closed(world):
    """Voting closed and counted: the first three proposals are funded (950,000 som)."""
    c = world.consultation
    p1, p2, p3, p4 = factories.open_voting(c)
    for chosen in ((p1, p2), (p1, p2), (p1, p3), (p3, p4)):
        ballot = Ballot(consultation_id=c.id, channel=Channel.ONLINE)
        ballot.choices = {p.id: 1 for p in chosen}
        db.session.add(ballot)
    c.phase = Phase.CLOSED
    count_and_store(c)
    db.session.commit()
    return c


def page_in(client, locale, path):
    client.post("/language", data={"locale": locale, "next": "/"})
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "locale, amount, yes_or_no",
    [("ky", "Каржыланган сумма", "Каржыланат"), ("ru", "Профинансировано", "Финансируется")],
)
def test_funded_amount_and_funded_yes_or_no_read_differently(
    council_client, closed, locale, amount, yes_or_no
):
    results = page_in(council_client, locale, f"/c/{closed.id}/results")
    assert re.search(f"<dt[^>]*>{amount}</dt>", results)
    assert re.search(f"<th[^>]*>{amount}</th>", results)  # whom the funded budget serves
    protocol = page_in(council_client, locale, f"/c/{closed.id}/protocol")
    assert re.search(f"<dt[^>]*>{amount}</dt>", protocol)
    assert re.search(f"<th[^>]*>{yes_or_no}</th>", protocol)


def test_the_export_heads_its_yes_or_no_column_as_such(council_client, closed):
    csv_text = page_in(council_client, "ru", f"/c/{closed.id}/export/results.csv")
    header = next(csv.reader(io.StringIO(csv_text.lstrip("\ufeff")), delimiter=";"))
    if len(header) == 1:  # a comma-separated export
        header = next(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert "Финансируется" in header and "Профинансировано" not in header


@pytest.mark.parametrize(
    "locale, publication",
    [
        ("en", "Publication of results"),
        ("ky", "Жыйынтыктарды жарыялоо"),
        ("ru", "Публикация результатов"),
    ],
)
def test_the_timeline_names_phases_that_read_right_beside_a_future_date(
    client, world, locale, publication
):
    page = page_in(client, locale, f"/c/{world.consultation.id}")
    assert publication in page
    assert "Results published" not in page and "Voting closed" not in page
