"""Officers add photos to proposals at review; the proposal's page shows them as lazy-loaded
thumbnails linking to the large size."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import AuditEntry, Phase, Photo
from pb.proposals import services
from tests import factories
from tests.photos import images


def send(client, proposal, data: bytes, alt: str = "The broken bridge", name: str = "p.jpg"):
    return client.post(
        f"/p/{proposal.id}/photos",
        data={"photo-photo": (io.BytesIO(data), name), "photo-alt_text": alt},
        content_type="multipart/form-data",
    )


def photos() -> int:
    return db.session.scalar(select(func.count()).select_from(Photo)) or 0


def test_an_officer_adds_a_photo_and_everyone_sees_it(officer_client, client, world):
    proposal = factories.make_proposal(world.consultation)
    response = send(officer_client, proposal, images.jpeg(2000, 1500))
    assert response.status_code == 302
    [photo] = services.photos_of(proposal)
    assert photo.alt_text == "The broken bridge"
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.target_id) == ("proposal.photo_add", str(proposal.id))
    page = client.get(f"/p/{proposal.id}").get_data(as_text=True)
    assert f'src="/photos/{photo.id}/thumb"' in page
    assert f'href="/photos/{photo.id}/large"' in page
    assert 'alt="The broken bridge" loading="lazy"' in page
    review_page = officer_client.get(f"/p/{proposal.id}/review").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in review_page and "The broken bridge" in review_page


@pytest.mark.parametrize("who", ["resident_client", "council_client", "outside_officer_client"])
def test_only_officers_of_the_municipality_add_photos(request, world, who):
    proposal = factories.make_proposal(world.consultation)
    response = send(request.getfixturevalue(who), proposal, images.jpeg())
    assert response.status_code == 403
    assert photos() == 0


def test_a_visitor_is_sent_to_log_in(client, world):
    proposal = factories.make_proposal(world.consultation)
    assert send(client, proposal, images.jpeg()).status_code == 302
    assert photos() == 0


def test_a_bad_file_gets_a_message_and_nothing_is_saved(officer_client, world):
    proposal = factories.make_proposal(world.consultation)
    response = send(officer_client, proposal, images.zip_file())
    assert response.status_code == 302
    page = officer_client.get(response.location).get_data(as_text=True)
    assert "This file is not a photo" in page
    assert photos() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_photo_without_its_description_is_refused(officer_client, world):
    proposal = factories.make_proposal(world.consultation)
    response = send(officer_client, proposal, images.jpeg(), alt="  ")
    page = officer_client.get(response.location).get_data(as_text=True)
    assert "Describe what the photo shows" in page
    assert photos() == 0


def multipart(fields: dict[str, str], file_field: str, data: bytes) -> tuple[bytes, str]:
    """A form body built in memory: the test client spools large bodies to a temporary file
    that it leaves open when the request is refused."""
    boundary = "pbtestboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "What you sent is too large."), ("ru", "слишком")]
)
def test_a_60_megabyte_upload_gets_a_translated_413_page(officer_client, world, lang, text):
    proposal = factories.make_proposal(world.consultation)
    body, content_type = multipart(
        {"photo-alt_text": "x"}, "photo-photo", images.jpeg() + b"\x00" * (60 * 1024 * 1024)
    )
    response = officer_client.post(
        f"/p/{proposal.id}/photos?lang={lang}", data=body, content_type=content_type
    )
    assert response.status_code == 413
    assert text in response.get_data(as_text=True)
    assert photos() == 0


def test_photos_are_added_only_while_proposals_are_reviewed(officer_client, world):
    proposal = factories.make_proposal(world.consultation)
    world.consultation.phase = Phase.VOTING
    db.session.commit()
    response = send(officer_client, proposal, images.jpeg())
    assert response.status_code == 302
    assert photos() == 0


def test_an_officer_removes_a_photo(officer_client, world):
    proposal = factories.make_proposal(world.consultation)
    send(officer_client, proposal, images.jpeg())
    [photo] = services.photos_of(proposal)
    response = officer_client.post(f"/p/{proposal.id}/photos/{photo.id}/remove")
    assert response.status_code == 302
    assert photos() == 0
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["proposal.photo_add", "proposal.photo_remove"]


def test_a_photo_of_another_proposal_cannot_be_removed_through_this_one(officer_client, world):
    first = factories.make_proposal(world.consultation)
    second = factories.make_proposal(world.consultation)
    send(officer_client, first, images.jpeg())
    [photo] = services.photos_of(first)
    officer_client.post(f"/p/{second.id}/photos/{photo.id}/remove")
    assert photos() == 1
