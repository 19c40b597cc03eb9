"""Sending a text message: a small interface and its backends. Off unless configured.

pb needs no SMS: an officer hands out password reset codes in person. Where a municipality has an
SMS provider, the officer may also send the code to the person's phone.

Configuration (``instance/config.py``, or the environment as ``PB_<KEY>``):

``SMS_BACKEND``
    ``None`` (the default): no SMS, and no page offers to send one. ``"file"``: development only,
    each message is appended as one JSON line (UTF-8) to ``SMS_FILE``. ``"http"``: each message
    is POSTed as JSON to ``SMS_HTTP_URL``.
``SMS_FILE``
    The file the ``"file"`` backend writes; ``instance/sms-outbox.jsonl`` by default. It holds the
    messages in clear, codes included: never use it in production.
``SMS_HTTP_URL``
    The provider's (or a gateway's) address. It receives ``{"to": "+996555123456", "text": ...,
    "sender": ...}`` in UTF-8 with ``Authorization: Bearer <SMS_HTTP_TOKEN>``, and must answer
    with a 2xx status once it has accepted the message.
``SMS_HTTP_TOKEN``
    The bearer token: a secret, so give it in the environment as ``PB_SMS_HTTP_TOKEN``, not in a
    file under version control.
``SMS_SENDER``
    The sender name the provider shows, if it lets us choose one (``"pb"`` by default).
``SMS_HTTP_TIMEOUT``
    Seconds to wait for the provider (10 by default): the officer's page waits that long.

Nothing here logs a message's text or the number it goes to.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import Flask

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The message could not be handed to the provider (or written, in development)."""


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send ``text`` to ``phone`` (as pb stores it, "+996 XXX XXX XXX"); raise SmsError if
        it could not be handed over."""


def international(phone: str) -> str:
    """ "+996 555 123 456" → "+996555123456", as providers want it."""
    return "+" + "".join(ch for ch in phone if ch.isdigit())


class FileSender:
    """Development: appends each message as a JSON line to a file, for a developer to read."""

    def __init__(self, path: str) -> None:
        self.path = path

    def send(self, phone: str, text: str) -> None:
        line = json.dumps(
            {"to": international(phone), "text": text, "at": datetime.now(UTC).isoformat()},
            ensure_ascii=False,
        )
        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as outbox:
                outbox.write(line + "\n")
        except OSError as error:
            raise SmsError(f"could not write to the SMS file: {error.strerror}") from None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A POST redirected becomes a GET without the message, and its 200 would read as sent.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpSender:
    """A provider (or gateway) taking JSON over HTTP with a bearer token."""

    def __init__(self, url: str, token: str, sender: str = "pb", timeout: float = 10) -> None:
        self.url = url
        self.token = token
        self.sender = sender
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects)

    def send(self, phone: str, text: str) -> None:
        body = {"to": international(phone), "text": text, "sender": self.sender}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                response.read(64 * 1024)
        except urllib.error.HTTPError as error:
            error.close()
            status = error.code
        except (OSError, http.client.HTTPException) as error:
            # URLError, refused connections and time-outs are all OSErrors.
            log.warning("SMS provider unreachable: %s", type(error).__name__)
            raise SmsError("the SMS provider could not be reached") from None
        if not 200 <= status < 300:
            log.warning("SMS provider answered HTTP %s", status)
            raise SmsError(f"the SMS provider answered HTTP {status}")


def sender_for(app: Flask) -> SmsSender | None:
    """The sender the configuration asks for, or None when SMS is off or not usable."""
    config = app.config
    backend = config.get("SMS_BACKEND")
    if not backend:
        return None
    if backend == "file":
        path = config.get("SMS_FILE") or os.path.join(app.instance_path, "sms-outbox.jsonl")
        return FileSender(str(path))
    if backend == "http":
        url = str(config.get("SMS_HTTP_URL") or "")
        token = config.get("SMS_HTTP_TOKEN")
        if not url.startswith(("https://", "http://")) or token in (None, ""):
            # A half-done configuration: say so to whoever runs the site, offer no SMS.
            log.error("SMS_BACKEND is http but SMS_HTTP_URL or PB_SMS_HTTP_TOKEN is missing")
            return None
        return HttpSender(
            url,
            # PB_* variables are read as JSON where they can be: a token of digits is a number.
            str(token),
            sender=str(config.get("SMS_SENDER") or "pb"),
            timeout=float(config.get("SMS_HTTP_TIMEOUT") or 10),
        )
    log.error("SMS_BACKEND %r is not known (use None, 'file' or 'http')", backend)
    return None
