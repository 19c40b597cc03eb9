"""The open data API: what it shows, what it never shows, and how it answers over HTTP."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from pb.disclosure import hide
from pb.extensions import db
from pb.models import (
    Implementation,
    ImplementationUpdate,
    Municipality,
    Photo,
    ProposalStatus,
    ThrottleEvent,
    User,
)
from pb.results.participation import participation

API = "/api/v1"


def _urls(published):
    """Every address of the API, with the published world's values and missing ones."""
    world = published.world
    slugs = [world.municipality.slug, world.other_municipality.slug, "nope"]
    consultations = [published.consultation.id, published.draft.id, 999999]
    proposals = [published.funded.id, published.rejected.id, published.draft_proposal.id, 999999]
    urls = [f"{API}/openapi.json", f"{API}/municipalities"]
    for slug in slugs:
        urls += [f"{API}/municipalities/{slug}", f"{API}/municipalities/{slug}/consultations"]
        urls.append(f"/m/{slug}/updates.atom")
    for cid in consultations:
        urls += [
            f"{API}/consultations/{cid}",
            f"{API}/consultations/{cid}/proposals",
            f"{API}/consultations/{cid}/results",
            f"{API}/consultations/{cid}/participation",
            f"{API}/consultations/{cid}/implementation",
        ]
    for pid in proposals:
        urls += [f"{API}/proposals/{pid}", f"{API}/proposals/{pid}/implementation"]
    return urls


def test_every_route_of_the_api_is_walked(app, published):
    walked = {url.split("?")[0] for url in _urls(published)}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("api.", "feeds.")):
            pattern = rule.rule.replace("<int:", "<")
            prefix = pattern.split("<")[0]
            assert any(url.startswith(prefix) for url in walked), rule.rule


def test_no_answer_holds_a_name_a_phone_or_a_username(app, published, client):
    app.config["API_REQUESTS_PER_WINDOW"] = 1_000_000
    users = db.session.scalars(select(User)).all()
    # Usernames like "officer" are English words the messages use: give them unique ones.
    for user in users:
        if user.username:
            user.username = f"login-{user.id}-qz"
    db.session.commit()
    secrets = set()
    for user in users:
        secrets |= {user.display_name, user.username}
        if user.phone:
            secrets |= {user.phone, "".join(ch for ch in user.phone if ch.isdigit())}
    secrets.discard(None)
    assert "Айзада" in secrets and "+996 555 123 456" in secrets
    # Also what was typed about people: a paper proposer's name, a rejection's reason.
    secrets |= {"Asked by her neighbour"}
    statuses = set()
    for url in _urls(published):
        for language in ("en", "ru", "ky"):
            response = client.get(url, headers={"Accept-Language": language})
            statuses.add(response.status_code)
            body = response.get_data(as_text=True)
            if response.mimetype == "application/json":
                # Cyrillic arrives \\u-escaped in JSON: read it back.
                body = json.dumps(response.get_json(), ensure_ascii=False)
            leaked = [secret for secret in secrets if secret in body]
            assert not leaked, (url, leaked)
    assert statuses == {200, 404}


def test_drafts_and_rejected_proposals_never_appear(published, client):
    world = published.world
    consultations = client.get(f"{API}/municipalities/{world.municipality.slug}/consultations")
    assert [c["id"] for c in consultations.get_json()["items"]] == [published.consultation.id]
    assert client.get(f"{API}/consultations/{published.draft.id}").status_code == 404
    assert client.get(f"{API}/consultations/{published.draft.id}/proposals").status_code == 404
    assert client.get(f"{API}/proposals/{published.draft_proposal.id}").status_code == 404
    assert client.get(f"{API}/proposals/{published.rejected.id}").status_code == 404
    listed = client.get(f"{API}/consultations/{published.consultation.id}/proposals?limit=100")
    titles = {p["title"] for p in listed.get_json()["items"]}
    assert "Project 1" in titles and "Merged well" in titles
    assert not titles & {"Rejected fence", "Withdrawn bench", "Draft road"}
    merged = next(p for p in listed.get_json()["items"] if p["title"] == "Merged well")
    assert merged["status"] == "merged" and merged["merged_into_id"] == published.funded.id


