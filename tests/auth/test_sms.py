"""Sending the reset code by SMS: the development file backend, the HTTP backend against a fake
provider on loopback, and the officer's page when sending works and when it does not."""

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from pb import sms
from pb.extensions import db
from pb.models import PasswordReset

KYRGYZ = "Саламатсызбы, ң ө ү"
RESIDENT_LOGIN = "0555 123 456"


class FakeProvider:
    """An SMS provider on 127.0.0.1 that records what it is sent and answers ``status``; with
    ``hang``, it answers only when the test ends, long after the sender gave up."""

    def __init__(self, status: int = 200, hang: bool = False) -> None:
        self.status = status
        self.hang = hang
        self.requests: list[dict] = []
        self.release = threading.Event()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                provider.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if provider.hang:
                    provider.release.wait(5)
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                pass  # the test's output stays the test's

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A client that gave up leaves a broken pipe behind: expected, not worth a traceback.
        self.server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/send"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def provider():
    started: list[FakeProvider] = []

    def start(**options: object) -> FakeProvider:
        fake = FakeProvider(**options)  # type: ignore[arg-type]
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()


def use_http(app, fake, timeout=5):
    app.config.update(
        SMS_BACKEND="http", SMS_HTTP_URL=fake.url, SMS_HTTP_TOKEN="t0ken", SMS_HTTP_TIMEOUT=timeout
    )


def find(client, login=RESIDENT_LOGIN):
    return client.post("/accounts/reset", data={"login": login, "action": "find"})


def issue(client, login=RESIDENT_LOGIN, send_sms=True):
    data = {"login": login, "action": "issue"}
    if send_sms:
        data["send_sms"] = "y"
    page = client.post("/accounts/reset", data=data).get_data(as_text=True)
    match = re.search(r'class="receipt">([A-Z0-9-]+)<', page)
    return page, match.group(1) if match else None


def reset(client, code, login=RESIDENT_LOGIN):
    return client.post(
        "/reset-password",
        data={
            "login": login,
            "code": code,
            "password": "new password 1",
            "confirm": "new password 1",
        },
    )


def test_file_sender_writes_one_utf8_line_per_message(tmp_path):
    outbox = tmp_path / "dev" / "sms.jsonl"
    sender = sms.FileSender(str(outbox))
    sender.send("+996 555 123 456", KYRGYZ)
    sender.send("+996 700 000 001", "second")
    lines = outbox.read_bytes().decode("utf-8").splitlines()
    assert len(lines) == 2
    assert KYRGYZ in lines[0]  # written as the letters themselves, not \u escapes
    first = json.loads(lines[0])
    assert first["to"] == "+996555123456" and first["text"] == KYRGYZ


def test_file_sender_that_cannot_write_raises_sms_error(tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(sms.SmsError):
        sms.FileSender(str(tmp_path / "taken" / "sms.jsonl")).send("+996 555 123 456", "x")


def test_http_sender_posts_utf8_json_with_the_token(provider):
    fake = provider()
    sms.HttpSender(fake.url, "s3cret", sender="AyilOkmotu").send("+996 555 123 456", KYRGYZ)
    (received,) = fake.requests
    assert received["path"] == "/send"
    headers = {name.lower(): value for name, value in received["headers"].items()}
    assert headers["authorization"] == "Bearer s3cret"
    assert headers["content-type"] == "application/json; charset=utf-8"
    decoded = received["body"].decode("utf-8")
    assert KYRGYZ in decoded
    assert json.loads(decoded) == {"to": "+996555123456", "text": KYRGYZ, "sender": "AyilOkmotu"}


@pytest.mark.parametrize("status", [500, 401, 302])
def test_http_sender_raises_when_the_provider_refuses(provider, status):
    fake = provider(status=status)
    with pytest.raises(sms.SmsError):
        sms.HttpSender(fake.url, "s3cret").send("+996 555 123 456", KYRGYZ)
    assert len(fake.requests) == 1  # and a redirect is not followed with a bodiless GET


def test_http_sender_gives_up_on_a_provider_that_does_not_answer(provider):
    fake = provider(hang=True)
    with pytest.raises(sms.SmsError):
        sms.HttpSender(fake.url, "s3cret", timeout=0.2).send("+996 555 123 456", KYRGYZ)


def test_http_sender_raises_when_nothing_listens():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(sms.SmsError):
        sms.HttpSender(f"http://127.0.0.1:{port}/", "s3cret", timeout=2).send(
            "+996 555 123 456", "x"
        )


def test_sender_follows_the_configuration(app, tmp_path):
    assert sms.sender_for(app) is None
    app.config.update(SMS_BACKEND="file", SMS_FILE=str(tmp_path / "out.jsonl"))
    assert isinstance(sms.sender_for(app), sms.FileSender)
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL="https://sms.example/send")
    assert sms.sender_for(app) is None  # no token: not usable, so not offered
    app.config["SMS_HTTP_TOKEN"] = 12345  # PB_SMS_HTTP_TOKEN=12345 is read as a number
    sender = sms.sender_for(app)
    assert isinstance(sender, sms.HttpSender) and sender.token == "12345"
    app.config.update(SMS_BACKEND="pigeon")
    assert sms.sender_for(app) is None


