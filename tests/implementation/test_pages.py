"""Residents see what became of each funded project: per consultation, per municipality and on
the proposal's page, updates in the language they were written in, marked when it is not the
reader's."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pb.extensions import db
from pb.models.implementation import Implementation, ImplementationStatus, ImplementationUpdate
from tests.implementation.helpers import make_photo


def keep(proposal, **values):
    row = Implementation(proposal_id=proposal.id, planned_cost=proposal.cost, **values)
    db.session.add(row)
    db.session.flush()
    return row


def post(row, text, language, day=date(2026, 6, 1), photos=()):
    db.session.add(
        ImplementationUpdate(
            implementation_id=row.id,
            posted_on=day,
            text=text,
            language=language,
            photos=list(photos),
        )
    )


def a_project_under_way(published):
    consultation, (p1, p2, p3, p4) = published
    row = keep(
        p1,
        status=ImplementationStatus.UNDER_WAY,
        actual_cost=380_000,
        community_labour="Ашар: 30 киши",
        started_on=date(2026, 5, 4),
    )
    post(row, "Түтүктөр келди.", "ky", date(2026, 6, 1), [make_photo("Жолдун жээгинде түтүктөр")])
    post(row, "Траншея вырыта.", "ru", date(2026, 6, 10))
    db.session.commit()
    return consultation, p1, p4


def test_the_consultation_page_shows_status_costs_and_updates_newest_first(client, published):
    consultation, p1, p4 = a_project_under_way(published)
    page = client.get(f"/c/{consultation.id}/implementation").get_data(as_text=True)
    assert "Under way" in page and "380,000\xa0som" in page and "Ашар: 30 киши" in page
    assert page.index("Траншея вырыта.") < page.index("Түтүктөр келди.")
    # The other funded projects, never edited, read as planned; the unfunded one is absent.
    assert page.count("Planned") >= 2 and "Project 4" not in page
    # The reader reads English: each update says in which language it is written.
    assert '<p class="prose" lang="ru">Траншея вырыта.</p>' in page
    assert "(in Russian)" in page and "(in Kyrgyz)" in page
    assert 'loading="lazy"' in page and 'alt="Жолдун жээгинде түтүктөр"' in page


def test_an_update_in_the_readers_language_is_not_marked(app, published):
    consultation, p1, p4 = a_project_under_way(published)
    reader = app.test_client()
    reader.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    page = reader.get(f"/c/{consultation.id}/implementation").get_data(as_text=True)
    assert "Траншея вырыта." in page and "(на русском)" not in page
    assert "Реализуется" in page or "В работе" in page or "Выполняется" in page
    ru_marker = page.split("Түтүктөр келди.")[0].rsplit("<time", 1)[1]
    assert "fallback" in ru_marker


def test_the_municipality_page_lists_every_published_consultation(client, world, published):
    consultation, p1, p4 = a_project_under_way(published)
    page = client.get(f"/m/{world.municipality.slug}/implementation").get_data(as_text=True)
    assert "Project 1" in page and "Траншея вырыта." in page and "Project 4" not in page
    other = client.get(f"/m/{world.other_municipality.slug}/implementation")
    assert other.status_code == 200 and "Project 1" not in other.get_data(as_text=True)
    assert client.get("/m/nowhere/implementation").status_code == 404


def test_the_proposals_page_has_a_section_only_when_funded(client, published):
    consultation, p1, p4 = a_project_under_way(published)
    page = client.get(f"/p/{p1.id}").get_data(as_text=True)
    assert "What became of it" in page and "Траншея вырыта." in page
    assert "What became of it" not in client.get(f"/p/{p4.id}").get_data(as_text=True)


def test_before_publication_nothing_is_shown(client, officer_client, world, published):
    from pb.models import Phase

    consultation, (p1, *_) = published
    consultation.phase = Phase.CLOSED
    db.session.commit()
    assert client.get(f"/c/{consultation.id}/implementation").status_code == 403
    assert "What became of it" not in officer_client.get(f"/p/{p1.id}").get_data(as_text=True)


def test_pages_are_light_and_read_few_queries(client, published, count_queries):
    consultation, p1, p4 = a_project_under_way(published)
    for path in (f"/c/{consultation.id}/implementation", f"/p/{p1.id}"):
        assert len(client.get(path).data) < 50_000
    with count_queries() as counter:
        client.get(f"/c/{consultation.id}/implementation")
    assert counter.count <= 12, counter.statements
    # The photos' bytes are never read to draw a page.
    assert not [s for s in counter.statements if "photo_files" in s]


def test_the_officers_page_lists_what_to_keep_for_her_only(client, officer_client, published):
    consultation, p1, p4 = a_project_under_way(published)
    public = client.get(f"/c/{consultation.id}/implementation").get_data(as_text=True)
    assert "implementation/keep" not in public
    mine = officer_client.get(f"/c/{consultation.id}/implementation").get_data(as_text=True)
    assert f"/c/{consultation.id}/implementation/keep" in mine
    assert db.session.scalars(select(Implementation)).all()  # only what the test kept
