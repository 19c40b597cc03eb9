"""Cross-cutting promises: CSRF on every POST, safe headers, light pages, errors as pages."""

import re

import pytest
from flask import url_for
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import User
from tests import factories


def post_rules(app):
    return [r for r in app.url_map.iter_rules() if "POST" in r.methods]


def test_every_post_without_a_csrf_token_is_refused(csrf_app):
    world = factories.build_world()
    client = csrf_app.test_client(user=world.officer)
    values = {
        "slug": "ak-suu",
        "consultation_id": world.consultation.id,
        "proposal_id": 1,
        "municipality_id": world.municipality.id,
        "membership_id": 1,
        "batch_id": 1,
        "meeting_id": 1,
        "ballot_id": "0" * 32,
        "user_id": world.resident.id,
        "entry_id": 1,
        "import_id": 1,
        "way": "paper",
        "photo_id": 1,
        "report_id": 1,
        "job_id": 1,
    }
    rules = post_rules(csrf_app)
    assert len(rules) >= 15
    for rule in rules:
        with csrf_app.test_request_context():
            url = url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})
        response = client.post(
            url, data={"locale": "ru", "direction": "advance", "expected": "collecting"}
        )
        assert response.status_code == 400, rule.endpoint
        assert "The form has expired" in response.get_data(as_text=True)


def test_a_post_with_the_right_token_goes_through(csrf_app):
    factories.build_world()
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/language", data={"csrf_token": token, "locale": "ru", "next": "/"})
    assert response.status_code == 302


def test_security_headers(client, world):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly(client, world):
    client.post("/language", data={"locale": "ru", "next": "/"})
    cookie = client.get_cookie("session", domain="pb.test")
    assert cookie is not None and cookie.http_only


@pytest.mark.parametrize(
    "path", ["/", "/m/ak-suu", "/c/{c}", "/c/{c}/proposals", "/login", "/register?m=ak-suu"]
)
def test_pages_are_light_and_load_nothing_from_other_hosts(client, world, path):
    for _ in range(20):
        factories.make_proposal(world.consultation)
    response = client.get(path.format(c=world.consultation.id))
    html = response.get_data(as_text=True)
    with client.get("/static/pb.css") as css:
        css_size = len(css.data)
    assert len(response.data) + css_size < 50_000
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "a resource from another host"
    assert "<script" not in html


def test_errors_are_translated_pages(client, world):
    response = client.get("/nowhere", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    assert "Страница не найдена" in response.get_data(as_text=True)
    assert client.get("/c/abc").status_code == 404
    assert client.post("/").status_code == 405


def test_a_nul_character_anywhere_in_a_request_is_a_bad_request(client, world):
    # PostgreSQL's text cannot hold one: wherever it reached a query, it was a 500 there.
    response = client.get("/?q=a%00b", headers={"Accept-Language": "ru"})
    assert response.status_code == 400 and 'lang="ru"' in response.get_data(as_text=True)
    assert client.get("/m/ak%00suu").status_code == 400
    assert client.get("/?a%00=1").status_code == 400
    users = db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/register", data={"display_name": "Ай\x00гүл", "username": "aigul"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == users


def test_internal_errors_show_a_translated_500_page(app, world):
    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom", headers={"Accept-Language": "ky"})
    assert response.status_code == 500
    assert 'lang="ky"' in response.get_data(as_text=True)


def test_app_refuses_to_start_without_a_secret_key_outside_tests(monkeypatch, tmp_path):
    from pb import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PB_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
