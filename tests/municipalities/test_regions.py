"""A municipality's region is written in each language, as its name is, and each reader sees
hers (Russian pages no longer show the Kyrgyz "облусу")."""

from sqlalchemy import select

from pb.extensions import db
from pb.models import Municipality
from tests import factories
from tests.municipalities.test_admin import municipality_form


def test_admin_gives_the_region_in_each_language(admin_client, world):
    response = admin_client.post(
        "/admin/municipalities/new",
        data=municipality_form(
            region="Ош облусу, Кара-Суу району",
            region_ru="Ошская область, Кара-Суйский район",
            region_en="Osh Region, Kara-Suu District",
        ),
    )
    assert response.status_code == 302
    saved = db.session.scalar(select(Municipality).where(Municipality.slug == "kara-suu"))
    assert saved.region == saved.region_ky == "Ош облусу, Кара-Суу району"
    assert saved.region_ru == "Ошская область, Кара-Суйский район"
    assert saved.region_en == "Osh Region, Kara-Suu District"
    form = admin_client.get(f"/admin/municipalities/{saved.id}/edit").get_data(as_text=True)
    assert "Ошская область, Кара-Суйский район" in form


def test_admin_form_offers_the_region_in_three_languages(admin_client, world):
    page = admin_client.get("/admin/municipalities/new").get_data(as_text=True)
    for name in ("region", "region_ru", "region_en"):
        assert f'name="{name}"' in page


def _with_regions(**regions):
    municipality = factories.make_municipality()
    for key, value in regions.items():
        setattr(municipality, key, value)
    db.session.commit()
    return municipality


def test_each_reader_sees_the_region_in_her_language(app, client):
    m = _with_regions(region="Ысык-Көл облусу", region_ru="Иссык-Кульская область")
    for language, shown, hidden in (
        ("ru", "Иссык-Кульская область", "Ысык-Көл облусу"),
        ("ky", "Ысык-Көл облусу", "Иссык-Кульская область"),
    ):
        for path in (f"/m/{m.slug}", "/"):
            page = client.get(path, headers={"Accept-Language": language}).get_data(as_text=True)
            assert shown in page and hidden not in page, (language, path)


def test_a_region_given_in_one_language_only_says_which(app, client):
    m = _with_regions(region="Нарын облусу")
    page = client.get(f"/m/{m.slug}", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<span lang="ky">Нарын облусу</span>' in page
