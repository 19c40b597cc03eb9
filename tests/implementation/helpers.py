"""Helpers for the implementation tests, and for the audit sweep."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from pb.extensions import db
from pb.models import Ballot, Channel, Consultation, Phase, Proposal
from pb.models.implementation import Photo, PhotoFile
from pb.results.counting import count_and_store
from tests import factories


def add_ballot(consultation, *proposals):
    ballot = Ballot(consultation_id=consultation.id, channel=Channel.ONLINE)
    ballot.choices = {p.id: 1 for p in proposals}
    db.session.add(ballot)


def publish_with_funded(c: Consultation) -> tuple[Proposal, ...]:
    """400k (5 votes), 300k (4), 250k (3) funded; 100k (1) not: the budget is 1,000,000."""
    p1, p2, p3, p4 = factories.open_voting(c)
    for _ in range(4):
        add_ballot(c, p1, p2)
    add_ballot(c, p1, p3)
    add_ballot(c, p3)
    add_ballot(c, p3, p4)
    c.phase = Phase.CLOSED
    count_and_store(c)
    c.phase = Phase.PUBLISHED
    db.session.commit()
    return p1, p2, p3, p4


def jpeg_bytes(size=(64, 48)) -> bytes:
    """A small JPEG drawn here, so no binary file is kept in the repository."""
    image = Image.new("RGB", size, (90, 150, 200))
    ImageDraw.Draw(image).rectangle((8, 8, size[0] - 8, size[1] - 8), fill=(200, 120, 40))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def make_photo(alt_text="Жаңы түтүк") -> Photo:
    data = jpeg_bytes()
    photo = Photo(alt_text=alt_text, width=64, height=48)
    photo.files = [
        PhotoFile(size=size, content_type="image/jpeg", width=64, height=48, data=data)
        for size in ("thumb", "medium", "large")
    ]
    db.session.add(photo)
    db.session.flush()
    return photo
