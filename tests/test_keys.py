"""Keys: voting codes and receipts have their own key (VOTE_KEY), apart from SECRET_KEY; both
rotate with fallbacks, so sessions, open forms, printed slips and receipts keep working; every
host of a site must share the vote key, and one that does not is not ready and refuses votes
before it could count a valid code as a guess."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask_migrate import stamp
from sqlalchemy import create_engine, event, func, select, text

from pb import create_app, keys
from pb.consultations.services import advance_phase
from pb.extensions import db
from pb.models import (
    Ballot,
    Consultation,
    KeyFingerprint,
    Phase,
    Proposal,
    ThrottleEvent,
    User,
)
from pb.voting import codes, services
from tests import factories
from tests.conftest import TEST_DATABASE_URL, Client

OLD_SECRET, NEW_SECRET = "old secret key", "new secret key"
OLD_VOTE, NEW_VOTE = "old vote key", "new vote key"
RECEIPT = re.compile(r'class="receipt"><strong>([A-Z0-9-]+)<')
CODE = re.compile(r"[A-Z0-9]{5}-[A-Z0-9]{5}")


@pytest.fixture
def database_url(tmp_path, _database) -> Iterator[str]:
    """One database for several hosts (apps): a file on SQLite, the suite's on PostgreSQL."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'site.sqlite'}"
    with on(host(url)):
        if not TEST_DATABASE_URL:
            db.create_all()
        # The schema is the models' (create_all): marked as the migrations' head, so /ready
        # has only the keys to look at.
        stamp(revision="head")
    yield url
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            connection.execute(text("DROP TABLE alembic_version"))
        engine.dispose()


def host(url: str, **config: object) -> Flask:
    """One host of the site: an app with these keys on the shared database."""
    settings: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": OLD_SECRET,
        "VOTE_KEY": OLD_VOTE,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "pb.test",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    settings.update(config)
    app = create_app(settings)
    app.test_client_class = Client
    return app


