"""Logs: a request id on every line (the trusted proxy's, else a new one), sent back in the
response; one line per change and per error; JSON lines when asked; and never a voting code, a
receipt, a password or a reset code, in a log line or in the part of the slip's link that
servers receive."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
import segno
from flask import Flask

from pb import create_app
from pb.auth import resets
from pb.consultations.services import advance_phase
from pb.extensions import db
from pb.models import Phase
from pb.voting import views as voting_views
from tests import factories
from tests.conftest import _config
from tests.voting.test_codes import generate, vote_with

RECEIPT = re.compile(r'class="receipt"><strong>([A-Z0-9-]+)<')


@contextmanager
def written_lines() -> Iterator[io.StringIO]:
    """What pb's own log handler writes (to standard error in production)."""
    handler = next(h for h in logging.getLogger("pb").handlers if h.get_name() == "pb")
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(old)


def app_with(**config: object) -> Flask:
    return create_app(_config(SQLALCHEMY_DATABASE_URI="sqlite://", **config))


def test_a_change_is_logged_with_its_request_id_which_the_response_carries(app, resident_client):
    with written_lines() as lines:
        response = resident_client.post("/language", data={"locale": "ru", "next": "/"})
        resident_client.get("/")  # pages that only read are not logged
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    (line,) = lines.getvalue().splitlines()
    assert f"[{request_id}]" in line
    assert re.search(r"POST main\.set_language 302 [0-9.]+ ms user \d+", line), line


def test_lines_of_other_pb_loggers_carry_the_request_id_too(app):
    @app.route("/audited", methods=["POST"])
    def audited() -> str:
        logging.getLogger("pb.audit").info("audit #1 phase.advance by user 1")
        return "ok"

    with written_lines() as lines:
        response = app.test_client().post("/audited")
    audit_line = next(line for line in lines.getvalue().splitlines() if "pb.audit" in line)
    assert f"[{response.headers['X-Request-ID']}]" in audit_line


def test_the_request_id_is_taken_from_the_trusted_proxy_only_and_only_a_short_token():
    behind = app_with(PROXY_COUNT=1)
    sent = {"X-Request-ID": "4f2a9c1e7b3d4a5f8e6c2b1a0d9f8e7c", "X-Forwarded-For": "10.1.2.3"}
    assert (
        behind.test_client().get("/health", headers=sent).headers["X-Request-ID"]
        == (sent["X-Request-ID"])
    )
    for forged in ("short", "a" * 65, "bad id with spaces", "x;Injected:line", "ок-123456"):
        got = behind.test_client().get("/health", headers={"X-Request-ID": forged})
        assert re.fullmatch(r"[0-9a-f]{32}", got.headers["X-Request-ID"]), forged
    direct = app_with()  # no proxy: whatever a client sends is not trusted
    got = direct.test_client().get("/health", headers=sent).headers["X-Request-ID"]
    assert got != sent["X-Request-ID"] and re.fullmatch(r"[0-9a-f]{32}", got)


def test_json_lines_when_configured(_database):
    json_app = app_with(LOG_FORMAT="json")
    with json_app.app_context():
        db.create_all()
        with written_lines() as lines:
            response = json_app.test_client().post("/language", data={"locale": "ky"})
    (line,) = lines.getvalue().splitlines()
    record = json.loads(line)
    assert record["request_id"] == response.headers["X-Request-ID"]
    assert record["method"] == "POST" and record["endpoint"] == "main.set_language"
    assert record["status"] == 302 and record["user_id"] == "-"
    assert isinstance(record["duration_ms"], float)
    assert record["level"] == "INFO" and record["logger"] == "pb.requests"


def test_an_unknown_log_format_stops_the_app():
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        app_with(LOG_FORMAT="xml")


def test_an_error_is_logged_with_its_traceback_and_request_id(app):
    @app.route("/boom", methods=["POST"])
    def boom() -> str:
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with written_lines() as lines:
        response = app.test_client().post("/boom")
    assert response.status_code == 500
    text = lines.getvalue()
    request_id = response.headers["X-Request-ID"]
    assert "Traceback" in text and "RuntimeError: boom" in text
    assert f"ERROR [{request_id}] pb: Exception on /boom [POST]" in text
    assert re.search(rf"ERROR \[{request_id}\] pb.requests: POST boom 500 ", text)


# --- what is never logged -----------------------------------------------------------------------


