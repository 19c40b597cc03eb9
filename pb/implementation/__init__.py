"""After the vote: what became of each funded project, and the execution report for the council."""

from flask import Blueprint

bp = Blueprint("implementation", __name__)

from pb.implementation import views  # noqa: E402,F401
