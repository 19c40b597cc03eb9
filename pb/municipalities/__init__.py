from flask import Blueprint

bp = Blueprint("municipalities", __name__)

from pb.municipalities import views  # noqa: E402,F401
