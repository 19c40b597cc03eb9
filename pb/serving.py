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


# gunicorn writes no access log unless asked (--access-logfile -). Asked, its lines name the
# path without the query string (%(U)s, not the request line %(r)s): no link of pb's carries a
# secret in its query any more, but a slip printed before the QR link moved its code to the
# fragment still sends "?code=" once. The request id ties a line to pb's own (pb.logs).
access_log_format = (
    '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s "%(a)s"'
)
