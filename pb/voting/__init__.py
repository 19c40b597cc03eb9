from flask import Blueprint

bp = Blueprint("voting", __name__)

from pb.voting import views  # noqa: E402,F401
