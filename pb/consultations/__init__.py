from flask import Blueprint

bp = Blueprint("consultations", __name__)

from pb.consultations import views  # noqa: E402,F401  (and with them, pb.consultations.jobs)
