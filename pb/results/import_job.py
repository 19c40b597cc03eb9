"""Importing a ``.pb`` file runs as a background job: a city's file (Łódź 2022: 3.7 MB, 90,494
voters) takes longer to read, insert and count than a request may last. The upload is stored in
the database as it arrives (pb.jobs.files), so that a worker on any host reads it, a chunk at a
time; the job reports the ballots inserted so far."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from pb.errors import RuleViolation
from pb.extensions import db
from pb.jobs import files, kinds
from pb.jobs.kinds import Report
from pb.models import Consultation, Job, Municipality, User
from pb.results import imports

KIND = "import-pb"


def _import(job: Job, actor: User, report: Report) -> None:
    municipality = db.session.get(Municipality, job.municipality_id)
    if municipality is None or job.input_file_id is None:
        raise RuleViolation(_l("The file to import is no longer kept. Send it again."))
    upload = job.input_file

    def record(consultation: Consultation) -> None:
        # Saved by the import's own commit, with the consultation; the upload goes with it
        # (a failed import keeps it, to be tried again).
        job.result = {"consultation_id": consultation.id}
        job.consultation_id = consultation.id

    imports.import_pb(
        actor,
        municipality,
        files.chunks_of(job.input_file_id),
        int(job.params["village_id"]),
        progress=report,
        created=record,
    )
    # After the import's commit (it read the upload to its end only then): the upload is not
    # needed any more. Were the worker stopped just here, the file would only be kept longer.
    job.input_file = None
    db.session.delete(upload)
    db.session.commit()


def _next(job: Job) -> str:
    if job.result and "consultation_id" in job.result:
        return url_for("consultations.show", consultation_id=job.result["consultation_id"])
    return _back(job)


def _back(job: Job) -> str:
    municipality = db.session.get(Municipality, job.municipality_id)
    return url_for("results.import_file", slug=municipality.slug if municipality else "")


kinds.register(
    kinds.JobKind(
        name=KIND, title=_l("Importing a .pb file"), run=_import, next_url=_next, back_url=_back
    )
)
