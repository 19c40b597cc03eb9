from flask import Blueprint

bp = Blueprint("results", __name__)

# counting registers the results' part in a consultation's phase changes (pb.consultations.phases).
from pb.results import counting, views  # noqa: E402,F401
