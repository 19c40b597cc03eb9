"""No input ends in a 500: every route, as each role, with odd values in its path, its query
string and its forms' fields.

The odd values are the ones that broke pages before: blanks alone (they pass an optional
field's check), numbers too large for the database's integers, other scripts' digits, very long
text, a NUL. Any status below 500 is fine here; the right 4xx or message for each case is what
the other tests check.
"""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest
from flask import url_for
from sqlalchemy import select

from pb.extensions import db
from pb.models import Ballot, Electorate, Job, JobState, Meeting, Membership, Phase
from pb.roll.entries import read_roll_file
from pb.voting import services as voting
from pb.voting.sheets import VoterDetails
from tests import factories

ODD = ["   ", "-1", "99999999999999999999", "\u0661\u0662", "x" * 3000, "\x00"]
QUERY_NAMES = [
    "page",
    "q",
    "status",
    "village",
    "category",
    "mine",
    "code",
    "next",
    "date",
    "receipt",
]


class _FormDefaults(HTMLParser):
    """The values a page's forms would send as they stand, by field name."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._first_option = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrf_token":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                chosen = self.values.setdefault(name, [])
                if "checked" in a:
                    chosen.append(a.get("value") or "y")
            elif kind not in ("submit", "button", "file"):
                self.values[name] = [a.get("value") or ""]
        elif tag == "textarea" and name:
            self.values[name] = ["text"]
        elif tag == "select" and name:
            self._select, self._first_option = name, ""
            self.values[name] = []
        elif tag == "option" and self._select:
            if not self._first_option:
                self._first_option = a.get("value") or ""
            if "selected" in a:
                self.values[self._select] = [a.get("value") or ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            self.values[self._select] = self.values[self._select] or [self._first_option]
            self._select = None


def _form_defaults(page: str) -> dict[str, list[str]]:
    parser = _FormDefaults()
    parser.feed(page)
    return parser.values


def _photo_and_report(world, proposal):
    """A stored photo, and a resident's problem report on ``proposal``."""
    import io

    from werkzeug.datastructures import FileStorage

    from pb.models import ProblemReport
    from pb.photos.services import store_upload
    from tests.photos.images import jpeg

    photo = store_upload(FileStorage(io.BytesIO(jpeg(64, 48)), "p.jpg"), "A bridge", world.officer)
    report = ProblemReport(
        proposal_id=proposal.id, author_id=world.resident.id, text="Broken", language="ky"
    )
    db.session.add(report)
    db.session.commit()
    return photo, report


def _world_with_everything(phase: Phase):
    """A consultation with accepted proposals, a batch of codes and a paper ballot, in ``phase``."""
    world = factories.build_world()
    world.consultation.electorate = Electorate.ROLL
    proposals = factories.open_voting(world.consultation, allow_paper=True, allow_accounts=True)
    entry = factories.make_roll_entry(world.municipality, user=world.resident)
    roll_file = "ФИО;Год рождения;Пол;Село;Номер хозяйства\nАсанов Бакыт;1980;м;Ак-Суу;1\n"
    roll_import = read_roll_file(
        world.officer, world.municipality, "roll.csv", roll_file.encode("utf-8-sig")
    )
    batch = voting.generate_codes(world.officer, world.consultation, 3, "slips")
    voting.add_paper_ballot(
        world.officer,
        world.consultation,
        world.village.id,
        date(2026, 11, 20),
        {proposals[0].id: 1},
        VoterDetails(),
    )
    photo, report = _photo_and_report(world, proposals[0])
    # A failed job, with its page and its retry.
    job = Job(
        kind="close-voting",
        municipality_id=world.municipality.id,
        consultation_id=world.consultation.id,
        created_by_id=world.officer.id,
        params={"expected": "voting"},
        state=JobState.FAILED,
        error={"ky": "ky", "ru": "ru", "en": "en"},
    )
    db.session.add(job)
    if phase != Phase.VOTING:
        world.consultation.phase = phase
    db.session.commit()
    path_values = {
        "consultation_id": [world.consultation.id, 999999],
        "proposal_id": [proposals[0].id, 999999],
        "batch_id": [batch.id],
        "meeting_id": [db.session.scalars(select(Meeting.id)).first()],
        "ballot_id": [db.session.scalars(select(Ballot.id)).first(), "nope"],
        "membership_id": [db.session.scalars(select(Membership.id)).first()],
        "municipality_id": [world.municipality.id],
        "slug": [world.municipality.slug, "nope"],
        "what": ["results", "ballots"],
        "fmt": ["csv", "pb"],
        "user_id": [world.resident.id, world.officer.id, 999999],
        "entry_id": [entry.id, 999999],
        "import_id": [roll_import.id, 999999],
        "way": ["code", "paper"],
        "photo_id": [photo.id, 999999],
        "size": ["thumb", "nope"],
        "report_id": [report.id, 999999],
        "job_id": [job.id, 999999],
    }
    return world, path_values


def _urls(app, path_values):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "main.health", "main.ready"):
            continue
        names = sorted(rule.arguments)
        # Each argument's real value with the others', then each odd one alone.
        choices = [{n: path_values[n][0] for n in names}]
        for n in names:
            for other in path_values[n][1:]:
                choices.append({**choices[0], n: other})
        for values in choices:
            with app.test_request_context():
                yield url_for(rule.endpoint, **values), rule.methods


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.VOTING, Phase.PUBLISHED])
def test_no_input_ends_in_a_500(app, phase):
    world, path_values = _world_with_everything(phase)
    roles = {
        "visitor": None,
        "resident": world.resident,
        "officer": world.officer,
        "council": world.council,
        "admin": world.admin,
    }
    failures = []
    for role, user in roles.items():
        client = app.test_client(user=user) if user else app.test_client()
        for url, methods in _urls(app, path_values):
            defaults: dict[str, list[str]] = {}
            if "GET" in methods:
                response = client.get(url)
                if response.status_code >= 500:
                    failures.append((role, "GET", url))
                if response.status_code == 200 and response.mimetype == "text/html":
                    defaults = _form_defaults(response.get_data(as_text=True))
                for odd in ODD[:3]:
                    response = client.get(url, query_string=dict.fromkeys(QUERY_NAMES, odd))
                    if response.status_code >= 500:
                        failures.append((role, "GET", url, odd[:20]))
            if "POST" in methods:
                names = list(defaults) or ["expected", "direction", "locale", "next", "action"]
                for odd in ODD:
                    response = client.post(url, data=dict.fromkeys(names, odd))
                    if response.status_code >= 500:
                        failures.append((role, "POST", url, odd[:20]))
                # One field odd at a time, the others as the page would send them.
                for name in defaults:
                    for odd in ODD[:3]:
                        response = client.post(url, data={**defaults, name: odd})
                        if response.status_code >= 500:
                            failures.append((role, "POST", url, name, odd[:20]))
    assert failures == []
