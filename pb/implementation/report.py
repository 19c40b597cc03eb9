"""The execution report for the council's hearing: each funded project's planned and actual
cost, status, dates, the community's contribution and whom it serves, with totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pb.i18n import format_day, localized
from pb.implementation.services import Project
from pb.implementation.status import status_label
from pb.labels import BENEFICIARIES
from pb.models import Consultation
from pb.models.implementation import ImplementationStatus

SHEET_NAME = _l("Execution report")
Table = list[list[object]]


@dataclass(frozen=True)
class Totals:
    projects: int
    planned: int
    actual: int  # of the projects whose actual cost is known
    actual_known: int
    community_money: int
    completed: int


def totals(projects: Sequence[Project]) -> Totals:
    known = [
        p.implementation.actual_cost for p in projects if p.implementation.actual_cost is not None
    ]
    return Totals(
        projects=len(projects),
        planned=sum(p.implementation.planned_cost for p in projects),
        actual=sum(v for v in known if v is not None),
        actual_known=len(known),
        community_money=sum(p.implementation.community_money or 0 for p in projects),
        completed=sum(
            1 for p in projects if p.implementation.status == ImplementationStatus.COMPLETED
        ),
    )


def served(project: Project) -> str:
    return ", ".join(str(BENEFICIARIES[group]) for group in project.proposal.beneficiaries)


def table(sections: Sequence[tuple[Consultation, list[Project]]]) -> Table:
    """The report as one sheet: a header, a line per project, and a totals line."""
    rows: Table = [
        [
            _("Consultation"),
            _("Proposal number"),
            _("Project"),
            _("Village"),
            _("Status"),
            _("Reason (public)"),
            _("Planned cost, som"),
            _("Actual cost, som"),
            _("Money the community put in, som"),
            _("Ashar: work the community did"),
            _("Contractor"),
            _("Start date"),
            _("End date"),
            _("Mainly serves"),
        ]
    ]
    everything: list[Project] = []
    for consultation, projects in sections:
        title = str(localized(consultation, "title"))
        for project in projects:
            i = project.implementation
            rows.append(
                [
                    title,
                    project.proposal.id,
                    project.proposal.title,
                    project.proposal.village.name,
                    status_label(i.status),
                    i.status_reason or "",
                    i.planned_cost,
                    "" if i.actual_cost is None else i.actual_cost,
                    "" if i.community_money is None else i.community_money,
                    i.community_labour or "",
                    i.contractor or "",
                    format_day(i.started_on) if i.started_on else "",
                    format_day(i.finished_on) if i.finished_on else "",
                    served(project),
                ]
            )
        everything += projects
    total = totals(everything)
    rows.append(
        [_("Total"), "", "", "", "", "", total.planned, total.actual, total.community_money]
        + [""] * 5
    )
    return rows
