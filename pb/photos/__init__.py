"""Photos: uploads turned into a few web sizes, stored in the database and served cached."""

from flask import Blueprint

bp = Blueprint("photos", __name__)

from pb.photos import views  # noqa: E402,F401
