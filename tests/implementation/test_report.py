"""The execution report for the council's hearing: per consultation and per year, printable in
the chosen language and as XLSX, with totals."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from pb.extensions import db
from pb.models import Beneficiary, Phase, ProposalBeneficiary
from pb.models.implementation import Implementation, ImplementationStatus


@pytest.fixture
def kept(published):
    consultation, (p1, p2, p3, p4) = published
    p1.beneficiary_rows = [ProposalBeneficiary(group=Beneficiary.WOMEN)]
    p2.beneficiary_rows = [
        ProposalBeneficiary(group=Beneficiary.YOUTH),
        ProposalBeneficiary(group=Beneficiary.DISABILITIES),
    ]
    db.session.add_all(
        [
            Implementation(
                proposal_id=p1.id,
                status=ImplementationStatus.COMPLETED,
                planned_cost=400_000,
                actual_cost=390_000,
                community_money=20_000,
                community_labour="Арык казышты",
                started_on=date(2026, 5, 4),
                finished_on=date(2026, 8, 30),
            ),
            Implementation(
                proposal_id=p2.id,
                status=ImplementationStatus.POSTPONED,
                status_reason="Подрядчик отказался",
                planned_cost=310_000,
                community_money=5_000,
            ),
        ]
    )
    db.session.commit()
    return consultation, (p1, p2, p3, p4)


def test_the_report_per_consultation_has_each_project_and_the_totals(client, kept):
    consultation, (p1, p2, p3, p4) = kept
    page = client.get(f"/c/{consultation.id}/execution-report?lang=en").get_data(as_text=True)
    for text in (
        "Project 1",
        "Project 2",
        "Project 3",
        "Completed",
        "Postponed",
        "Подрядчик отказался",
        "Арык казышты",
        "Women and girls",
        "People with disabilities, Youth",
    ):
        assert text in page, text
    assert "Project 4" not in page
    # Planned: 400,000 + 310,000 + 250,000 (never edited: its cost); actual: only the known one.
    assert "960,000\xa0som" in page and "390,000\xa0som" in page and "25,000\xa0som" in page
    assert "1 project with a known actual cost" in page
    assert 'href="/static/report.css"' in page
    assert len(page.encode()) < 50_000


def test_the_report_prints_in_the_chosen_languages_side_by_side(client, kept):
    consultation, _ = kept
    page = client.get(f"/c/{consultation.id}/execution-report?lang=ky+ru").get_data(as_text=True)
    assert '<div class="print-column" lang="ky">' in page
    assert '<div class="print-column" lang="ru">' in page
    assert "Аяктады" in page and "Завершён" in page
    # The interface stays in the reader's language.
    assert '<html lang="en">' in page


def test_the_report_per_year_takes_the_consultations_due_that_year(client, world, kept):
    consultation, _ = kept
    year = consultation.results_on.year
    page = client.get(f"/m/ak-suu/execution-report?year={year}").get_data(as_text=True)
    assert "Project 1" in page and "960,000\xa0som" in page
    other = client.get(f"/m/ak-suu/execution-report?year={year + 1}").get_data(as_text=True)
    assert "Project 1" not in other and "No results are published for this year." in other
    for bad in ("20x6", "-1", "99999", "1999"):
        assert client.get(f"/m/ak-suu/execution-report?year={bad}").status_code == 404
    assert client.get("/m/nowhere/execution-report").status_code == 404


def test_the_report_as_xlsx_has_a_translated_sheet_and_totals(app, kept):
    consultation, _ = kept
    reader = app.test_client()
    reader.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    response = reader.get(f"/c/{consultation.id}/execution-report.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Отчёт об исполнении"]
    rows = list(book.active.values)
    assert len(rows) == 1 + 3 + 1
    assert rows[1][2] == "Project 1" and rows[1][4] == "Завершён" and rows[1][7] == 390_000
    assert rows[-1][6:9] == (960_000, 390_000, 25_000)
    year = consultation.results_on.year
    assert reader.get(f"/m/ak-suu/execution-report.xlsx?year={year}").status_code == 200


def test_the_report_waits_for_published_results(client, council_client, kept):
    consultation, _ = kept
    consultation.phase = Phase.CLOSED
    db.session.commit()
    assert client.get(f"/c/{consultation.id}/execution-report").status_code == 403
    assert council_client.get(f"/c/{consultation.id}/execution-report.xlsx").status_code == 403
