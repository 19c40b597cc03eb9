"""Exports: results and participation as CSV and XLSX, the anonymous ballots as a pabulib file."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace

import xlsxwriter
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pb.counting.pabulib import write_pb
from pb.extensions import db
from pb.i18n import localized
from pb.labels import category_name
from pb.models import Consultation, CountedResult, Proposal, ProposalStatus
from pb.results.counting import build_election
from pb.results.explain import result_rows
from pb.results.participation import Participation

Table = list[list[object]]


def results_table(consultation: Consultation, stored: CountedResult) -> Table:
    rows: Table = [[
        _("Proposal number"), _("Proposal"), _("Category"), _("Village"), _("Votes"), _("Cost"),
        _("Funded"), _("Order funded"), _("Why"),
    ]]
    for row in result_rows(consultation, stored):
        rows.append([
            row.proposal.id, row.proposal.title, category_name(row.proposal.category),
            row.proposal.village.name, row.votes, row.cost, _("yes") if row.funded else _("no"),
            row.position or "", row.explanation,
        ])
    return rows


def participation_table(figures: Participation, labels_for: dict[str, dict[str, str]]) -> Table:
    rows: Table = [[_("Who"), _("Grouped by"), _("Group"), _("Number"), _("Share")]]
    dimensions = {"gender": _("By gender"), "age": _("By age group"), "village": _("By village"), "channel": _("By channel")}
    for who, heading, groups in (("voters", _("Voters"), figures.voters_by), ("proposers", _("Proposals"), figures.proposers_by)):
        for dimension, title in dimensions.items():
            breakdown = groups[dimension]
            for key, n in breakdown.counts.items():
                if n == 0:
                    continue
                share = breakdown.share(key)
                rows.append([
                    heading, title, labels_for[dimension].get(key, key),
                    _("fewer than 5") if n is None else n,
                    "" if share is None else round(float(share), 4),
                ])
    return rows


def to_csv(table: Table) -> str:
    out = io.StringIO()
    # The byte order mark lets spreadsheet programs read Cyrillic correctly.
    out.write("\ufeff")
    csv.writer(out).writerows(table)
    return out.getvalue()


def to_xlsx(sheets: Sequence[tuple[str, Table]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    for name, table in sheets:
        sheet = book.add_worksheet(name[:31])
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                sheet.write(r, c, value, bold if r == 0 else None)
        sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def ballots_pb(consultation: Consultation) -> str:
    """The anonymous ballots as a pabulib .pb file, so anyone can recount them.

    Only the choices are written: the voters' optional details stay out, since in a small
    village a combination of age, gender and choices could point at one person."""
    election = build_election(consultation)
    proposals = {str(p.id): p for p in consultation_proposals(consultation)}
    project_meta = {
        pid: {
            "name": proposals[pid].title,
            "category": proposals[pid].category.key or proposals[pid].category.name,
            "target": ",".join(b.value for b in proposals[pid].beneficiaries),
        }
        for pid in (p.id for p in election.projects)
    }
    election = replace(election, project_meta=project_meta)
    title = localized(consultation, "title").text
    meta = {
        "description": title,
        "country": "Kyrgyzstan",
        "unit": localized(consultation.municipality, "name").text,
        "instance": consultation.id,
        "rule": "equalshares" + ("/greedy" if consultation.complete_with_greedy else "")
        if consultation.counting_rule == "equal-shares" else "greedy",
        "date_begin": consultation.voting_from.strftime("%d.%m.%Y"),
        "date_end": consultation.voting_until.strftime("%d.%m.%Y"),
        "currency": "KGS",
        "language": "ky",
    }
    if consultation.approval_limit:
        election = replace(election, max_length=consultation.approval_limit)
    if consultation.points_total:
        election = replace(election, max_sum_points=consultation.points_total)
    if consultation.ballot_kind.value == "budget":
        election = replace(election, max_sum_cost=consultation.budget)
    return write_pb(election, meta)


def consultation_proposals(consultation: Consultation) -> Sequence[Proposal]:
    return db.session.scalars(
        select(Proposal)
        .where(Proposal.consultation_id == consultation.id, Proposal.status == ProposalStatus.ACCEPTED)
        .options(joinedload(Proposal.category), selectinload(Proposal.beneficiary_rows))
    ).all()

