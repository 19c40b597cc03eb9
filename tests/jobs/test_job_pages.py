"""A job's page, in process (the tests' queue runs each job where it starts): who may follow
it, what it says of a failure in each reader's language, and trying again."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import AuditEntry, Consultation, Job, JobState, StoredFile


def _import(client, world, content: bytes):
    return client.post(
        "/m/ak-suu/import",
        data={"file": (io.BytesIO(content), "past.pb"), "village_id": str(world.village.id)},
        content_type="multipart/form-data",
    )


def test_a_failed_import_says_why_in_each_readers_language(officer_client, world):
    job_page = _import(officer_client, world, b"not a pb file").headers["Location"]
    said = {
        language: officer_client.get(f"{job_page}?lang={language}").get_data(as_text=True)
        for language in ("ky", "ru", "en")
    }
    # Said when the job failed, in the worker; read later, each in her own language, down to
    # the line the file went wrong on.
    assert (
        "Бул файлды окуу мүмкүн эмес: 1-сап: файл META деген сап менен башталышы керек."
        in said["ky"]
    )
    assert (
        "Не удаётся прочитать файл: строка 1: файл должен начинаться со строки META." in said["ru"]
    )
    assert "line 1: the file must begin with a line reading META." in said["en"]
    job = db.session.scalars(select(Job)).one()
    assert job.state == JobState.FAILED and job.input_file_id is not None  # kept to try again
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 1


def test_only_officers_of_its_municipality_follow_a_job(
    officer_client, outside_officer_client, resident_client, council_client, app, world
):
    job_page = _import(officer_client, world, b"not a pb file").headers["Location"]
    for client in (outside_officer_client, resident_client, council_client):
        assert client.get(job_page).status_code == 404
        assert client.get(f"{job_page}/progress.json").status_code == 404
        assert client.post(f"{job_page}/retry").status_code == 404
    # Anonymous visitors are sent to log in.
    assert app.test_client().get(job_page).status_code == 302
    assert officer_client.get(job_page).status_code == 200
    assert officer_client.get("/jobs/999999").status_code == 404


def test_a_done_job_is_not_run_again(officer_client, world):
    job_page = _import(officer_client, world, b"not a pb file").headers["Location"]
    job = db.session.scalars(select(Job)).one()
    job.state = JobState.DONE
    db.session.commit()
    entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
    page = officer_client.post(f"{job_page}/retry", follow_redirects=True).get_data(as_text=True)
    assert "This work is done already." in page
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == entries
    state = officer_client.get(f"{job_page}/progress.json").get_json()
    assert state["finished"] is True and state["state"] == "done"


@pytest.mark.parametrize("attempts", [1, 2])
def test_a_failed_job_tried_again_runs_as_asked_and_is_audited(officer_client, world, attempts):
    job_page = _import(officer_client, world, b"not a pb file").headers["Location"]
    for _ in range(attempts):
        officer_client.post(f"{job_page}/retry")
    job = db.session.scalars(select(Job)).one()
    assert (job.state, job.attempts) == (JobState.FAILED, 1 + attempts)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["job.start"] + ["job.retry"] * attempts
    # One upload kept, however often it is tried.
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1


def test_an_import_leads_to_its_consultation_and_keeps_no_upload(officer_client, world):
    text = (
        "META\nkey;value\ndescription;Past vote\nnum_projects;2\nnum_votes;3\nbudget;100\n"
        "vote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost;name\n1;60;Road\n2;50;Well\n"
        "VOTES\nvoter_id;vote\n1;1\n2;1,2\n3;2\n"
    )
    job_page = _import(officer_client, world, text.encode()).headers["Location"]
    job = db.session.scalars(select(Job)).one()
    imported = db.session.scalars(select(Consultation).order_by(Consultation.id.desc())).first()
    assert job.state == JobState.DONE
    assert (
        job.result == {"consultation_id": imported.id} == {"consultation_id": job.consultation_id}
    )
    assert imported.title_en == "Past vote"
    page = officer_client.get(job_page).get_data(as_text=True)
    assert f'href="/c/{imported.id}"' in page
    # The upload is gone; the one file kept is the anonymous ballots', written with the count.
    (kept,) = db.session.scalars(select(StoredFile)).all()
    assert kept.name == f"pb-{imported.id}-ballots.pb"


def test_closing_voting_reports_each_step_it_has_done(officer_client, world, monkeypatch):
    """A close's job page says how many of its steps are done (sealing, counting, the file):
    each step reported as it ends, and the last report is all of them."""
    from pb.consultations import phases
    from pb.jobs import queue, running
    from pb.models import Phase
    from tests import factories
    from tests.voting.test_secrecy import close

    factories.open_voting(world.consultation)
    steps = len(phases.reactions_to(Phase.CLOSED))
    assert steps >= 3
    heard: list[tuple[int, int]] = []
    report = queue.report_progress

    def listening(job_id: int, done: int, total: int) -> None:
        heard.append((done, total))
        report(job_id, done, total)

    monkeypatch.setattr(queue, "report_progress", listening)
    # Every report passed on, not one a second as a worker does.
    monkeypatch.setattr(running, "REPORT_EVERY_SECONDS", 0)
    close(officer_client, world.consultation)
    assert [(n, steps) for n in range(steps + 1)] == [h for h in heard if h[1] == steps]
    job = db.session.scalars(select(Job)).one()
    page = officer_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Done." in page
