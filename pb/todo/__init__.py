"""What's next, for each role: a resident's proposals and votes, what waits for an officer,
the results a council has to decide on; and the notices a resident reads on her next visit."""

from flask import Blueprint

bp = Blueprint("todo", __name__)

from pb.todo import views  # noqa: E402,F401