def test_no_code_receipt_password_or_reset_code_is_ever_logged(
    app, officer_client, client, world, caplog
):
    caplog.set_level(logging.DEBUG, logger="pb")
    caplog.set_level(logging.INFO)
    proposal, *_ = factories.open_voting(world.consultation)
    _, (code,) = generate(officer_client, world.consultation, size=1)
    secrets = [code, code.replace("-", "")]
    with written_lines() as lines:
        # A vote with the code from a slip, as the QR link's page sends it.
        voter = app.test_client()
        voter.get(f"/c/{world.consultation.id}/vote?code={code}")  # an older slip's link
        response = vote_with(voter, world.consultation, code.lower(), [proposal])
        assert response.status_code == 302
        receipt = RECEIPT.search(voter.get(response.headers["Location"]).get_data(as_text=True))
        assert receipt
        secrets += [receipt.group(1), receipt.group(1).replace("-", "")]
        vote_with(app.test_client(), world.consultation, "AAAAA-AAAAA", [proposal])  # wrong
        # The receipt checked once the results are public.
        advance_phase(world.officer, world.consultation, Phase.VOTING, reason="For the test.")
        world.consultation.phase = Phase.PUBLISHED
        db.session.commit()
        checked = app.test_client().post(
            f"/c/{world.consultation.id}/receipt", data={"receipt": receipt.group(1)}
        )
        assert checked.status_code == 200
        # Logging in, failing to, registering, and resetting a password.
        app.test_client().post("/login", data={"login": "council", "password": factories.PASSWORD})
        app.test_client().post("/login", data={"login": "council", "password": "Wrong-horse-77"})
        registered = app.test_client().post(
            "/register?m=ak-suu",
            data={
                "municipality_id": str(world.municipality.id),
                "display_name": "Гүлзат",
                "phone": "0700 111 222",
                "username": "",
                "password": "Kara-Suu-river-1987",
                "confirm": "Kara-Suu-river-1987",
                "locale": "ky",
                "gender": "",
                "birth_year": "",
                "village_id": "",
            },
        )
        assert registered.status_code == 302, registered.get_data(as_text=True)
        issued = resets.issue_reset_code(world.officer, world.resident)
        reset = app.test_client().post(
            "/reset-password",
            data={
                "login": "0555 123 456",
                "code": issued.code,
                "password": "Issyk-Kul-shore-2024",
                "confirm": "Issyk-Kul-shore-2024",
            },
        )
        assert reset.status_code == 302
    secrets += [
        factories.PASSWORD,
        "Wrong-horse-77",
        "Kara-Suu-river-1987",
        "Issyk-Kul-shore-2024",
        issued.code,
        issued.code.replace("-", ""),
    ]
    written = lines.getvalue()
    # The logs were written: the changes are there, by endpoint.
    for endpoint in ("voting.vote", "voting.receipt", "auth.login", "auth.register"):
        assert f"POST {endpoint} " in written, endpoint
    logged = [written, caplog.text]
    for record in caplog.records:
        logged.append(record.getMessage())
        logged.append(repr(record.__dict__))
    everything = "\n".join(logged).upper()
    for secret in secrets:
        assert secret.upper() not in everything, secret


def test_the_slips_link_keeps_the_code_out_of_what_servers_receive(
    officer_client, world, monkeypatch
):
    drawn: list[str] = []
    real_make = segno.make

    def drawing(content: str, **options: object) -> object:
        drawn.append(content)
        return real_make(content, **options)

    monkeypatch.setattr(voting_views.segno, "make", drawing)
    factories.open_voting(world.consultation)
    slips, found = generate(officer_client, world.consultation, size=3)
    assert len(drawn) == 3
    for link, code in zip(drawn, found, strict=True):
        parts = urlsplit(link)
        sent = f"{parts.scheme}://{parts.netloc}{parts.path}?{parts.query}"
        assert code not in sent and code.replace("-", "") not in sent
        # The query names only the language the slip is printed in (the officer's here).
        assert parts.path == f"/c/{world.consultation.id}/vote" and parts.query == "lang=en"
        assert parts.fragment == f"code={code}"


def test_an_older_slips_link_moves_the_code_to_the_fragment(client, world):
    factories.open_voting(world.consultation)
    url = f"/c/{world.consultation.id}/vote"
    response = client.get(f"{url}?code=acdef ghjkm")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == url and location.query == ""
    assert location.fragment == "code=ACDEF-GHJKM"
    # Anything else in it is dropped, not carried into the page.
    odd = urlsplit(client.get(f'{url}?code="><script>').headers["Location"])
    assert odd.fragment == "code=SCRIP-T"
    assert urlsplit(client.get(f"{url}?code=").headers["Location"]).fragment == ""


def test_the_ballot_fills_the_code_with_a_script_of_this_site(client, world):
    factories.open_voting(world.consultation)
    page = client.get(f"/c/{world.consultation.id}/vote")
    assert '<script src="/static/code_from_link.js" defer></script>' in page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    script = client.get("/static/code_from_link.js")
    assert script.status_code == 200
    text = script.get_data(as_text=True)
    assert "location.hash" in text and "replaceState" in text
    script.close()


def test_gunicorns_access_log_keeps_the_query_string_out():
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from pb import serving

    config = Config()
    config.set("access_log_format", serving.access_log_format)
    response = SimpleNamespace(
        status="303 SEE OTHER",
        status_code=303,
        headers=[("X-Request-ID", "4f2a9c1e7b3d4a5f")],
        sent=0,
        response_length=0,
    )
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/c/1/vote?code=ACDEF-GHJKM",
        "PATH_INFO": "/c/1/vote",
        "QUERY_STRING": "code=ACDEF-GHJKM",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.1.2.3",
    }
    atoms = Logger(config).atoms(
        response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3)
    )
    line = serving.access_log_format % atoms
    assert '"GET /c/1/vote HTTP/1.1" 303' in line and "4f2a9c1e7b3d4a5f" in line
    assert "ACDEF" not in line


def test_the_line_of_a_ballot_sent_names_no_account(app, resident_client, world):
    """The WAL keeps when each ballot was written: a line saying who sent a ballot at that
    moment would tell which ballot is hers. Her other changes are logged with her id."""
    proposal, *_ = factories.open_voting(world.consultation)
    with written_lines() as lines:
        voted = resident_client.post(
            f"/c/{world.consultation.id}/vote", data={"choice": [str(proposal.id)]}
        )
        refused = resident_client.post(f"/c/{world.consultation.id}/vote", data={"choice": []})
        resident_client.post("/language", data={"locale": "ru", "next": "/"})
    assert voted.status_code == 302 and refused.status_code == 200
    vote_lines = [line for line in lines.getvalue().splitlines() if "voting.vote" in line]
    assert len(vote_lines) == 2
    assert all(line.endswith("user -") for line in vote_lines), vote_lines
    (language,) = [line for line in lines.getvalue().splitlines() if "set_language" in line]
    assert language.endswith(f"user {world.resident.id}")