def test_without_an_sms_backend_no_sms_is_offered(officer_client, world):
    page = find(officer_client).get_data(as_text=True)
    assert "Account found" in page
    assert "send_sms" not in page and "SMS" not in page


def test_no_sms_is_offered_for_an_account_without_a_phone(app, officer_client, world, tmp_path):
    app.config.update(SMS_BACKEND="file", SMS_FILE=str(tmp_path / "sms.jsonl"))
    assert "send_sms" in find(officer_client).get_data(as_text=True)
    assert "send_sms" not in find(officer_client, login="council").get_data(as_text=True)


def test_officer_sends_the_code_by_sms_in_the_residents_language(
    app, officer_client, client, world, tmp_path
):
    outbox = tmp_path / "sms.jsonl"
    app.config.update(SMS_BACKEND="file", SMS_FILE=str(outbox))
    world.resident.locale = "ky"
    db.session.commit()
    page = find(officer_client).get_data(as_text=True)
    assert "Also send the code by SMS to +996 555 123 456" in page
    page, code = issue(officer_client)
    assert code and "The code was also sent by SMS to +996 555 123 456." in page
    (line,) = outbox.read_text(encoding="utf-8").splitlines()
    message = json.loads(line)
    assert message["to"] == "+996555123456"
    assert code in message["text"]
    assert "бир жолку" in message["text"]  # Kyrgyz, whatever the officer reads
    assert reset(client, code).status_code == 302


def test_an_unchecked_box_sends_nothing(app, officer_client, world, tmp_path):
    outbox = tmp_path / "sms.jsonl"
    app.config.update(SMS_BACKEND="file", SMS_FILE=str(outbox))
    page, code = issue(officer_client, send_sms=False)
    assert code and not outbox.exists() and "SMS" not in page


def test_the_code_goes_to_the_provider_intact(app, officer_client, world, provider):
    fake = provider()
    use_http(app, fake)
    world.resident.locale = "ru"
    db.session.commit()
    page, code = issue(officer_client)
    assert code and "The code was also sent by SMS" in page
    (received,) = fake.requests
    text = json.loads(received["body"].decode("utf-8"))["text"]
    assert code in text and "одноразовый код" in text


@pytest.mark.parametrize("failure", ["error", "timeout"])
def test_when_the_sms_fails_the_officer_is_told_and_the_code_still_works(
    app, officer_client, client, world, provider, failure
):
    fake = provider(status=500) if failure == "error" else provider(hang=True)
    use_http(app, fake, timeout=0.2)
    page, code = issue(officer_client)
    assert code and "The SMS could not be sent." in page
    assert db.session.scalars(select(PasswordReset)).one().used_at is None
    world.officer.locale = "ky"
    db.session.commit()
    ky = officer_client.post(
        "/accounts/reset",
        data={"login": RESIDENT_LOGIN, "action": "issue", "send_sms": "y"},
        headers={"Accept-Language": "ky"},
    ).get_data(as_text=True)
    assert "SMS жөнөтүлгөн жок" in ky
    (new_code,) = re.findall(r'class="receipt">([A-Z0-9-]+)<', ky)
    assert reset(client, new_code).status_code == 302
