"""An Atom feed (RFC 4287) per municipality announcing new implementation updates, so that
people and newsrooms follow what became of the funded projects without visiting the site."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Response, abort, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from pb.api import feeds, reading
from pb.i18n import localized
from pb.models import ImplementationUpdate, Municipality

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ENTRIES = 50


def _moment(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat(timespec="seconds")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _entry(feed: ET.Element, update: ImplementationUpdate) -> None:
    proposal = update.implementation.proposal
    entry = _sub(feed, "entry")
    _sub(
        entry,
        "id",
        url_for("proposals.show", proposal_id=proposal.id, _external=True) + f"#update-{update.id}",
    )
    _sub(entry, "title", proposal.title)
    _sub(entry, "updated", _moment(update.created_at))
    _sub(entry, "published", _moment(update.created_at))
    _sub(
        entry,
        "link",
        rel="alternate",
        type="text/html",
        href=url_for("proposals.show", proposal_id=proposal.id, _external=True),
    )
    content = _sub(entry, "content", update.text, type="text")
    content.set(XML_LANG, update.language)


def updates_feed(municipality: Municipality) -> bytes:
    updates = reading.latest_updates(municipality, ENTRIES)
    name = localized(municipality, "name").text or municipality.slug
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", url_for("municipalities.show", slug=municipality.slug, _external=True))
    _sub(feed, "title", _("What became of the projects: %(municipality)s", municipality=name))
    latest = max((u.created_at for u in updates), default=municipality.created_at)
    _sub(feed, "updated", _moment(latest))
    # Required of a feed whose entries name no author: the municipality speaks in them.
    author = _sub(feed, "author")
    _sub(author, "name", name)
    _sub(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=url_for("feeds.updates", slug=municipality.slug, _external=True),
    )
    _sub(
        feed,
        "link",
        rel="alternate",
        type="text/html",
        href=url_for("municipalities.show", slug=municipality.slug, _external=True),
    )
    for update in updates:
        _entry(feed, update)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@feeds.route("/m/<slug>/updates.atom")
def updates(slug: str) -> BaseResponse:
    municipality = reading.municipality(slug)
    if municipality is None:
        abort(404)
    response = Response(updates_feed(municipality), mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    return response.make_conditional(request)
