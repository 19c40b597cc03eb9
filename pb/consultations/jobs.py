"""Closing voting and publishing the results run as background jobs: they seal and count every
ballot (100,000 of them in a city: longer than a request may take). The officer confirms the
move as before; the job makes it, in one transaction, so voting is either still open or closed
and sealed, never half; a failed or stopped one is simply tried again."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from pb.consultations import services
from pb.errors import RuleViolation
from pb.extensions import db
from pb.jobs import kinds
from pb.jobs.kinds import Report
from pb.models import Consultation, Job, Phase, User

#: The moves that run as jobs, by the phase they lead to, and the job kind of each.
MOVES_RUN_AS_JOBS = {Phase.CLOSED: "close-voting", Phase.PUBLISHED: "publish-results"}


def _move(job: Job, actor: User, report: Report) -> None:
    consultation = db.session.get(Consultation, job.consultation_id)
    if consultation is None:
        raise RuleViolation(_l("This consultation no longer exists."))
    expected, reason = Phase(job.params["expected"]), job.params.get("reason")
    target, _reason = services.check_advance(actor, consultation, expected, reason)
    job.result = {"phase": target.value}  # saved with the move, by its commit
    services.advance_phase(actor, consultation, expected, reason, progress=report)


def _consultation_page(job: Job) -> str:
    return url_for("consultations.show", consultation_id=job.consultation_id)


_TITLES = {Phase.CLOSED: _l("Closing voting"), Phase.PUBLISHED: _l("Publishing the results")}

for _phase, _name in MOVES_RUN_AS_JOBS.items():
    kinds.register(
        kinds.JobKind(
            name=_name,
            title=_TITLES[_phase],
            run=_move,
            next_url=_consultation_page,
            back_url=_consultation_page,
        )
    )
