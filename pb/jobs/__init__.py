"""Background jobs: work that outgrows a request (importing a city's ``.pb`` file, closing and
publishing a vote of 100,000 ballots) runs in a worker, and its page shows how far it has got.

pb.jobs.queue is the queue (Huey), pb.jobs.kinds what each domain registers, pb.jobs.running
what a worker does with a job, pb.jobs.services how a view starts one.
"""

from flask import Blueprint

bp = Blueprint("jobs", __name__)

from pb.jobs import views  # noqa: E402,F401
