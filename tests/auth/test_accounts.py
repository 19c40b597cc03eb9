from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Gender, Role, User
from tests import factories


def register(client, slug="ak-suu", **fields):
    data = {
        "municipality_id": "",
        "display_name": "Гүлзат",
        "phone": "0700 111 222",
        "username": "",
        "password": "secret-pass",
        "confirm": "secret-pass",
        "locale": "ky",
        "gender": "",
        "birth_year": "",
        "village_id": "",
    }
    data.update(fields)
    return client.post(f"/register?m={slug}", data=data, headers={"Accept-Language": "en"})


def users_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_resident_registers_with_phone_and_is_logged_in(client, world):
    response = register(client, municipality_id=str(world.municipality.id))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.phone == "+996 700 111 222"))
    assert user is not None
    assert user.password_hash != "secret-pass" and user.check_password("secret-pass")
    assert user.has_role(world.municipality.id, Role.RESIDENT)
    assert user.gender is None and user.birth_year is None and user.village_id is None
    page = client.get("/account")
    assert page.status_code == 200


def test_resident_registers_with_user_name_and_optional_details(client, world):
    response = register(
        client,
        municipality_id=str(world.municipality.id),
        phone="",
        username="Aigul_2001",
        gender="female",
        birth_year="2001",
        village_id=str(world.village.id),
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "aigul_2001"))
    assert user.gender == Gender.FEMALE and user.birth_year == 2001
    assert user.village_id == world.village.id


def test_foreign_phone_number_is_refused_with_a_clear_message(client, world):
    before = users_count()
    response = register(client, municipality_id=str(world.municipality.id), phone="+7 701 123 4567")
    assert response.status_code == 200
    assert b"Only Kyrgyz phone numbers (+996) can be used" in response.data
    assert users_count() == before


def test_registration_needs_a_phone_or_a_user_name(client, world):
    response = register(client, municipality_id=str(world.municipality.id), phone="")
    assert b"Give a phone number or a user name." in response.data


def test_registration_refuses_a_taken_phone(client, world):
    before = users_count()
    response = register(client, municipality_id=str(world.municipality.id), phone="0555 123 456")
    assert b"This phone number already has an account." in response.data
    assert users_count() == before


def test_registration_refuses_a_village_of_another_municipality(client, world):
    foreign_village = world.other_municipality.villages[0]
    before = users_count()
    response = register(
        client, municipality_id=str(world.municipality.id), village_id=str(foreign_village.id)
    )
    assert response.status_code == 200
    assert users_count() == before


def test_registration_rejects_bad_input(client, world):
    before = users_count()
    cases = [
        {"password": "short", "confirm": "short"},
        {"confirm": "different-pass"},
        {"display_name": ""},
        {"display_name": "x" * 101},
        {"birth_year": "1800"},
        {"birth_year": "abc"},
        {"municipality_id": "999999"},
        {"municipality_id": "not-a-number"},
        # Beyond any database's integers: once an OverflowError in the lookup, a 500.
        {"municipality_id": "99999999999999999999"},
        {"village_id": "99999999999999999999"},
        {"village_id": "-3"},
        {"username": "a b", "phone": ""},
        {"username": "12345", "phone": ""},
        {"locale": "de"},
        {"gender": "other"},
    ]
    for case in cases:
        fields = {"municipality_id": str(world.municipality.id)}
        fields.update(case)
        response = register(client, **fields)
        assert response.status_code in (200, 400), case
        assert b'class="error"' in response.data or b"flash-error" in response.data, case
    assert users_count() == before


def test_login_with_phone_in_any_written_form(client, world):
    response = client.post("/login", data={"login": "0555123456", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_login_with_wrong_password_is_refused(client, world):
    response = client.post("/login", data={"login": "officer", "password": "wrong"})
    assert response.status_code == 200
    assert b"Wrong phone number, user name or password." in response.data
    assert client.get("/account").status_code == 302


def test_login_does_not_redirect_to_another_site(client, world):
    response = client.post(
        "/login?next=https://evil.example/",
        data={"login": "officer", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_logout_needs_post_and_ends_the_session(resident_client):
    assert resident_client.get("/logout").status_code == 405
    assert resident_client.post("/logout").status_code == 302
    assert resident_client.get("/account").status_code == 302


def test_change_password_logs_out_other_devices(app, world):
    phone = app.test_client(user=world.resident)
    other_device = app.test_client(user=world.resident)
    response = phone.post(
        "/account/password",
        data={
            "current": factories.PASSWORD,
            "password": "new-password-1",
            "confirm": "new-password-1",
        },
    )
    assert response.status_code == 302
    assert phone.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    db.session.refresh(world.resident)
    assert world.resident.check_password("new-password-1")


def test_change_password_needs_the_current_one(resident_client, world):
    response = resident_client.post(
        "/account/password",
        data={"current": "wrong-one", "password": "new-password-1", "confirm": "new-password-1"},
    )
    assert response.status_code == 200
    assert b"The current password is wrong." in response.data
    db.session.refresh(world.resident)
    assert world.resident.check_password(factories.PASSWORD)


def test_profile_edit_keeps_optional_fields_optional(resident_client, world):
    response = resident_client.post(
        "/account",
        data={
            "display_name": "Айзада М.",
            "locale": "ru",
            "gender": "",
            "birth_year": "",
            "village_id": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(world.resident)
    assert world.resident.display_name == "Айзада М."
    assert world.resident.locale == "ru"
    assert world.resident.gender is None and world.resident.birth_year is None
    assert world.resident.village_id is None


def test_profile_refuses_a_village_of_another_municipality(resident_client, world):
    foreign_village = world.other_municipality.villages[0]
    resident_client.post(
        "/account",
        data={"display_name": "X Y", "locale": "ru", "village_id": str(foreign_village.id)},
    )
    db.session.refresh(world.resident)
    assert world.resident.village_id == world.village.id


def test_create_admin_command(runner, app):
    result = runner.invoke(args=["create-admin", "--login", "root", "--password", "long-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "root"))
    assert user.is_admin and user.check_password("long-password")
    short = runner.invoke(args=["create-admin", "--login", "root2", "--password", "short"])
    assert short.exit_code != 0


def test_password_guessing_is_throttled(client, world):
    for _ in range(10):
        client.post("/login", data={"login": "officer", "password": "guess"})
    response = client.post("/login", data={"login": "officer", "password": factories.PASSWORD})
    assert response.status_code == 429
    assert "Too many tries" in response.get_data(as_text=True)
