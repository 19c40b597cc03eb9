from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb.errors import RuleViolation
from pb.extensions import db
from pb.i18n import format_number
from pb.jobs import bp, queue, services
from pb.jobs.kinds import KINDS, JobKind
from pb.models import Job, JobState


def _job_or_404(job_id: int) -> tuple[Job, JobKind]:
    job = db.session.get(Job, job_id)
    if job is None or job.kind not in KINDS:
        abort(404)
    kind = KINDS[job.kind]
    if not kind.may_follow(current_user, job):
        # Not 403: whether a job exists is not for others to learn.
        abort(404)
    return job, kind


@bp.route("/jobs/<int:job_id>")
@login_required
def show(job_id: int) -> str:
    job, kind = _job_or_404(job_id)
    return render_template(
        "jobs/show.html",
        job=job,
        kind=kind,
        progress=(now := queue.progress_of(job.id)),
        status_line=_status_line(job, now),
        stalled=services.stalled(job),
    )


@bp.route("/jobs/<int:job_id>/progress.json")
@login_required
def progress(job_id: int) -> Response:
    """For the page's script, which shows the figures as they come and reloads the page once
    the job has ended (without JavaScript the page reloads itself every few seconds)."""
    job, _kind = _job_or_404(job_id)
    now = queue.progress_of(job.id)
    response = jsonify(
        state=job.state.value,
        finished=job.finished,
        stalled=services.stalled(job),
        percent=now.percent,
        status=_status_line(job, now),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@login_required
def retry(job_id: int) -> Response:
    job, _kind = _job_or_404(job_id)
    try:
        services.retry(current_user, job)
    except RuleViolation as error:
        flash(str(error.message), "error")
    return redirect(url_for("jobs.show", job_id=job.id))


def _status_line(job: Job, now: queue.Progress) -> str:
    """How far the job has got, in the reader's language (the page's script shows the same)."""
    if job.state == JobState.QUEUED:
        return _("Waiting for its turn…")
    if now.total:
        return _(
            "%(done)s of %(total)s done.",
            done=format_number(now.done),
            total=format_number(now.total),
        )
    return _("Under way…")


@bp.app_template_global()
def job_states() -> type[JobState]:
    return JobState
