"""Open data: a read-only JSON API at /api/v1/, described by its OpenAPI document, and an Atom
feed of each municipality's implementation updates. Public data only: never a person."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
feeds = Blueprint("feeds", __name__)

from pb.api import feed, views  # noqa: E402,F401