def test_results_figures_and_implementation_only_once_published(published, client):
    published.consultation.phase = published.consultation.phase.CLOSED
    db.session.commit()
    cid = published.consultation.id
    for what in ("results", "participation", "implementation"):
        response = client.get(f"{API}/consultations/{cid}/{what}")
        assert response.status_code == 404
        assert "once the officer publishes them" in response.get_json()["error"]["message"]
    assert client.get(f"{API}/proposals/{published.funded.id}/implementation").status_code == 404


def test_results_come_from_the_stored_count(published, client):
    result = client.get(f"{API}/consultations/{published.consultation.id}/results").get_json()
    assert result["ballots"] == 22 and result["rule"] == published.consultation.counting_rule
    first = result["proposals"][0]
    assert first == {
        "proposal_id": published.funded.id,
        "title": "Project 1",
        "votes": 20,
        "cost": 400_000,
        "funded": True,
        "position": first["position"],
        "reason": first["reason"],
    }
    assert result["counted_at"].endswith("+00:00")


def test_small_groups_are_hidden_as_on_the_participation_page(published, client):
    c = published.consultation
    figures = client.get(f"{API}/consultations/{c.id}/participation").get_json()
    assert figures["voters"] == 22 and figures["small_group"] == 5
    villages = {g["group"]: g["count"] for g in figures["voters_by"]["village"]["groups"]}
    small = str(c.villages[1].id)
    # The village where 2 voted is hidden, and so is the next smallest cell (not given: 0 is
    # shown; here the big village's 20 stays, the rule hides what it must).
    assert villages[small] is None
    assert 2 not in villages.values()
    # Exactly what the page's figures (pb.results.participation) show, cell for cell.
    page = participation(c)
    for name, breakdown in page.voters_by.items():
        api = {g["group"]: g["count"] for g in figures["voters_by"][name]["groups"]}
        assert api == breakdown.counts
        assert figures["voters_by"][name]["total"] == breakdown.total
    assert hide({"a": 20, "b": 2, "c": 0})["b"] is None
    ages = {g["group"]: g["count"] for g in figures["voters_by"]["age"]["groups"]}
    assert ages["60+"] is None
    assert figures["women"]["voters"]["population"] == 0.52


def test_implementation_with_its_updates_costs_and_photos(published, client):
    answer = client.get(f"{API}/proposals/{published.funded.id}/implementation").get_json()
    assert answer["status"] == "under_way" and answer["actual_cost"] == 380_000
    assert answer["community_labour"].startswith("Ашар")
    (update,) = answer["updates"]
    assert update["text"] == "Көпүрөнүн пайдубалы куюлду." and update["language"] == "ky"
    (photo,) = update["photos"]
    assert photo["alt_text"] == "The new bridge over the canal"
    assert [f["size"] for f in photo["files"]] == ["thumb", "medium", "large"]
    assert photo["files"][0]["url"] == f"http://pb.test/photos/{published.photo.id}/thumb"
    listed = client.get(f"{API}/consultations/{published.consultation.id}/implementation")
    assert [i["proposal_id"] for i in listed.get_json()["items"]] == [published.funded.id]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=abc",
        "limit=-1",
        "limit=%205",
        "limit=1.5",
        "offset=-1",
        "offset=1000001",
        "offset=x",
        "limit=99999999999999999999",
    ],
)
def test_paging_out_of_bounds_is_a_clean_400(published, client, query):
    response = client.get(f"{API}/municipalities?{query}")
    assert response.status_code == 400 and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == 400
    assert "must be a whole number from" in error["message"]


def test_paging_bounds_are_told_in_the_readers_language(published, client):
    response = client.get(f"{API}/municipalities?limit=500", headers={"Accept-Language": "ru"})
    assert response.status_code == 400
    assert "целым числом от 1 до 100" in response.get_json()["error"]["message"]


def test_pages_link_to_the_next_one(published, client):
    for n in range(3):
        db.session.add(Municipality(slug=f"z-{n}", name_en=f"Z {n}"))
    db.session.commit()
    first = client.get(f"{API}/municipalities?limit=2").get_json()
    assert first["total"] == 5 and len(first["items"]) == 2
    assert first["next"] == "http://pb.test/api/v1/municipalities?limit=2&offset=2"
    last = client.get(f"{API}/municipalities?limit=2&offset=4").get_json()
    assert len(last["items"]) == 1 and last["next"] is None
    past = client.get(f"{API}/municipalities?offset=1000000").get_json()
    assert past["items"] == [] and past["next"] is None


