"""Public control of funded projects: problem reports, answers and moderation."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from pb.reports import views  # noqa: E402,F401
