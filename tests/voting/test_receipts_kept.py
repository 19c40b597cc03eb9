"""The receipt is not lost: a reload, the Back button or a language switch shows it again, on
the voter's device, until voting closes."""

import re

from pb.extensions import db
from pb.models import Phase
from tests import factories


def receipt_on(page: str) -> str | None:
    found = re.search(r'class="receipt"><strong>([A-Z0-9-]+)<', page)
    return found.group(1) if found else None


def test_a_reload_or_a_language_switch_shows_the_same_receipt(resident_client, world):
    p1, *_ = factories.open_voting(world.consultation)
    url = f"/c/{world.consultation.id}"
    response = resident_client.post(f"{url}/vote", data={"choice": [str(p1.id)]})
    first = receipt_on(resident_client.get(response.headers["Location"]).get_data(as_text=True))
    assert first
    assert receipt_on(resident_client.get(f"{url}/voted").get_data(as_text=True)) == first
    resident_client.post("/language", data={"locale": "ru", "next": f"{url}/voted"})
    page = resident_client.get(f"{url}/voted").get_data(as_text=True)
    assert receipt_on(page) == first and 'lang="ru"' in page
    # The ballot page leads back to it.
    assert f'href="{url}/voted"' in resident_client.get(f"{url}/vote").get_data(as_text=True)


def test_a_new_ballot_shows_its_new_receipt(resident_client, world):
    p1, p2, *_ = factories.open_voting(world.consultation)
    url = f"/c/{world.consultation.id}"
    resident_client.post(f"{url}/vote", data={"choice": [str(p1.id)]})
    first = receipt_on(resident_client.get(f"{url}/voted").get_data(as_text=True))
    resident_client.post(f"{url}/vote", data={"choice": [str(p2.id)]})
    page = resident_client.get(f"{url}/voted").get_data(as_text=True)
    assert receipt_on(page) not in (None, first)
    assert "replaces the previous one" in page


def test_the_receipt_is_kept_until_voting_closes_and_only_for_its_consultation(
    app, resident_client, world
):
    p1, *_ = factories.open_voting(world.consultation)
    other = factories.make_consultation(world.municipality, phase=Phase.VOTING)
    url = f"/c/{world.consultation.id}"
    resident_client.post(f"{url}/vote", data={"choice": [str(p1.id)]})
    assert resident_client.get(f"/c/{other.id}/voted").status_code == 302
    # Another device (another session) has no receipt to show.
    assert app.test_client(user=world.resident).get(f"{url}/voted").status_code == 302
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    response = resident_client.get(f"{url}/voted")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    with resident_client.session_transaction() as session:
        assert str(world.consultation.id) not in session.get("receipts", {})