def test_an_unchanged_answer_is_a_304_by_its_etag(published, client):
    url = f"{API}/consultations/{published.consultation.id}/results"
    response = client.get(url)
    etag = response.headers["ETag"]
    assert etag and response.headers["Cache-Control"].startswith("public")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    published.funded.title = "Project 1, renamed"
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_any_site_may_read_it_but_never_with_credentials(published, client):
    response = client.get(f"{API}/municipalities", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(
        f"{API}/municipalities",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    # Errors too: a script must be able to read why.
    missing = client.get(f"{API}/proposals/999999", headers={"Origin": "https://example.org"})
    assert missing.headers["Access-Control-Allow-Origin"] == "*"


def test_too_many_requests_from_one_address_get_a_429_in_json(app, published, client):
    app.config["API_REQUESTS_PER_WINDOW"] = 3
    for _ in range(3):
        assert client.get(f"{API}/municipalities").status_code == 200
    refused = client.get(f"{API}/municipalities")
    assert refused.status_code == 429 and refused.mimetype == "application/json"
    assert refused.get_json()["error"]["status"] == 429
    assert int(refused.headers["Retry-After"]) == app.config["API_WINDOW_SECONDS"]
    # Counted in the database, where every worker process counts: not in one's memory.
    counted = db.session.scalar(select(func.count()).where(ThrottleEvent.key == "api:127.0.0.1"))
    assert counted == 3
    # Another address is not held back by this one's requests.
    other = client.get(f"{API}/municipalities", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_errors_are_json_not_pages(published, client):
    for url in (f"{API}/nothing-here", f"{API}/proposals/999999", f"{API}/municipalities/nope"):
        response = client.get(url)
        assert response.status_code == 404 and response.mimetype == "application/json"
        assert response.get_json()["error"]["title"] == "Page not found"
    posted = client.post(f"{API}/municipalities")
    assert posted.status_code == 405 and posted.mimetype == "application/json"
    assert client.get(f"{API}/proposals/99999999999").status_code == 404


def test_lists_read_a_fixed_number_of_queries_however_long(app, published, client, count_queries):
    from tests import factories

    app.config["API_REQUESTS_PER_WINDOW"] = 1_000_000
    cid = published.consultation.id

    def queries(url):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    before = {
        what: queries(f"{API}/consultations/{cid}/{what}?limit=100")
        for what in ("proposals", "implementation")
    }
    for _ in range(5):
        more = factories.make_proposal(published.consultation, status=ProposalStatus.ACCEPTED)
        db.session.add(
            Implementation(
                proposal_id=more.id,
                planned_cost=1000,
                updates=[
                    ImplementationUpdate(
                        posted_on=date(2027, 5, day),
                        text="Done",
                        language="en",
                        photos=[Photo(alt_text="A wall", width=10, height=10)],
                    )
                    for day in (1, 2)
                ],
            )
        )
    db.session.commit()
    after = {
        what: queries(f"{API}/consultations/{cid}/{what}?limit=100")
        for what in ("proposals", "implementation")
    }
    assert after == before
    listed = client.get(f"{API}/consultations/{cid}/implementation?limit=100").get_json()
    assert listed["total"] == 6


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH"])
def test_a_method_the_api_does_not_take_is_refused_with_the_methods_it_takes(
    app, published, client, method
):
    """RFC 9110: a 405 says in Allow which methods the resource takes; the JSON error keeps it."""
    app.config["API_REQUESTS_PER_WINDOW"] = 1_000_000
    for url in _urls(published):
        if not url.startswith(API):
            continue
        response = client.open(url, method=method)
        assert response.status_code == 405, url
        assert response.is_json and response.get_json()["error"]["status"] == 405
        assert "GET" in response.headers["Allow"], url


def test_a_page_refusing_a_method_says_which_it_takes(client, world):
    response = client.get("/logout")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST" or "POST" in response.headers["Allow"]
    assert "text/html" in response.content_type
