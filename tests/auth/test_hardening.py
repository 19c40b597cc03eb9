"""Accounts as an attacker probes them (issue 15, part 12): login timing, registration that
tells nothing more than it must, sessions that end on the server, a CSRF token that changes at
login, easy passwords refused, lookalike phone numbers, receipt checks by POST, huge ids in
paths, and owner-only files in instance/."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess

import pytest
from flask import url_for
from sqlalchemy import func, select

import pb
from pb.auth import passwords, resets, services
from pb.auth.sessions import load_user
from pb.extensions import db
from pb.models import Municipality, Phase, ThrottleEvent, User
from tests import factories

RESIDENT_PHONE = "0555 123 456"  # the world's resident


def log_in(client, login=RESIDENT_PHONE, password=factories.PASSWORD, remember=False):
    data = {"login": login, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def logged_in(client):
    return client.get("/account").status_code == 200


def cookie(client, name):
    found = client.get_cookie(name, domain="pb.test")
    assert found is not None, name
    return found.value


def client_with(app, **cookies):
    """A new browser holding copies of another's cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value, domain="pb.test")
    return other


def register(client, **fields):
    data = {
        "municipality_id": str(
            db.session.scalar(select(Municipality.id).where(Municipality.slug == "ak-suu"))
        ),
        "display_name": "Гүлзат Асанова",
        "phone": "0700 111 222",
        "username": "",
        "password": "a long walk to Naryn",
        "confirm": None,
        "locale": "ky",
    }
    data.update(fields)
    if data["confirm"] is None:
        data["confirm"] = data["password"]
    return client.post("/register", data=data)


