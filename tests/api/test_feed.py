"""The Atom feed of a municipality's implementation updates: valid Atom (RFC 4287)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from pb.extensions import db
from pb.models import Phase

A = "{http://www.w3.org/2005/Atom}"


def _feed(client, slug, **headers):
    response = client.get(f"/m/{slug}/updates.atom", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    return response, ET.fromstring(response.get_data())


def _required_elements_of(element, *names):
    for name in names:
        found = element.findall(A + name)
        assert len(found) == 1, name
        assert (found[0].text or "").strip() or found[0].get("href"), name


def test_the_feed_announces_each_update_as_valid_atom(published, client):
    response, feed = _feed(client, published.world.municipality.slug)
    assert feed.tag == A + "feed"
    _required_elements_of(feed, "id", "title", "updated")
    assert feed.find(f"{A}author/{A}name").text == published.world.municipality.name_en
    links = {link.get("rel"): link.get("href") for link in feed.findall(A + "link")}
    assert links["self"] == "http://pb.test/m/ak-suu/updates.atom"
    assert links["alternate"] == "http://pb.test/m/ak-suu"
    (entry,) = feed.findall(A + "entry")
    _required_elements_of(entry, "id", "title", "updated")
    assert entry.find(A + "title").text == "Project 1"
    content = entry.find(A + "content")
    assert content.text == "Көпүрөнүн пайдубалы куюлду."
    assert content.get("{http://www.w3.org/XML/1998/namespace}lang") == "ky"
    assert entry.find(A + "link").get("href") == f"http://pb.test/p/{published.funded.id}"
    # RFC 3339 times, with their zone.
    assert entry.find(A + "updated").text.endswith("+00:00")
    assert feed.find(A + "updated").text == entry.find(A + "updated").text
    assert ET.fromstring(response.get_data()) is not None
    again = client.get(
        "/m/ak-suu/updates.atom", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_feed_title_is_in_the_readers_language(published, client):
    _response, feed = _feed(client, published.world.municipality.slug, **{"Accept-Language": "ru"})
    assert feed.find(A + "title").text.startswith("Что сделано по проектам")


def test_no_update_of_an_unpublished_consultation_and_an_empty_feed_is_valid(published, client):
    published.consultation.phase = Phase.CLOSED
    db.session.commit()
    _response, feed = _feed(client, published.world.municipality.slug)
    assert feed.findall(A + "entry") == []
    _required_elements_of(feed, "id", "title", "updated")
    _response, other = _feed(client, published.world.other_municipality.slug)
    assert other.findall(A + "entry") == []


def test_an_unknown_municipality_has_no_feed(published, client):
    assert client.get("/m/nope/updates.atom").status_code == 404
