from flask import Blueprint

bp = Blueprint("voting", __name__)

# services registers voting's part in a consultation's phase changes (pb.consultations.phases),
# closing says what closing will do.
from pb.voting import closing, services, views  # noqa: E402,F401
