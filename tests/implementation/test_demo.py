"""`make run` shows what became of funded projects at once: the demo has a published
consultation whose projects are under way and completed, with updates in ky/ru/en and photos."""

from sqlalchemy import select

from pb.extensions import db
from pb.models import Consultation, Phase
from pb.models.implementation import Implementation, ImplementationStatus, ImplementationUpdate


def test_the_demo_shows_projects_under_way_with_photos_in_three_languages(app, runner):
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    published = db.session.scalars(
        select(Consultation).where(Consultation.phase == Phase.PUBLISHED)
    ).one()
    statuses = {i.status for i in db.session.scalars(select(Implementation))}
    assert {ImplementationStatus.UNDER_WAY, ImplementationStatus.COMPLETED} <= statuses
    updates = db.session.scalars(select(ImplementationUpdate)).all()
    assert {u.language for u in updates} == {"ky", "ru", "en"}
    photo = next(p for u in updates for p in u.photos)
    client = app.test_client()
    page = client.get(f"/c/{published.id}/implementation").get_data(as_text=True)
    assert "Under way" in page and "Completed" in page
    assert f"/photos/{photo.id}/thumb" in page and f'alt="{photo.alt_text}"' in page
    assert client.get(f"/photos/{photo.id}/thumb").status_code == 200
    assert client.get("/m/ak-suu/implementation").status_code == 200
    report = client.get(f"/c/{published.id}/execution-report?lang=ky+ru")
    assert report.status_code == 200 and "Аяктады" in report.get_data(as_text=True)
