"""What a URL brings in: redirect targets that cannot be turned into an open redirect, list
page numbers that cannot break the query, and ids in paths that fit the database."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import request, url_for
from werkzeug.routing import IntegerConverter, Map

from pb.forms import MAX_ID

# Far past the end of any list pb shows, and well within every database's integers.
LAST_PAGE = 1_000_000


def safe_next(target: str | None, default_endpoint: str = "main.index") -> str:
    """``target`` if it is a path on this site, else the default page."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for(default_endpoint)


def page_number() -> int:
    """The list page asked for in ``?page=``: 1 if absent or not a whole number; a number past
    the end gives an empty page, as the pagination does (a huge one must not reach the
    database, whose integers it would overflow)."""
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), LAST_PAGE)


def kept_args() -> dict[str, str]:
    """The query of a list page, for its links to other pages: everything but ``page``, and
    none of the names ``url_for`` takes as its own (``endpoint``, ``_method``, ``_scheme``...):
    ``?_method=POST`` or ``?endpoint=x`` made the page's links fail to build, a 500."""
    return {
        k: v
        for k, v in request.args.items()
        if k not in ("page", "endpoint") and not k.startswith("_")
    }


class RowIdConverter(IntegerConverter):
    """The ``int`` of every route (``/c/<int:consultation_id>``), bounded by what the
    database's integers hold: a larger number is no page (404). Unbounded, PostgreSQL refuses
    it in the lookup, and the request ends in a 500."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