@contextmanager
def on(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def print_slips(app: Flask, size: int = 2) -> tuple[int, list[str]]:
    """A world with a consultation in voting, and a batch of slips printed on ``app``."""
    with on(app):
        world = factories.build_world()
        factories.open_voting(world.consultation)
        consultation_id = world.consultation.id
    return consultation_id, more_slips(app, consultation_id, size)


def more_slips(app: Flask, consultation_id: int, size: int = 1) -> list[str]:
    with on(app):
        officer = app.test_client(  # type: ignore[call-arg]
            user=db.session.scalar(select(User).filter_by(username="officer"))
        )
        # On a database file, a transaction left open here would hold the requests' lock.
        db.session.commit()
        made = officer.post(
            f"/c/{consultation_id}/codes", data={"size": str(size), "label": "Kara-Bulak"}
        )
        return CODE.findall(officer.get(made.headers["Location"]).get_data(as_text=True))


def vote(app: Flask, consultation_id: int, code: str, client=None, earlier=""):  # type: ignore[no-untyped-def]
    with on(app):
        proposal_id = db.session.scalar(
            select(func.min(Proposal.id)).where(Proposal.consultation_id == consultation_id)
        )
        db.session.commit()
        voter = client or app.test_client()
        response = voter.post(
            f"/c/{consultation_id}/vote",
            data={
                "code": code,
                "earlier_receipt": earlier,
                "choice": [str(proposal_id)],
                "gender": "",
                "age_group": "",
            },
        )
        receipt = None
        if response.status_code == 302:
            page = voter.get(response.headers["Location"]).get_data(as_text=True)
            receipt = RECEIPT.search(page).group(1)
        return response, receipt


def csrf_token(page) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def close_voting(app: Flask, consultation_id: int) -> None:
    with on(app):
        consultation = db.session.get(Consultation, consultation_id)
        officer = db.session.scalar(select(User).where(User.username == "officer"))
        advance_phase(officer, consultation, Phase.VOTING, reason="Early, for the test.")
        db.session.commit()
        assert db.session.get(Consultation, consultation_id).phase == Phase.CLOSED


def counted(app: Flask, consultation_id: int, receipt: str) -> bool:
    with on(app):
        return services.receipt_was_counted(db.session.get(Consultation, consultation_id), receipt)


def ballots(app: Flask) -> int:
    with on(app):
        return db.session.scalar(select(func.count()).select_from(Ballot)) or 0


def failures(app: Flask) -> int:
    with on(app):
        return db.session.scalar(select(func.count()).select_from(ThrottleEvent)) or 0


# --- configuration -----------------------------------------------------------------------------


def test_a_missing_vote_key_stops_the_app_outside_debug_and_tests():
    with pytest.raises(RuntimeError, match="VOTE_KEY is not set"):
        create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app({"SECRET_KEY": "x", "VOTE_KEY": "y", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["VOTE_KEY"] == "y"


def test_keys_and_their_fallbacks_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from the environment")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("PB_VOTE_KEY", "vote key")
    monkeypatch.setenv("PB_VOTE_KEY_FALLBACKS", '["older", "oldest"]')
    monkeypatch.setenv("PB_SECRET_KEY_FALLBACKS", "one older secret")  # one key, not JSON
    app = create_app()
    assert app.config["VOTE_KEY"] == "vote key"
    assert app.config["VOTE_KEY_FALLBACKS"] == ["older", "oldest"]
    assert app.config["SECRET_KEY_FALLBACKS"] == ["one older secret"]
    monkeypatch.delenv("PB_VOTE_KEY")
    with pytest.raises(RuntimeError, match="VOTE_KEY"):
        create_app()


def test_codes_are_keyed_with_the_vote_key_not_the_secret_key():
    one = create_app({"TESTING": True, "SECRET_KEY": "a", "VOTE_KEY": "v"})
    other_secret = create_app({"TESTING": True, "SECRET_KEY": "b", "VOTE_KEY": "v"})
    other_vote = create_app({"TESTING": True, "SECRET_KEY": "a", "VOTE_KEY": "w"})
    made = []
    for app in (one, other_secret, other_vote):
        with app.app_context():
            made.append(codes.digest("code", "ACDEFGHJKM"))
    assert made[0] == made[1] != made[2]
    # Without one, development and tests derive a vote key: never SECRET_KEY itself.
    derived = create_app({"TESTING": True, "SECRET_KEY": "a"})
    assert derived.config["VOTE_KEY"] not in ("", "a")


def test_the_fingerprint_tells_nothing_of_the_key():
    assert keys.fingerprint(OLD_VOTE) != keys.fingerprint(NEW_VOTE)
    assert OLD_VOTE.encode().hex() not in keys.fingerprint(OLD_VOTE)
    assert len(keys.fingerprint(OLD_VOTE)) == 64


# --- rotating SECRET_KEY ------------------------------------------------------------------------


def test_rotating_the_secret_key_keeps_sessions_open_forms_slips_and_receipts(database_url):
    consultation_id, (code, other_code) = print_slips(host(database_url))
    _, receipt = vote(host(database_url), consultation_id, code)
    before = host(database_url, WTF_CSRF_ENABLED=True)
    # A resident logs in, and opens a form, before the rotation.
    with on(before):
        browser = before.test_client()
        browser.post(
            "/login",
            data={
                "login": "council",
                "password": factories.PASSWORD,
                "csrf_token": csrf_token(browser.get("/login")),
            },
        )
        token = csrf_token(browser.get("/account"))
    session_cookie = browser.get_cookie("session", domain="pb.test").value

    rotated = host(
        database_url,
        SECRET_KEY=NEW_SECRET,
        SECRET_KEY_FALLBACKS=[OLD_SECRET],
        WTF_CSRF_ENABLED=True,
    )
    with on(rotated):
        same = rotated.test_client()
        same.set_cookie("session", session_cookie, domain="pb.test")
        assert same.get("/account").status_code == 200  # still logged in
        # The form opened before the rotation still submits (its token was signed with the
        # old key): not the 400 of an expired form.
        sent = same.post("/language", data={"csrf_token": token, "locale": "ru", "next": "/"})
        assert sent.status_code == 302
    # Slips and receipts are keyed with the vote key, which did not change.
    rotated = host(database_url, SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[OLD_SECRET])
    response, _ = vote(rotated, consultation_id, other_code)
    assert response.status_code == 302 and ballots(rotated) == 2
    close_voting(rotated, consultation_id)
    assert receipt and counted(rotated, consultation_id, receipt)

    # Without the old key among the fallbacks, the session and the form are gone.
    forgotten = host(database_url, SECRET_KEY=NEW_SECRET, WTF_CSRF_ENABLED=True)
    with on(forgotten):
        stranger = forgotten.test_client()
        stranger.set_cookie("session", session_cookie, domain="pb.test")
        assert stranger.get("/account").status_code == 302  # to the login page
        sent = stranger.post("/language", data={"csrf_token": token, "locale": "ru", "next": "/"})
        assert sent.status_code == 400


# --- rotating VOTE_KEY --------------------------------------------------------------------------


def test_rotating_the_vote_key_keeps_printed_slips_and_receipts(database_url):
    before = host(database_url)
    consultation_id, (code, other_code) = print_slips(before)
    _, receipt = vote(before, consultation_id, code)
    rotated = host(database_url, VOTE_KEY=NEW_VOTE, VOTE_KEY_FALLBACKS=[OLD_VOTE])
    # A slip printed under the old key votes, and can change its ballot, with its receipt;
    # so can the slip that voted before the rotation.
    response, other_receipt = vote(rotated, consultation_id, other_code)
    assert response.status_code == 302
    response, _ = vote(rotated, consultation_id, other_code.lower(), earlier=other_receipt)
    assert response.status_code == 302
    response, receipt = vote(rotated, consultation_id, code, earlier=receipt)
    assert response.status_code == 302
    assert ballots(rotated) == 2 and failures(rotated) == 0
    # A slip printed after the rotation is keyed with the new key.
    (new_code,) = more_slips(rotated, consultation_id)
    response, new_receipt = vote(rotated, consultation_id, new_code)
    assert response.status_code == 302
    close_voting(rotated, consultation_id)
    # The receipt given under the old key still checks, as does the new one.
    assert counted(rotated, consultation_id, receipt)
    assert counted(rotated, consultation_id, new_receipt)
    assert not counted(rotated, consultation_id, "AAAA-AAAA-AAAA")


def test_without_the_old_vote_key_slips_and_receipts_printed_under_it_fail(database_url):
    before = host(database_url)
    consultation_id, (code, other_code) = print_slips(before)
    _, receipt = vote(before, consultation_id, code)
    rotated = host(database_url, VOTE_KEY=NEW_VOTE, VOTE_KEY_FALLBACKS=[OLD_VOTE])
    with on(rotated):
        assert keys.keys_shared(fresh=True)  # the site's key is now the new one
    # The old key dropped: its slip is not valid any more (and counts as a failure, as any
    # code that is not valid), and its receipt is unknown.
    dropped = host(database_url, VOTE_KEY=NEW_VOTE)
    response, _ = vote(dropped, consultation_id, other_code)
    assert response.status_code == 200
    assert "This code is not valid" in response.get_data(as_text=True)
    assert ballots(dropped) == 1 and failures(dropped) > 0
    close_voting(dropped, consultation_id)
    assert not counted(dropped, consultation_id, receipt)


def test_a_valid_code_of_the_current_key_is_looked_up_once_whatever_the_fallbacks(database_url):
    consultation_id, found = print_slips(host(database_url))
    lookups = []
    for code, fallbacks in zip(found, ([], ["older", "oldest", OLD_SECRET]), strict=True):
        app = host(database_url, VOTE_KEY_FALLBACKS=fallbacks)
        with on(app):
            keys.keys_shared()  # the fingerprint, checked once per host, out of the count
            db.session.commit()
            engine = db.engine
        statements: list[str] = []

        def record(*args: object, seen: list[str] = statements) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", record)
        response, _ = vote(app, consultation_id, code)
        event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 302
        lookups.append(sum(1 for s in statements if "voting_codes" in s))
    assert lookups[0] == lookups[1] > 0


# --- every host shares the vote key -------------------------------------------------------------


def test_the_first_host_stores_the_fingerprint_never_the_key(database_url):
    app = host(database_url)
    with on(app):
        assert app.test_client().get("/ready").json == {"status": "ready"}
        stored = db.session.scalars(select(KeyFingerprint)).all()
        assert [(row.name, row.fingerprint) for row in stored] == [
            ("vote", keys.fingerprint(OLD_VOTE))
        ]
        assert OLD_VOTE not in stored[0].fingerprint


def test_a_host_with_another_vote_key_is_not_ready_and_refuses_votes_without_failures(
    database_url, caplog
):
    site = host(database_url)
    consultation_id, (code, _other) = print_slips(site)
    with on(site):
        assert site.test_client().get("/ready").status_code == 200
    stray = host(database_url, VOTE_KEY="a key of its own")
    with on(stray), caplog.at_level(logging.ERROR, logger="pb.keys"):
        response = stray.test_client().get("/ready")
        assert response.status_code == 503
        assert response.json == {"status": "unavailable", "problem": "keys"}
    assert any("VOTE_KEY" in r.getMessage() for r in caplog.records if r.name == "pb.keys")
    # Its vote is refused before the lookup: a 503, no ballot, no failure counted.
    response, _ = vote(stray, consultation_id, code)
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert ballots(stray) == 0 and failures(stray) == 0
    with on(stray), pytest.raises(keys.KeysNotShared):
        services.receipt_was_counted(db.session.get(Consultation, consultation_id), "AAAA")
    # The site's own hosts carry on.
    response, _ = vote(site, consultation_id, code)
    assert response.status_code == 302


def test_a_host_that_checked_before_another_host_rotated_refuses_unknown_codes_with_503(
    database_url,
):
    old_host = host(database_url)
    consultation_id, (code, _other) = print_slips(old_host)
    with on(old_host):
        assert keys.keys_shared()  # remembered as shared
    rotated = host(database_url, VOTE_KEY=NEW_VOTE, VOTE_KEY_FALLBACKS=[OLD_VOTE])
    with on(rotated):
        assert rotated.test_client().get("/ready").status_code == 200
    (new_code,) = more_slips(rotated, consultation_id)
    # The old host cannot read the new slip: it asks again, finds it is behind, and says so
    # instead of counting the voter's code as a guess.
    response, _ = vote(old_host, consultation_id, new_code)
    assert response.status_code == 503 and failures(old_host) == 0
    with on(old_host):
        assert old_host.test_client().get("/ready").json["problem"] == "keys"
    # The new host reads both.
    assert vote(rotated, consultation_id, new_code)[0].status_code == 302
    assert vote(rotated, consultation_id, code)[0].status_code == 302
