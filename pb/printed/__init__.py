"""Printed matter for village meetings: the blank paper ballot, the blank proposal form and the
poster of a consultation, each in the language the village needs (pb.printing). The voting
code slips are voting's (pb.voting.views.slips), the protocol is results'."""

from flask import Blueprint

bp = Blueprint("printed", __name__)

from pb.printed import views  # noqa: E402,F401
