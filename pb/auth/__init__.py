from flask import Blueprint

bp = Blueprint("auth", __name__)

from pb.auth import reset_views, views  # noqa: E402,F401
