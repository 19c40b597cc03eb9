"""Real-browser tests: the app served on loopback, driven by headless Chromium through Playwright.

They need Chromium (``PB_CHROMIUM``, default /usr/bin/chromium), the playwright package and
axe-core (``make browser-deps``). Without them the tests skip; with ``PB_REQUIRE_BROWSER=1``
(as in CI) they fail instead, so a broken CI image cannot pass silently.

Pages are checked as served in production: real CSRF tokens, and the strict
Content-Security-Policy left on. axe-core is therefore evaluated through the DevTools protocol
(``page.evaluate``), which CSP does not govern, rather than injected as an inline
``<script>``, which it would block; any CSP violation the page itself causes fails the test.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from pb import create_app
from pb.extensions import db
from tests import factories

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
NARROWEST = 320
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")

# Runs before any page script, outside CSP: remembers what the policy blocked on this page.
CSP_RECORDER = """
window.__pbCspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__pbCspViolations.push(
    e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' +
    e.sourceFile + ':' + e.lineNumber);
});
"""

T = TypeVar("T")


def chromium_path() -> str:
    return os.environ.get("PB_CHROMIUM") or "/usr/bin/chromium"


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    chromium = chromium_path()
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        return f"Chromium not found at {chromium} (set PB_CHROMIUM)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not AXE_JS.is_file():
        where = AXE_JS.relative_to(HERE.parent.parent)
        return f"axe-core not found at {where} (run make browser-deps)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: mark only the ones in this folder.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


# --- the live server -------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class LiveServer:
    app: Flask
    url: str
    #: The seeded world, as (model, primary key) per World field, to reload in any session.
    world_keys: dict[str, tuple[type, int]] = field(default_factory=dict)

    def run(self, fn: Callable[[factories.World], T]) -> T:
        """Call ``fn(world)`` in an app context of the served app, e.g. to seed or inspect data.

        Return plain values (ids, strings), not model objects: the session ends with the call.
        """
        with self.app.app_context():
            try:
                loaded = {
                    name: db.session.get(model, pk) for name, (model, pk) in self.world_keys.items()
                }
                return fn(factories.World(**loaded))
            finally:
                db.session.remove()

    @property
    def municipality_id(self) -> int:
        return self.world_keys["municipality"][1]

    @property
    def consultation_id(self) -> int:
        return self.world_keys["consultation"][1]

    @property
    def slug(self) -> str:
        return self.run(lambda w: w.municipality.slug)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app with a file SQLite database and real CSRF, seeded with build_world(), on loopback.
    Background jobs run in the request that starts them (tests/browser/test_job_page.py runs a
    real worker)."""
    with live_server_for(tmp_path, JOBS_QUEUE="immediate") as server:
        yield server


