"""Help for residents: how a budget consultation works, whom to ask, what is kept about them."""

from flask import Blueprint

bp = Blueprint("help", __name__)

from pb.help import views  # noqa: E402,F401
