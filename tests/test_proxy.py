"""Behind a reverse proxy: pb takes each visitor's own address from the trusted hops
(``PROXY_COUNT``, Werkzeug's ProxyFix), so one client's failures throttle that client only, and
a client cannot pass for another by sending X-Forwarded-For itself.

The proxy is a real nginx (Debian's package) in front of pb on loopback; clients speak from
different loopback addresses (127.0.0.2, 127.0.0.3: all of 127/8 is the machine itself). Without
nginx the test skips; with ``PB_REQUIRE_NGINX=1`` (as in CI) it fails instead.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from werkzeug.serving import WSGIRequestHandler, make_server

from pb import create_app
from pb.extensions import db
from tests import conftest, factories

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ATTACKER, NEIGHBOUR = "127.0.0.2", "127.0.0.3"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _nginx_config(tmp: Path, listen: int, upstream: int, http_extra: str = "") -> Path:
    config = tmp / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    config.write_text(
        f"""
{user}
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
{http_extra}
  server {{
    listen 127.0.0.1:{listen};
    location / {{
      proxy_pass http://127.0.0.1:{upstream};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
    }}
  }}
}}
""",
        encoding="utf-8",
    )
    return config


def _behind_nginx(tmp: Path, proxy_count: int) -> Iterator[int]:
    """pb with ``proxy_count`` trusted hops, served behind nginx: nginx's port."""
    for port, _world in serve_behind_nginx(tmp, PROXY_COUNT=proxy_count):
        yield port


def serve_behind_nginx(
    tmp: Path,
    build: Callable[[], object] = factories.build_world,
    http_extra: str = "",
    **settings: object,
) -> Iterator[tuple[int, object]]:
    """pb with these settings, its database filled by ``build``, served behind nginx with
    ``http_extra`` in nginx's ``http`` block: nginx's port and what ``build`` returned."""
    if not (os.path.isfile(NGINX) and os.access(NGINX, os.X_OK)):
        if os.environ.get("PB_REQUIRE_NGINX") == "1":
            pytest.fail("nginx is required here (PB_REQUIRE_NGINX=1) and was not found")
        pytest.skip("nginx not found (apt-get install nginx-light)")
    app = create_app(
        conftest._config(
            SQLALCHEMY_DATABASE_URI=conftest.TEST_DATABASE_URL
            or f"sqlite:///{tmp / 'proxy.sqlite'}",
            **settings,
        )
    )
    with app.app_context():
        if not conftest.TEST_DATABASE_URL:
            db.create_all()
        built = build()
        db.session.remove()
    upstream, listen = _free_port(), _free_port()
    server = make_server("127.0.0.1", upstream, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    nginx = subprocess.Popen(
        [NGINX, "-c", str(_nginx_config(tmp, listen, upstream, http_extra)), "-p", str(tmp)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                break
            except OSError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {nginx.stderr.read()!r}") from None
                time.sleep(0.05)
        yield listen, built
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        if nginx.stderr is not None:
            nginx.stderr.close()
        server.shutdown()
        server.server_close()
        with app.app_context():
            if conftest.TEST_DATABASE_URL:
                db.session.remove()
                tables = ", ".join(t.name for t in db.metadata.sorted_tables)
                with db.engine.begin() as connection:
                    connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.engine.dispose()


@pytest.fixture
def trusted_proxy(tmp_path: Path, _database: None) -> Iterator[int]:
    yield from _behind_nginx(tmp_path, proxy_count=1)


@pytest.fixture
def untrusted_proxy(tmp_path: Path, _database: None) -> Iterator[int]:
    yield from _behind_nginx(tmp_path, proxy_count=0)


def log_in(port: int, source: str, password: str, headers: dict[str, str] | None = None) -> int:
    """A login from ``source`` through nginx: the response's status."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    try:
        body = urllib.parse.urlencode({"login": "officer", "password": password})
        connection.request(
            "POST",
            "/login",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_one_clients_failures_do_not_throttle_another_behind_the_proxy(trusted_proxy):
    port = trusted_proxy
    tries = [log_in(port, ATTACKER, "wrong password") for _ in range(10)]
    assert tries == [200] * 10
    assert log_in(port, ATTACKER, factories.PASSWORD) == 429
    # The neighbour, behind the same proxy, logs in as if nothing had happened.
    assert log_in(port, NEIGHBOUR, factories.PASSWORD) == 302
    # Claiming the neighbour's address (or any other) does not get the attacker through:
    # nginx adds the address it saw, and only that last hop is trusted.
    for claimed in (NEIGHBOUR, "203.0.113.7", f"{NEIGHBOUR}, 203.0.113.7"):
        assert log_in(port, ATTACKER, factories.PASSWORD, {"X-Forwarded-For": claimed}) == 429


def test_without_trusting_the_proxy_everyone_behind_it_is_one_client(untrusted_proxy):
    """Why PROXY_COUNT must be set behind a proxy: the failures of one lock out all."""
    port = untrusted_proxy
    for _ in range(10):
        log_in(port, ATTACKER, "wrong password")
    assert log_in(port, NEIGHBOUR, factories.PASSWORD) == 429