@contextmanager
def live_server_for(tmp_path: Path, **config: object) -> Iterator[LiveServer]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pb.sqlite'}",
            "WTF_CSRF_ENABLED": True,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            **config,
        }
    )
    with app.app_context():
        db.create_all()
        world = factories.build_world()
        seeded = {f.name: getattr(world, f.name) for f in fields(world)}
        keys = {name: (type(obj), obj.id) for name, obj in seeded.items()}
        db.session.remove()
    with serving(app) as url:
        yield LiveServer(app=app, url=url, world_keys=keys)


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` served on loopback in a thread, for as long as the block runs: its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="pb-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    reason = _missing()
    if reason:
        if os.environ.get("PB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (PB_REQUIRE_BROWSER=1): {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright: Any) -> Iterator[Any]:
    browser = _playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@dataclass
class Network:
    """What every page of a test asked the network for, across all its browser contexts."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_only_from(self, origin: str) -> None:
        """Nothing loaded from another host: no CDN, font, analytics or map tile."""
        assert self.requests, "no request was recorded"
        foreign = [url for url in self.requests if not (url.startswith((origin + "/", "data:")))]
        assert not foreign, f"requests to other hosts than {origin}: {foreign}"

    def assert_no_errors(self) -> None:
        assert not self.errors, "failed requests:\n" + "\n".join(self.errors)


@pytest.fixture
def network() -> Network:
    return Network()


@pytest.fixture
def new_page(
    browser: Any, live_server: LiveServer, network: Network
) -> Iterator[Callable[..., Any]]:
    """``new_page(locale="en-US")``: a phone-sized page in a fresh context (its own cookies)."""
    contexts: list[Any] = []

    def open_page(locale: str = "en-US") -> Any:
        context = browser.new_context(
            viewport=PHONE, locale=locale, base_url=live_server.url, service_workers="block"
        )
        contexts.append(context)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_RECORDER)
        context.on("request", lambda request: network.requests.append(request.url))
        context.on(
            "requestfailed",
            lambda request: network.errors.append(
                f"{request.method} {request.url}: {request.failure}"
            ),
        )

        def on_response(response: Any) -> None:
            if response.status >= 400:
                network.errors.append(f"{response.status} {response.request.method} {response.url}")

        context.on("response", on_response)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


# --- checks ----------------------------------------------------------------------------------


def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def check_accessibility(page: Any) -> None:
    """Fail on any serious or critical WCAG 2.1 A/AA violation axe-core finds on the page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})
            .then((results) => results.violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              targets: v.nodes.map((n) => n.target.join(' ')),
            })))""",
        AXE_TAGS,
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']} -> {', '.join(v['targets'])}" for v in blocking
        ]
        pytest.fail(f"accessibility violations on {page.url}:\n" + "\n".join(lines), pytrace=False)


def check_no_horizontal_scroll(page: Any, width: int = NARROWEST) -> None:
    """At ``width`` CSS pixels, the narrowest phones in use, nothing sticks out sideways."""
    original = page.viewport_size
    page.set_viewport_size({"width": width, "height": original["height"]})
    try:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide = page.evaluate(
                """(width) => [...document.querySelectorAll('body *')]
                    .filter((el) => el.getBoundingClientRect().right > width
                                    || (el.clientWidth > 1 && el.scrollWidth > el.clientWidth))
                    .slice(-5).map((el) => el.outerHTML.slice(0, 160))""",
                width,
            )
            pytest.fail(
                f"{page.url} scrolls sideways at {width}px (scrollWidth {scroll_width}); "
                f"too wide: {wide}",
                pytrace=False,
            )
    finally:
        page.set_viewport_size(original)


def check_csp(page: Any) -> None:
    violations = page.evaluate("window.__pbCspViolations || []")
    assert not violations, f"Content-Security-Policy violations on {page.url}: {violations}"


def check_references(page: Any) -> None:
    """Every id named by label[for], aria-describedby, aria-labelledby or aria-controls exists.

    axe only lists a missing aria-describedby target as "needs review", so it is checked here.
    """
    dangling = page.evaluate(
        """() => {
          const out = [];
          const attrs = ['aria-describedby', 'aria-labelledby', 'aria-controls'];
          for (const el of document.querySelectorAll(attrs.map((a) => `[${a}]`).join(','))) {
            for (const attr of attrs) {
              for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
                if (!document.getElementById(id)) {
                  out.push(`${attr}="${id}" on ${el.outerHTML.slice(0, 100)}`);
                }
              }
            }
          }
          for (const label of document.querySelectorAll('label[for]')) {
            if (!document.getElementById(label.htmlFor)) out.push(`label for="${label.htmlFor}"`);
          }
          return out;
        }"""
    )
    assert not dangling, f"references to missing ids on {page.url}: {dangling}"


def check_page(page: Any) -> None:
    """What every visited page must pass: CSP, axe, id references, no sideways scroll at 320 px."""
    check_csp(page)
    check_accessibility(page)
    check_references(page)
    check_no_horizontal_scroll(page)


def follow(page: Any, locator: Any) -> None:
    """Click a link or submit button and wait until the next page has loaded."""
    with page.expect_navigation():
        locator.click()


def html_lang(page: Any) -> str | None:
    return page.evaluate("document.documentElement.lang")
