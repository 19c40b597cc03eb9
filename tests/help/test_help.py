"""Help for residents: how it works, whom to ask, what is kept about them."""

from __future__ import annotations

import pytest

from pb.extensions import db
from pb.models import AuditEntry
from tests import factories


def _contact(municipality, **fields):
    values = {
        "contact_name": "Айгүл Асанова",
        "contact_phone": "0 3945 5 12 34",
        "contact_office": "Ак-Суу айыл өкмөтү, 2-бөлмө",
        "contact_hours": "Дүйшөмбү–жума, 9:00–17:00",
    }
    values.update(fields)
    for name, value in values.items():
        setattr(municipality, name, value)
    db.session.commit()


@pytest.mark.parametrize(
    "language, words",
    [
        ("ky", ["Бул кантип иштейт", "Сунуш жөнөтүңүз", "Код менен", "Тастыктамаңызды"]),
        ("ru", ["Как это работает", "Отправьте предложение", "По коду", "квитанцию"]),
        ("en", ["How it works", "Send a proposal", "With a code", "Check your receipt"]),
    ],
)
def test_how_it_works_in_each_language(client, world, language, words):
    page = client.get("/help", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    for word in words:
        assert word in page


def test_every_page_links_to_help_and_privacy(client, resident_client, world):
    for c, path in ((client, "/"), (resident_client, "/account"), (client, "/m/ak-suu")):
        page = c.get(path).get_data(as_text=True)
        assert 'href="/help"' in page and 'href="/privacy"' in page


@pytest.mark.parametrize(
    "language, words",
    [
        ("ky", ["Сиз жөнүндө эмнени сактайбыз", "эч ким көрбөйт", "өчүрүүнү"]),
        ("ru", ["Что мы храним о вас", "не видит никто", "удалить её"]),
    ],
)
def test_the_privacy_notice_is_on_the_registration_page(client, world, language, words):
    page = client.get("/register", headers={"Accept-Language": language}).get_data(as_text=True)
    for word in words:
        assert word in page
    assert 'href="/privacy"' in page


def test_the_privacy_page_says_what_who_and_how_long(client, world):
    page = client.get("/privacy").get_data(as_text=True)
    for words in (
        "phone number or user name",
        "gender, year of birth and village",
        "officers of your ayil okmotu",
        "Nobody sees how you voted.",
        "never deletes accounts by itself",
        "ask the officer of your ayil okmotu",
    ):
        assert words in page


def test_the_contact_shows_on_the_municipality_and_consultation_pages(client, world):
    _contact(world.municipality)
    for path in (f"/m/{world.municipality.slug}", f"/c/{world.consultation.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "Айгүл Асанова" in page and "0 3945 5 12 34" in page
        assert "2-бөлмө" in page and "9:00–17:00" in page
    page = client.get(f"/m/{world.other_municipality.slug}").get_data(as_text=True)
    assert "Айгүл Асанова" not in page and "Ask at the office of the ayil okmotu" in page


def test_the_help_page_shows_the_contact_of_the_readers_municipality(
    client, outsider_client, resident_client, world
):
    _contact(world.municipality)
    _contact(world.other_municipality, contact_name="Бакыт Токтогулов")
    assert "Айгүл Асанова" in resident_client.get("/help").get_data(as_text=True)
    page = outsider_client.get("/help").get_data(as_text=True)
    assert "Бакыт Токтогулов" in page and "Айгүл Асанова" not in page
    page = client.get("/help", query_string={"m": "ton"}).get_data(as_text=True)
    assert "Бакыт Токтогулов" in page and "Айгүл Асанова" not in page
    page = client.get("/help").get_data(as_text=True)
    assert "Бакыт Токтогулов" in page and "Айгүл Асанова" in page
    assert client.get("/help", query_string={"m": "x" * 500}).status_code == 200


def test_the_officer_saves_the_name_with_the_contact(officer_client, world):
    response = officer_client.post(
        f"/m/{world.municipality.slug}/contacts",
        data={
            "contact_name": " Айгүл Асанова ",
            "contact_office": "2-бөлмө",
            "contact_phone": "0555 123 456",
            "contact_hours": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(world.municipality)
    assert world.municipality.contact_name == "Айгүл Асанова"
    entry = db.session.query(AuditEntry).filter_by(action="contacts.save").one()
    assert entry.after["name"] == "Айгүл Асанова"
    assert "Айгүл Асанова" in officer_client.get("/m/ak-suu").get_data(as_text=True)


def test_an_overlong_name_is_refused_with_a_message(officer_client, world):
    response = officer_client.post(
        f"/m/{world.municipality.slug}/contacts", data={"contact_name": "А" * 101}
    )
    assert response.status_code == 200
    assert "at most 100 characters" in response.get_data(as_text=True)
    db.session.refresh(world.municipality)
    assert world.municipality.contact_name is None


@pytest.mark.parametrize("client_name", ["resident_client", "outside_officer_client"])
def test_only_the_municipalitys_officers_set_the_contact(request, world, client_name):
    client = request.getfixturevalue(client_name)
    response = client.post(
        f"/m/{world.municipality.slug}/contacts", data={"contact_name": "Someone"}
    )
    assert response.status_code == 403
    db.session.refresh(world.municipality)
    assert world.municipality.contact_name is None


def test_an_officer_without_a_contact_still_has_a_place_to_ask(client, world):
    factories.make_consultation(world.other_municipality)
    page = client.get("/help").get_data(as_text=True)
    assert "Ask at the office of your ayil okmotu." in page
