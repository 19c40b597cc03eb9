"""Public control: residents report problems with funded projects, officers answer in public,
officers and council members hide with a public reason; throttled per account."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import AuditEntry, Photo, ProblemReport, ReportAnswer
from tests import factories
from tests.photos import images


@pytest.fixture
def projects(world):
    return factories.funded_and_unfunded(world.consultation)


@pytest.fixture
def funded(projects):
    return projects[0]


def report(client, proposal, text="The new road is already broken near the school.", **extra):
    data = {"text": text, "language": "ky", **extra}
    return client.post(f"/p/{proposal.id}/report", data=data, content_type="multipart/form-data")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def make_report(world, proposal, text="Жол бузулуп калды, мектептин жанында."):
    row = ProblemReport(
        proposal_id=proposal.id, author_id=world.resident.id, text=text, language="ky"
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_a_resident_reports_a_problem_and_everyone_reads_it(resident_client, client, funded):
    response = report(resident_client, funded)
    assert response.status_code == 302
    saved = db.session.scalars(select(ProblemReport)).one()
    assert response.location.endswith(f"/p/{funded.id}#report-{saved.id}")
    assert (saved.language, saved.photo_id) == ("ky", None)
    page = client.get(f"/p/{funded.id}").get_data(as_text=True)
    assert "The new road is already broken near the school." in page
    assert 'lang="ky"' in page
    # The resident's name is not shown.
    assert "Айзада" not in page


def test_a_report_may_bring_a_photo(resident_client, client, funded):
    response = report(
        resident_client,
        funded,
        photo=(io.BytesIO(images.with_gps()), "IMG_0001.jpg"),
        alt_text="A hole in the new asphalt",
    )
    assert response.status_code == 302
    saved = db.session.scalars(select(ProblemReport)).one()
    assert saved.photo is not None and saved.photo.alt_text == "A hole in the new asphalt"
    page = client.get(f"/p/{funded.id}").get_data(as_text=True)
    assert f'src="/photos/{saved.photo_id}/thumb"' in page and 'loading="lazy"' in page


def test_a_report_with_a_bad_photo_is_not_saved(resident_client, funded):
    response = report(
        resident_client, funded, photo=(io.BytesIO(b"PK\x03\x04 zip"), "a.jpg"), alt_text="x"
    )
    assert response.status_code == 200
    assert "This file is not a photo" in response.get_data(as_text=True)
    assert (count(ProblemReport), count(Photo)) == (0, 0)


def test_the_report_form_is_a_page_of_its_own(resident_client, funded):
    page = resident_client.get(f"/p/{funded.id}/report").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="text"' in page


@pytest.mark.parametrize("text", ["", "   ", "short", "x" * 2001])
def test_a_report_needs_a_text_of_reasonable_length(resident_client, funded, text):
    assert report(resident_client, funded, text=text).status_code == 200
    assert count(ProblemReport) == 0


def test_only_funded_projects_of_published_results_take_reports(resident_client, world, projects):
    _, unfunded = projects
    assert report(resident_client, unfunded).status_code == 404
    other = factories.make_consultation(world.municipality)
    proposal = factories.make_proposal(other)
    assert report(resident_client, proposal).status_code == 404
    assert count(ProblemReport) == 0
    assert "Problems reported" not in resident_client.get(f"/p/{unfunded.id}").get_data(
        as_text=True
    )


def test_a_resident_of_another_municipality_cannot_report(outsider_client, funded):
    assert report(outsider_client, funded).status_code == 403
    assert count(ProblemReport) == 0


def test_a_visitor_is_sent_to_log_in(client, funded):
    response = report(client, funded)
    assert response.status_code == 302 and "/login" in response.location
    assert "Residents can report a problem" in client.get(f"/p/{funded.id}").get_data(as_text=True)


def test_reports_are_throttled_per_account(app, resident_client, council_client, funded):
    limit = app.config["REPORTS_PER_HOUR"]
    for n in range(limit):
        assert report(resident_client, funded, text=f"Problem number {n} here").status_code == 302
    response = report(resident_client, funded, text="One more problem here")
    assert response.status_code == 429
    assert "Wait an hour" in response.get_data(as_text=True)
    # The text stays in the form, to send later.
    assert "One more problem here" in response.get_data(as_text=True)
    assert count(ProblemReport) == limit
    # Another account is not held back.
    assert report(council_client, funded).status_code == 302


def test_an_officer_answers_in_public_and_it_is_audited(officer_client, client, world, funded):
    row = make_report(world, funded)
    response = officer_client.post(
        f"/reports/{row.id}/answer",
        data={"text": "Подрядчик исправит до пятницы.", "language": "ru"},
    )
    assert response.status_code == 302
    answer = db.session.scalars(select(ReportAnswer)).one()
    assert (answer.author_id, answer.language) == (world.officer.id, "ru")
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.target_type, entry.target_id) == (
        "report.answer",
        "report",
        str(row.id),
    )
    assert entry.municipality_id == world.municipality.id
    page = client.get(f"/p/{funded.id}").get_data(as_text=True)
    assert "Подрядчик исправит до пятницы." in page
    assert "Answer of the municipality" in page


@pytest.mark.parametrize(
    "who", ["resident_client", "council_client", "outside_officer_client", "outsider_client"]
)
def test_only_officers_of_the_municipality_answer(request, world, funded, who):
    row = make_report(world, funded)
    client = request.getfixturevalue(who)
    response = client.post(
        f"/reports/{row.id}/answer", data={"text": "An answer", "language": "en"}
    )
    assert response.status_code == 403
    assert count(ReportAnswer) == 0


def test_an_empty_answer_gets_a_message(officer_client, world, funded):
    row = make_report(world, funded)
    response = officer_client.post(
        f"/reports/{row.id}/answer", data={"text": " ", "language": "en"}
    )
    page = officer_client.get(response.location).get_data(as_text=True)
    assert "Answer: Write from 2 to 2000 characters." in page
    assert (count(ReportAnswer), count(AuditEntry)) == (0, 0)


@pytest.mark.parametrize("who", ["officer", "council"])
def test_officers_and_council_members_hide_with_a_public_reason(app, client, world, funded, who):
    row = make_report(world, funded, text="Names and insults that must not stay")
    moderator = getattr(world, who)
    response = app.test_client(user=moderator).post(
        f"/reports/{row.id}/hide", data={"reason": "It named a private person."}
    )
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.hidden and row.hidden_by_id == moderator.id
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor_id) == ("report.hide", moderator.id)
    assert entry.after == {"hidden": True, "reason": "It named a private person."}
    for reader in (client, app.test_client(user=moderator)):
        page = reader.get(f"/p/{funded.id}").get_data(as_text=True)
        assert "Names and insults" not in page
        assert "Hidden by moderators: It named a private person." in page


def test_the_photo_of_a_hidden_report_is_no_longer_served(
    resident_client, officer_client, client, funded
):
    report(
        resident_client, funded, photo=(io.BytesIO(images.jpeg()), "a.jpg"), alt_text="A picture"
    )
    row = db.session.scalars(select(ProblemReport)).one()
    assert client.get(f"/photos/{row.photo_id}/large").status_code == 200
    officer_client.post(f"/reports/{row.id}/hide", data={"reason": "Not about this project."})
    assert client.get(f"/photos/{row.photo_id}/large").status_code == 404
    assert f"/photos/{row.photo_id}/" not in client.get(f"/p/{funded.id}").get_data(as_text=True)


@pytest.mark.parametrize("who", ["resident_client", "outside_officer_client"])
def test_residents_and_other_municipalities_cannot_hide(request, world, funded, who):
    row = make_report(world, funded)
    response = request.getfixturevalue(who).post(
        f"/reports/{row.id}/hide", data={"reason": "Because I can"}
    )
    assert response.status_code == 403
    db.session.refresh(row)
    assert not row.hidden


def test_hiding_needs_a_reason(officer_client, world, funded):
    row = make_report(world, funded)
    officer_client.post(f"/reports/{row.id}/hide", data={"reason": "  "})
    db.session.refresh(row)
    assert not row.hidden
    assert count(AuditEntry) == 0


def test_unknown_reports_are_404(officer_client, funded):
    assert officer_client.post("/reports/999999/answer", data={"text": "x"}).status_code == 404
    assert officer_client.post("/reports/999999/hide", data={"reason": "xxxxx"}).status_code == 404


def test_moderation_forms_show_to_those_who_may_use_them(
    officer_client, council_client, resident_client, world, funded
):
    make_report(world, funded)
    officer = officer_client.get(f"/p/{funded.id}").get_data(as_text=True)
    council = council_client.get(f"/p/{funded.id}").get_data(as_text=True)
    resident = resident_client.get(f"/p/{funded.id}").get_data(as_text=True)
    assert "Publish the answer" in officer and "Hide the report" in officer
    assert "Publish the answer" not in council and "Hide the report" in council
    assert "Publish the answer" not in resident and "Hide the report" not in resident
    assert "Report a problem" in resident


def test_the_project_page_costs_the_same_queries_however_many_reports(
    client, world, funded, count_queries
):
    from pb.models import ReportAnswer

    def reports_page_queries() -> int:
        with count_queries() as counter:
            assert client.get(f"/p/{funded.id}").status_code == 200
        return counter.count

    first = make_report(world, funded)
    db.session.add(
        ReportAnswer(report_id=first.id, author_id=world.officer.id, text="Ok", language="en")
    )
    db.session.commit()
    one = reports_page_queries()
    for n in range(4):
        row = make_report(world, funded, text=f"Another problem {n}")
        db.session.add(
            ReportAnswer(report_id=row.id, author_id=world.officer.id, text="Ok", language="en")
        )
    db.session.commit()
    assert reports_page_queries() == one
