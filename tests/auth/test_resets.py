"""One-time password reset codes: issued in person by an officer or an administrator, used once
by the person to set a new password."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from pb.auth import resets
from pb.errors import PermissionDenied
from pb.extensions import db
from pb.models import Membership, PasswordReset, Role
from pb.models.base import utcnow
from tests import factories

NEW_PASSWORD = "a brand new password"
RESIDENT_LOGIN = "0555 123 456"


def reset(client, code, login=RESIDENT_LOGIN, password=NEW_PASSWORD, confirm=None):
    return client.post(
        "/reset-password",
        data={
            "login": login,
            "code": code,
            "password": password,
            "confirm": password if confirm is None else confirm,
        },
    )


def refused(response):
    return response.status_code == 200 and "This code does not work" in response.get_data(
        as_text=True
    )


def resets_count():
    return db.session.scalar(select(func.count()).select_from(PasswordReset))


def issue_on_page(client, login):
    """The officer's two steps: find the account, then issue; returns the page and the code."""
    found = client.post("/accounts/reset", data={"login": login, "action": "find"})
    assert found.status_code == 200
    page = client.post("/accounts/reset", data={"login": login, "action": "issue"})
    match = re.search(r'class="receipt">([A-Z0-9-]+)<', page.get_data(as_text=True))
    return page, match.group(1) if match else None


def test_a_reset_code_works_once(client, world):
    issued = resets.issue_reset_code(world.officer, world.resident)
    response = reset(client, issued.grouped)
    assert response.status_code == 302
    db.session.refresh(world.resident)
    assert world.resident.check_password(NEW_PASSWORD)
    assert not world.resident.check_password(factories.PASSWORD)
    # Logged in on this device by the reset itself.
    assert client.get("/account").status_code == 200

    stranger = client.application.test_client()
    assert refused(reset(stranger, issued.grouped, password="someone else's password"))
    db.session.refresh(world.resident)
    assert world.resident.check_password(NEW_PASSWORD)


def test_officer_issues_a_code_on_the_page_and_it_works(officer_client, client, world):
    found = officer_client.post("/accounts/reset", data={"login": RESIDENT_LOGIN, "action": "find"})
    page = found.get_data(as_text=True)
    assert "Айзада" in page and "+996 555 123 456" in page and world.village.name in page
    assert "passport or ID card" in page
    assert resets_count() == 0  # finding issues nothing

    issued, code = issue_on_page(officer_client, RESIDENT_LOGIN)
    assert issued.status_code == 200 and code and re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert "no-store" in issued.headers["Cache-Control"]
    assert resets_count() == 1
    assert reset(client, code).status_code == 302


def test_the_code_is_forgiving_about_how_it_is_typed(client, world):
    issued = resets.issue_reset_code(world.admin, world.resident)
    # Lower case, a space instead of the dash, and Cyrillic look-alikes from a Kyrgyz keyboard.
    typed = (
        issued.code.lower()[:4]
        + " "
        + issued.code[4:].translate(str.maketrans("ACEHKMPTXY", "АСЕНКМРТХУ"))
    )
    assert reset(client, typed, login="+996555123456").status_code == 302


def test_a_reset_code_expires_after_24_hours(client, world, monkeypatch):
    issued = resets.issue_reset_code(world.officer, world.resident)
    row = db.session.scalars(select(PasswordReset)).one()
    assert row.expires_at - row.created_at == timedelta(hours=24)
    now = utcnow()
    monkeypatch.setattr(resets, "utcnow", lambda: now + timedelta(hours=24, seconds=1))
    assert refused(reset(client, issued.code))
    monkeypatch.setattr(resets, "utcnow", lambda: now + timedelta(hours=23, minutes=59))
    assert reset(client, issued.code).status_code == 302


def test_every_refusal_reads_the_same(client, world):
    issued = resets.issue_reset_code(world.officer, world.resident)
    row = db.session.scalars(select(PasswordReset)).one()
    wrong_code = reset(client, "ACDE-FGHJ")
    unknown_account = reset(client, issued.code, login="0700 000 001")
    someone_elses = reset(client, issued.code, login="council")
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = reset(client, issued.code)
    messages = {
        re.search(r'class="error" id="code-error">([^<]*)<', r.get_data(as_text=True)).group(1)
        for r in (wrong_code, unknown_account, someone_elses, expired)
    }
    assert len(messages) == 1


def test_wrong_codes_count_against_the_client(app, client, world):
    issued = resets.issue_reset_code(world.officer, world.resident)
    for i in range(10):
        assert refused(reset(client, f"WRNG{i:04d}", login="nobody"))
    response = reset(client, issued.code)
    assert response.status_code == 429
    assert "Too many tries" in response.get_data(as_text=True)
    db.session.refresh(world.resident)
    assert world.resident.check_password(factories.PASSWORD)
    # The person at another address is not held back by someone else's guessing.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "127.0.0.2"
    assert reset(other, issued.code).status_code == 302


def test_five_wrong_codes_void_the_account_code(app, world):
    issued = resets.issue_reset_code(world.officer, world.resident)
    for i in range(5):
        # From five addresses: the account's count holds whoever guesses.
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"127.0.0.{10 + i}"
        assert refused(reset(guesser, f"WRNG{i:04d}"))
    assert db.session.scalars(select(PasswordReset)).one().failures == 5
    assert refused(reset(app.test_client(), issued.code))
    db.session.refresh(world.resident)
    assert world.resident.check_password(factories.PASSWORD)


