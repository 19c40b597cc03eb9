from flask import Blueprint

bp = Blueprint("proposals", __name__)

from pb.proposals import views  # noqa: E402,F401