# --- 1. Login takes as long for an unknown phone as for a known one ---


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash werkzeug is asked to check, in order."""
    checked: list[str] = []
    real = services.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    monkeypatch.setattr("pb.models.users.check_password_hash", counting)
    return checked


@pytest.mark.parametrize("login", ["0700 999 999", "nobody_here", "+996 12", "0555 12 34 5x"])
def test_a_login_for_an_unknown_account_checks_a_password_hash(client, world, hash_checks, login):
    response = log_in(client, login=login, password="some guess")
    assert response.status_code == 200
    assert "Wrong phone number, user name or password." in response.get_data(as_text=True)
    # The same work as for a known account: one hash, made with the site's own method.
    assert len(hash_checks) == 1
    assert hash_checks[0].startswith("pbkdf2:sha256:1000$")


def test_a_login_for_a_known_account_checks_its_own_hash(client, world, hash_checks):
    assert log_in(client, password="some guess").status_code == 200
    assert hash_checks == [world.resident.password_hash]
    assert log_in(client).status_code == 302
    assert len(hash_checks) == 2


def test_the_stand_in_hash_is_made_once_per_method(app, world, hash_checks, monkeypatch):
    made = []
    real = services.generate_password_hash
    monkeypatch.setattr(
        services,
        "generate_password_hash",
        lambda password, method: made.append(method) or real(password, method=method),
    )
    monkeypatch.setattr(services, "_DUMMY_HASHES", {})
    for _ in range(3):
        assert services.authenticate("0700 999 999", "guess") is None
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:2000"
    assert services.authenticate("0700 999 999", "guess") is None
    assert made == ["pbkdf2:sha256:1000", "pbkdf2:sha256:2000"]
    assert hash_checks[-1].startswith("pbkdf2:sha256:2000$")


# --- 2. Registration: throttled, and says no more than that the phone has an account ---


def test_a_taken_phone_offers_a_way_in_and_names_no_one(client, world):
    page = register(client, phone=RESIDENT_PHONE).get_data(as_text=True)
    assert "This phone number already has an account." in page
    assert "log in" in page and "set a new password" in page
    assert world.resident.display_name not in page


def test_trying_taken_phones_is_throttled_per_address(app, client, world):
    for _ in range(10):
        response = register(client, phone=RESIDENT_PHONE)
        assert response.status_code == 200
    users = db.session.scalar(select(func.count()).select_from(User))
    # Now even a free number is refused from this address, with the 429 page...
    refused = register(client, phone="0700 111 333")
    assert refused.status_code == 429
    assert "Too many tries" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    # ...and another address registers as usual.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert register(other, phone="0700 111 333").status_code == 302


def test_a_taken_user_name_counts_as_a_failure_too(client, world):
    register(client, phone="", username=world.officer.username)
    assert db.session.scalar(select(func.count()).select_from(ThrottleEvent)) == 1


def test_a_village_registering_from_one_address_is_not_throttled(app, world):
    # After a village meeting, many residents sign up behind one mobile operator's address.
    for n in range(12):
        neighbour = app.test_client()
        response = register(neighbour, phone=f"0700 200 {n:03d}", display_name=f"Сосед {n}")
        assert response.status_code == 302, n
    assert db.session.scalar(select(func.count()).select_from(ThrottleEvent)) == 0


def test_a_registration_with_bad_input_counts_nothing(client, world):
    for _ in range(12):
        assert register(client, password="short", confirm="short").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ThrottleEvent)) == 0


# --- 3. Logging out or changing the password ends the session on the server ---


def test_a_copied_session_cookie_stops_working_after_logout(app, client, world):
    assert log_in(client).status_code == 302
    copy = client_with(app, session=cookie(client, "session"))
    assert logged_in(copy)
    client.post("/logout")
    assert not logged_in(client)
    assert not logged_in(copy)


def test_a_copied_remember_cookie_stops_working_after_logout(app, client, world):
    assert log_in(client, remember=True).status_code == 302
    copy = client_with(app, remember_token=cookie(client, "remember_token"))
    assert logged_in(copy)
    client.post("/logout")
    assert not logged_in(client_with(app, remember_token=cookie(copy, "remember_token")))


def test_a_password_change_ends_copied_cookies_but_keeps_this_device(app, client, world):
    assert log_in(client, remember=True).status_code == 302
    old_session = cookie(client, "session")
    old_remember = cookie(client, "remember_token")
    response = client.post(
        "/account/password",
        data={
            "current": factories.PASSWORD,
            "password": "a long walk to Naryn",
            "confirm": "a long walk to Naryn",
        },
    )
    assert response.status_code == 302
    assert logged_in(client)
    assert not logged_in(client_with(app, session=old_session))
    assert not logged_in(client_with(app, remember_token=old_remember))
    # This device's own remember-me cookie was renewed with the new token.
    assert logged_in(client_with(app, remember_token=cookie(client, "remember_token")))


def test_a_password_reset_ends_copied_cookies(app, client, world):
    assert log_in(client, remember=True).status_code == 302
    old_session = cookie(client, "session")
    old_remember = cookie(client, "remember_token")
    issued = resets.issue_reset_code(world.officer, world.resident)
    # Issuing the code alone logs no one out: the person may still be logged in somewhere.
    assert logged_in(client_with(app, session=old_session))
    response = app.test_client().post(
        "/reset-password",
        data={
            "login": RESIDENT_PHONE,
            "code": issued.code,
            "password": "a long walk to Naryn",
            "confirm": "a long walk to Naryn",
        },
    )
    assert response.status_code == 302
    assert not logged_in(client_with(app, session=old_session))
    assert not logged_in(client_with(app, remember_token=old_remember))


def test_the_session_carries_the_id_and_the_token(world):
    resident = world.resident
    assert resident.get_id() == f"{resident.id}:{resident.login_token}"
    assert load_user(resident.get_id()) is resident
    token = resident.login_token
    services.end_sessions(resident)
    assert resident.login_token != token and len(resident.login_token) >= 32
    assert load_user(f"{resident.id}:{token}") is None


@pytest.mark.parametrize(
    "alternative_id",
    [
        "",
        "1",
        "1:",
        ":token",
        "abc:token",
        "-1:token",
        "99999999999999999999:token",
        "\u0661:token",
        "1:wrong-token",
        "1:ünïcode",
    ],
)
def test_odd_session_ids_are_no_one(world, alternative_id):
    assert load_user(alternative_id) is None


def test_an_old_style_session_with_the_bare_token_is_logged_out(app, world):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = world.resident.login_token
    assert not logged_in(client)


def test_the_loader_is_one_query(app, world, count_queries):
    alternative_id = world.resident.get_id()
    db.session.expunge_all()
    with count_queries() as counter:
        user = load_user(alternative_id)
        assert user is not None and user.memberships
    assert counter.count == 1


# --- 4. The CSRF token changes at login and at logout ---


def csrf_token(client, path="/login"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def switch_language(client, token):
    return client.post("/language", data={"csrf_token": token, "locale": "ru", "next": "/"})


def test_the_token_known_before_login_no_longer_works_after(csrf_app):
    factories.build_world()
    client = csrf_app.test_client()
    before = csrf_token(client)
    response = client.post(
        "/login",
        data={"csrf_token": before, "login": RESIDENT_PHONE, "password": factories.PASSWORD},
    )
    assert response.status_code == 302 and logged_in(client)
    refused = switch_language(client, before)
    assert refused.status_code == 400
    assert "The form has expired" in refused.get_data(as_text=True)
    assert switch_language(client, csrf_token(client, "/account")).status_code == 302


def test_the_token_changes_at_registration_and_logout(csrf_app):
    factories.build_world()
    client = csrf_app.test_client()
    before = csrf_token(client, "/register")
    response = register(client, csrf_token=before)
    assert response.status_code == 302 and logged_in(client)
    assert switch_language(client, before).status_code == 400
    logged_in_token = csrf_token(client, "/account")
    assert client.post("/logout", data={"csrf_token": logged_in_token}).status_code == 302
    assert switch_language(client, logged_in_token).status_code == 400


# --- 5. Easy passwords are refused ---


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "123456789",
        "87654321",
        "１２３４５６７８",
        "qwerty123",
        "Qwertyuiop",
        "Password1",
        "password2024!",
        "iloveyou",
        "gfhjkm123",
        "йцукенгш",
        "kyrgyzstan",
        "Bishkek2024",
        "1q2w3e4r",
        "asdfghjk",
        "abcdefgh",
    ],
)
def test_common_passwords_are_refused(password):
    assert passwords.password_problem(password) == passwords.COMMON


@pytest.mark.parametrize("password", ["aaaaaaaa", "11111111", "--------", "ЖЖЖЖЖЖЖЖЖ", "zz zz zz"])
def test_one_character_repeated_is_refused(password):
    assert passwords.password_problem(password) == passwords.REPEATED


@pytest.mark.parametrize(
    "password",
    [
        "Гүлзат Асанова",
        "гүлзатасанова",
        "Асанова1990",
        "gulzat_1990",
        "Gulzat.1990!",
        "0700111222",
        "+996 700 111 222",
        "700-111-222",
        "996700111222x",
        "٠٧٠٠١١١٢٢٢",
    ],
)
def test_the_owners_name_user_name_and_phone_are_refused(password):
    personal = ["Гүлзат Асанова", "gulzat_1990", "+996 700 111 222"]
    assert passwords.password_problem(password, personal) == passwords.PERSONAL


@pytest.mark.parametrize(
    "password",
    [
        factories.PASSWORD,
        "a long walk to Naryn",
        "Ысык-Көлдө жай 7",
        "k8#vQ2!mz",
        "tomato-river-45",
        "Асанова менен чай ичебиз",
    ],
)
def test_ordinary_passwords_pass(password):
    personal = ["Гүлзат Асанова", "gulzat_1990", "+996 700 111 222"]
    assert passwords.password_problem(password, personal) is None


def test_the_bundled_list_is_short_and_has_the_favourites():
    common = passwords.common_passwords()
    assert 250 <= len(common) <= 2000
    assert {"12345678", "qwerty", "gfhjkm", "йцукен", "пароль", "kyrgyzstan"} <= common


@pytest.mark.parametrize(
    "password, message",
    [
        ("12345678", "one of the most common ones"),
        ("Гүлзат Асанова", "must not be your name"),
        ("0700 111 222", "must not be your name"),
        ("xxxxxxxxxx", "one character repeated"),
    ],
)
def test_registration_refuses_easy_passwords(client, world, password, message):
    users = db.session.scalar(select(func.count()).select_from(User))
    response = register(client, password=password)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == users


def test_registration_refuses_the_user_name_as_password(client, world):
    response = register(
        client,
        municipality_id=str(world.municipality.id),
        phone="",
        username="aigul_2001",
        password="Aigul_2001",
    )
    assert "must not be your name" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "password",
    ["qwerty123", "{name} 2001", "{phone}", "0555123456"],
)
def test_a_password_change_refuses_easy_passwords(resident_client, world, password):
    password = password.format(name=world.resident.display_name, phone=world.resident.phone)
    response = resident_client.post(
        "/account/password",
        data={"current": factories.PASSWORD, "password": password, "confirm": password},
    )
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    db.session.refresh(world.resident)
    assert world.resident.check_password(factories.PASSWORD)


def reset(client, code, password, login=RESIDENT_PHONE):
    return client.post(
        "/reset-password",
        data={"login": login, "code": code, "password": password, "confirm": password},
    )


@pytest.mark.parametrize("password", ["12345678", "0555-123-456"])
def test_a_reset_refuses_common_passwords_and_the_typed_phone(client, world, password):
    issued = resets.issue_reset_code(world.officer, world.resident)
    response = reset(client, issued.code, password)
    assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True)
    assert reset(client, issued.code, "a long walk to Naryn").status_code == 302


def test_a_reset_refuses_the_accounts_name_once_the_code_is_right(client, world):
    world.resident.display_name = "Бурулкан Токтосунова"
    db.session.commit()
    name = "Токтосунова 2001"
    # A wrong code says only that the code is wrong: the name is not given away.
    wrong = reset(client, "WRNG-WRNG", name).get_data(as_text=True)
    assert "This code does not work" in wrong and "must not be your name" not in wrong
    issued = resets.issue_reset_code(world.officer, world.resident)
    page = reset(client, issued.code, name).get_data(as_text=True)
    assert "must not be your name" in page
    # Not a failed guess: the code still works, and the client was not counted again.
    assert db.session.scalar(select(func.count()).select_from(ThrottleEvent)) == 1
    assert reset(client, issued.code, "a long walk to Naryn").status_code == 302


def test_the_admin_command_refuses_easy_passwords(runner, app):
    result = runner.invoke(args=["create-admin", "--login", "root", "--password", "password123"])
    assert result.exit_code != 0
    assert "most common" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


# --- 6. Phone numbers in other scripts' digits are the same account ---


@pytest.mark.parametrize(
    "lookalike",
    [
        "0555 １２３ ４５６",
        "٠٥٥٥١٢٣٤٥٦",
        "۰۵۵۵۱۲۳۴۵۶",
        "०५५५१२३४५६",
        "＋９９６ ５５５ １２３ ４５６",
    ],
)
def test_no_lookalike_account_can_be_made(client, world, lookalike):
    users = db.session.scalar(select(func.count()).select_from(User))
    response = register(client, phone=lookalike)
    assert "This phone number already has an account." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert log_in(client, login=lookalike).status_code == 302
    assert logged_in(client)


def test_a_number_in_other_digits_is_stored_in_ascii(client, world):
    response = register(client, phone="0700 ١١١ ２２２")
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.phone == "+996 700 111 222")) is not None


# --- 7. Receipts are checked by POST ---


@pytest.fixture
def published(world):
    world.consultation.phase = Phase.PUBLISHED
    db.session.commit()
    return world.consultation


def test_a_receipt_in_the_query_string_is_ignored_and_counts_nothing(app, published):
    # As a cross-site image would ask, again and again.
    client = app.test_client()
    for _ in range(15):
        response = client.get(f"/c/{published.id}/receipt?receipt=AAAA-AAAA-AAAA")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "No counted ballot" not in page and 'value="AAAA' not in page
    assert db.session.scalar(select(func.count()).select_from(ThrottleEvent)) == 0
    page = client.get(f"/c/{published.id}/receipt").get_data(as_text=True)
    form = re.search(
        r'<form method="(\w+)"[^>]*>\s*<input[^>]*csrf_token[^>]*>\s*.*?name="receipt"', page, re.S
    )
    assert form is not None and form.group(1) == "post"


def test_wrong_receipts_sent_by_post_are_throttled(app, published):
    client = app.test_client()
    for _ in range(10):
        response = client.post(f"/c/{published.id}/receipt", data={"receipt": "AAAA-AAAA-AAAA"})
        assert "No counted ballot" in response.get_data(as_text=True)
    assert (
        client.post(f"/c/{published.id}/receipt", data={"receipt": "BBBB-BBBB"}).status_code == 429
    )
    # The form page itself still opens.
    assert client.get(f"/c/{published.id}/receipt").status_code == 200


def test_a_receipt_check_needs_the_csrf_token(csrf_app):
    world = factories.build_world()
    world.consultation.phase = Phase.PUBLISHED
    db.session.commit()
    client = csrf_app.test_client()
    path = f"/c/{world.consultation.id}/receipt"
    refused = client.post(path, data={"receipt": "AAAA-AAAA-AAAA"})
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ThrottleEvent)) == 0
    token = csrf_token(client, path)
    checked = client.post(path, data={"receipt": "AAAA-AAAA-AAAA", "csrf_token": token})
    assert "No counted ballot" in checked.get_data(as_text=True)


# --- 8. No id in a path, however large, ends in a 500 ---

INT_ARGUMENT = re.compile(r"<int(?:\([^)]*\))?:(\w+)>")
OTHER_ARGUMENTS = {
    "slug": "ak-suu",
    "ballot_id": "0" * 32,
    "what": "results",
    "fmt": "csv",
    "way": "paper",
    "size": "thumb",
}


@pytest.mark.parametrize("huge", [2**31, 2**31 + 1, 2**63, 10**30])
def test_huge_ids_in_paths_are_not_found(app, world, huge):
    client = app.test_client(user=world.admin)
    rules = [r for r in app.url_map.iter_rules() if INT_ARGUMENT.search(r.rule)]
    assert len(rules) >= 20
    for rule in rules:
        ints = set(INT_ARGUMENT.findall(rule.rule))
        values = {a: huge if a in ints else OTHER_ARGUMENTS[a] for a in rule.arguments}
        with app.test_request_context():
            path = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(path, method=method)
            # 405 where a route of the same path takes the other method only.
            assert response.status_code in (404, 405), (method, path)


def test_the_largest_id_the_database_holds_is_still_looked_up(app, world):
    assert app.test_client().get(f"/c/{2**31 - 1}").status_code == 404
    assert app.test_client().get(f"/c/{world.consultation.id}").status_code == 200


# --- 9. instance/ is its owner's only ---


@pytest.fixture
def loose_umask():
    # The usual umask, under which new files are readable by everyone.
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_instance_folder_and_its_database_are_owner_only(monkeypatch, tmp_path, loose_umask):
    monkeypatch.setattr(pb, "ROOT", str(tmp_path))
    app = pb.create_app({"TESTING": True, "SECRET_KEY": "x", "PASSWORD_HASH_METHOD": "pbkdf2"})
    instance = tmp_path / "instance"
    assert mode(instance) == 0o700
    with app.app_context():
        db.create_all()
        db.session.add(User(username="someone", display_name="X", password_hash="-"))
        db.session.commit()
        files = sorted(p.name for p in instance.iterdir())
        assert {"pb.sqlite", "pb.sqlite-wal"} <= set(files)
        for name in files:
            assert mode(instance / name) == 0o600, name
        db.engine.dispose()


def test_an_existing_database_is_opened_not_replaced(app, tmp_path, loose_umask):
    from pb.sqlite import create_owner_only

    path = tmp_path / "kept.sqlite"
    path.write_bytes(b"SQLite format 3\x00")
    path.chmod(0o640)
    create_owner_only(str(path))
    assert path.read_bytes() == b"SQLite format 3\x00" and mode(path) == 0o640


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_writes_the_secret_key_owner_only(tmp_path, loose_umask):
    shutil.copy(os.path.join(pb.ROOT, "Makefile"), tmp_path / "Makefile")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "bin").symlink_to(os.path.join(pb.ROOT, ".venv", "bin"))
    # As a fresh clone has it: the folder is in the repository (its .gitkeep), made 0755.
    (tmp_path / "instance").mkdir(mode=0o755)
    (tmp_path / "instance").chmod(0o755)
    environment = {**os.environ, "PYTHONPATH": pb.ROOT}
    subprocess.run(
        ["make", "-s", "instance/config.py"],
        cwd=tmp_path,
        env=environment,
        check=True,
        capture_output=True,
    )
    assert mode(tmp_path / "instance") == 0o700
    assert mode(tmp_path / "instance" / "config.py") == 0o600
    assert "SECRET_KEY" in (tmp_path / "instance" / "config.py").read_text()