def test_a_bad_new_password_does_not_use_up_the_code(client, world):
    issued = resets.issue_reset_code(world.officer, world.resident)
    short = reset(client, issued.code, password="short")
    assert short.status_code == 200 and "Write from 8 to 128 characters." in short.get_data(
        as_text=True
    )
    mismatch = reset(client, issued.code, confirm="something else entirely")
    assert "The passwords do not match." in mismatch.get_data(as_text=True)
    row = db.session.scalars(select(PasswordReset)).one()
    assert row.used_at is None and row.failures == 0
    assert reset(client, issued.code).status_code == 302


def test_a_new_code_voids_the_earlier_one(client, world):
    first = resets.issue_reset_code(world.officer, world.resident)
    second = resets.issue_reset_code(world.officer, world.resident)
    assert refused(reset(client, first.code))
    assert reset(client, second.code).status_code == 302


def test_the_new_password_logs_out_other_devices(app, client, world):
    other_device = app.test_client(user=world.resident)
    assert other_device.get("/account").status_code == 200
    issued = resets.issue_reset_code(world.officer, world.resident)
    assert reset(client, issued.code).status_code == 302
    response = other_device.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/account").status_code == 200


def test_the_plain_code_is_not_stored(world):
    issued = resets.issue_reset_code(world.officer, world.resident)
    rows = db.session.execute(text("SELECT * FROM password_resets")).all()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    for form in (issued.code, issued.grouped, issued.code.lower()):
        assert form not in stored
    assert rows[0].digest != issued.code and len(rows[0].digest) == 64


def _staff_elsewhere_resident_here(world):
    """A resident of the officer's municipality who is an officer in another one."""
    user = factories.make_user(world.municipality, username="double")
    user.memberships.append(
        Membership(municipality_id=world.other_municipality.id, role=Role.OFFICER)
    )
    db.session.commit()
    return user


@pytest.mark.parametrize(
    "target", ["outsider", "council", "admin", "officer", "outside_officer", "double"]
)
def test_officer_issues_codes_only_for_residents_of_their_municipality(
    officer_client, world, target
):
    account = (
        _staff_elsewhere_resident_here(world) if target == "double" else getattr(world, target)
    )
    with pytest.raises(PermissionDenied):
        resets.issue_reset_code(world.officer, account)
    for action in ("find", "issue"):
        page = officer_client.post(
            "/accounts/reset", data={"login": account.login_name, "action": action}
        ).get_data(as_text=True)
        assert "No account with this phone number or user name" in page
        assert "Account found" not in page and "One-time code for" not in page
    assert resets_count() == 0


def test_an_officer_cannot_tell_others_accounts_from_missing_ones(officer_client, world):
    def answer(login):
        page = officer_client.post("/accounts/reset", data={"login": login, "action": "find"})
        return page.get_data(as_text=True).replace(login, "LOGIN")

    assert answer(world.outsider.login_name) == answer("nobody_here")


@pytest.mark.parametrize("target", ["resident", "outsider", "council", "officer", "admin"])
def test_admin_issues_codes_for_anyone(admin_client, app, world, target):
    account = getattr(world, target)
    page, code = issue_on_page(admin_client, account.login_name)
    assert code, page.get_data(as_text=True)
    assert reset(app.test_client(), code, login=account.login_name).status_code == 302


@pytest.mark.parametrize("who", ["resident_client", "council_client", "outsider_client"])
def test_residents_and_council_cannot_issue_codes(request, world, who):
    client = request.getfixturevalue(who)
    assert client.get("/accounts/reset").status_code == 403
    response = client.post("/accounts/reset", data={"login": RESIDENT_LOGIN, "action": "issue"})
    assert response.status_code == 403
    assert resets_count() == 0
    with pytest.raises(PermissionDenied):
        resets.issue_reset_code(getattr(world, who.removesuffix("_client")), world.resident)


def test_visitors_are_sent_to_log_in_to_issue_codes(client, world):
    for response in (
        client.get("/accounts/reset"),
        client.post("/accounts/reset", data={"login": RESIDENT_LOGIN, "action": "issue"}),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert resets_count() == 0


def test_officers_and_admins_find_the_page_from_theirs(officer_client, admin_client, world):
    assert "/accounts/reset" in officer_client.get("/m/ak-suu").get_data(as_text=True)
    assert "/accounts/reset" in admin_client.get("/admin/").get_data(as_text=True)


def test_forgot_password_page_says_whom_to_ask(client, world):
    assert "/forgot-password" in client.get("/login").get_data(as_text=True)
    world.municipality.contact_office = "Айыл өкмөтү, 2-кабинет"
    world.municipality.contact_phone = "0312 55 55 55"
    world.municipality.contact_hours = "Дш–Жм 9:00–17:00"
    world.other_municipality.contact_office = ""
    db.session.commit()
    page = client.get("/forgot-password").get_data(as_text=True)
    assert "Айыл өкмөтү, 2-кабинет" in page and "0312 55 55 55" in page
    assert "Дш–Жм 9:00–17:00" in page
    assert world.municipality.name_en in page and world.other_municipality.name_en not in page
    assert "/reset-password" in page
    ky = client.get("/forgot-password", headers={"Accept-Language": "ky"}).get_data(as_text=True)
    assert "Сырсөзүңүздү унутуп калдыңызбы?" in ky


def test_posts_without_a_csrf_token_are_refused(csrf_app):
    world = factories.build_world()
    issued = resets.issue_reset_code(world.officer, world.resident)
    visitor = csrf_app.test_client()
    assert reset(visitor, issued.code).status_code == 400
    officer = csrf_app.test_client(user=world.officer)
    response = officer.post("/accounts/reset", data={"login": RESIDENT_LOGIN, "action": "issue"})
    assert response.status_code == 400
    assert resets_count() == 1
    db.session.refresh(world.resident)
    assert world.resident.check_password(factories.PASSWORD)
