"""A job's page in a browser, with a real worker: an officer imports a .pb file and, with
JavaScript, watches the page say it waits, then see it done without reloading it herself;
without JavaScript, the page reloads itself until the job has ended."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import factories
from tests.browser.conftest import LiveServer, check_page, follow, live_server_for
from tests.jobs.workers import ROOT, start_worker, stop_worker

PB_FILE = ROOT.parent / "shared" / "data" / "pabulib" / "Poland_Swiecie_2023.pb"


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Jobs go to a SQLite queue, as with `make run`, and wait there for a worker."""
    with live_server_for(tmp_path, JOBS_QUEUE=f"sqlite:///{tmp_path / 'jobs.sqlite'}") as server:
        yield server


def import_file(page: Any) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.locator("#login").fill("officer")
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    page.goto("/m/ak-suu/import")
    page.locator("input[type=file]").set_input_files(str(PB_FILE))
    follow(page, page.locator("main form button[type=submit]"))
    assert "/jobs/" in page.url, page.url


@pytest.mark.skipif(not PB_FILE.exists(), reason=f"{PB_FILE} is not here")
def test_with_javascript_the_page_follows_the_job_to_its_end(
    page: Any, live_server: LiveServer
) -> None:
    import_file(page)
    status = page.locator("#job-status")
    assert status.inner_text() == "Waiting for its turn…"
    check_page(page)
    worker = start_worker(live_server.app)
    try:
        # jobs.js reloads the page once the job has ended: nobody touches it meanwhile.
        page.locator("main .flash-success").wait_for(timeout=60_000)
    finally:
        stop_worker(worker)
    assert page.locator("main .flash-success").inner_text() == "Done."
    check_page(page)
    follow(page, page.locator("main a.button"))
    assert "/c/" in page.url and "Municipal PB in Świecie" in page.locator("main").inner_text()


@pytest.mark.skipif(not PB_FILE.exists(), reason=f"{PB_FILE} is not here")
def test_without_javascript_the_page_reloads_itself(browser: Any, live_server: LiveServer) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        import_file(page)
        assert page.locator("#job-status").inner_text() == "Waiting for its turn…"
        worker = start_worker(live_server.app)
        try:
            page.locator("main .flash-success").wait_for(timeout=60_000)
        finally:
            stop_worker(worker)
        assert page.locator("main .flash-success").inner_text() == "Done."
    finally:
        context.close()
