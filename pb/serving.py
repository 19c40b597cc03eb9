"""gunicorn's settings for pb, read with ``gunicorn -c python:pb.serving 'pb:create_app()'``
(command-line options still apply on top)."""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Once the worker has loaded the app: its modules, templates and tables live as long as
    the worker, so the collector is told to leave them be (``gc.freeze``). A request leaves
    cycles behind (WTForms' fields point back at their form), so the collector runs often;
    without this, each of its rare full passes would also walk every object of the loaded app,
    all of it on one unlucky request."""
    gc.freeze()
