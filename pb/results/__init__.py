from flask import Blueprint

bp = Blueprint("results", __name__)

# counting registers the results' part in a consultation's phase changes (pb.consultations.phases).
# ballots_file registers after it: the file is written from the stored count.
from pb.results import ballots_file, counting, views  # noqa: E402,F401
