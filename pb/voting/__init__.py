from flask import Blueprint

bp = Blueprint("voting", __name__)

# services registers voting's part in a consultation's phase changes (pb.consultations.phases).
from pb.voting import services, views  # noqa: E402,F401
