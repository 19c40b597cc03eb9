"""A village behind one mobile operator's address: codes are throttled per device, with a far
higher limit per address as a backstop (pb.throttle)."""

from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Ballot
from tests import factories
from tests.voting.test_codes import generate, vote_with

VILLAGE_ADDRESS = "10.20.30.40"


def phone(app, address=VILLAGE_ADDRESS):
    """A phone of its own (its own cookies), sending from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def ballots() -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot))


def test_ten_mistyped_codes_on_one_phone_do_not_stop_the_next_voter(app, officer_client, world):
    p1, *_ = factories.open_voting(world.consultation)
    _, (first, second) = generate(officer_client, world.consultation, size=2)
    careless = phone(app)
    for i in range(10):
        assert vote_with(careless, world.consultation, f"WRONG-{i:05d}", [p1]).status_code == 200
    # That phone is stopped, even with a right code...
    assert vote_with(careless, world.consultation, first, [p1]).status_code == 429
    # ...and the next voter in the same village, from the same address, is not.
    neighbour = phone(app)
    assert vote_with(neighbour, world.consultation, second, [p1]).status_code == 302
    assert ballots() == 1


def test_a_guesser_dropping_cookies_meets_the_address_limit(app, officer_client, world):
    app.config["THROTTLE_MAX_FAILURES_PER_ADDRESS"] = 15
    p1, *_ = factories.open_voting(world.consultation)
    _, (code, other_code) = generate(officer_client, world.consultation, size=2)
    # Each try from a fresh client: a new device every time, as a script without cookies.
    for i in range(15):
        assert vote_with(phone(app), world.consultation, f"WRONG-{i:05d}", [p1]).status_code == 200
    response = vote_with(phone(app), world.consultation, code, [p1])
    assert response.status_code == 429
    assert "Too many tries" in response.get_data(as_text=True)
    assert ballots() == 0
    # Another address is not affected.
    elsewhere = phone(app, "10.99.99.99")
    assert vote_with(elsewhere, world.consultation, other_code, [p1]).status_code == 302
    assert ballots() == 1


def test_a_device_keeps_its_count_across_requests(app, officer_client, world):
    """The device's id lives in its session: its failures add up, and a right code after the
    limit is refused (otherwise guessing would just go on)."""
    p1, *_ = factories.open_voting(world.consultation)
    _, (code,) = generate(officer_client, world.consultation, size=1)
    device = phone(app)
    for i in range(9):
        vote_with(device, world.consultation, f"WRONG-{i:05d}", [p1])
    # Nine failures: the tenth try is still heard, and a right code votes.
    assert vote_with(device, world.consultation, code, [p1]).status_code == 302
    assert ballots() == 1
