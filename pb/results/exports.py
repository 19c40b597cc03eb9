"""Exports: results and participation as CSV and XLSX, the anonymous ballots as a pabulib file."""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter
from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pb import spreadsheets
from pb.counting.model import FUNDED, FUNDED_IN_COMPLETION
from pb.counting.pabulib import write_pb
from pb.counting.rules import tie_break_key
from pb.counting_rules import COUNTING_RULES, fully_funded
from pb.extensions import db
from pb.i18n import localized
from pb.labels import category_name
from pb.models import BallotKind, Consultation, CountedResult, Proposal, ProposalStatus
from pb.results.counting import build_election, result_for
from pb.results.explain import result_rows
from pb.results.participation import Participation

Table = list[list[object]]

# The sheet of each export in an XLSX file, named in the reader's language.
SHEET_NAMES = {"results": _l("Results"), "participation": _l("Participation")}
# Excel refuses a sheet named with one of these, or longer than 31 characters.
_NOT_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def results_table(consultation: Consultation, stored: CountedResult) -> Table:
    rows: Table = [
        [
            _("Proposal number"),
            _("Proposal"),
            _("Category"),
            _("Village"),
            _("Votes"),
            _("Cost"),
            pgettext("yes or no", "Funded"),
            _("Order funded"),
            _("Why"),
        ]
    ]
    for row in result_rows(consultation, stored):
        rows.append(
            [
                row.proposal.id,
                row.proposal.title,
                category_name(row.proposal.category),
                row.proposal.village.name,
                row.votes,
                row.cost,
                _("yes") if row.funded else _("no"),
                row.position or "",
                row.explanation,
            ]
        )
    return rows


def participation_table(figures: Participation, labels_for: dict[str, dict[str, str]]) -> Table:
    rows: Table = [[_("Who"), _("Grouped by"), _("Group"), _("Number"), _("Share")]]
    dimensions = {
        "gender": _("By gender"),
        "age": _("By age group"),
        "village": _("By village"),
        "channel": _("By channel"),
    }
    for _who, heading, groups in (
        ("voters", _("Voters"), figures.voters_by),
        ("proposers", _("Proposals"), figures.proposers_by),
    ):
        for dimension, title in dimensions.items():
            breakdown = groups[dimension]
            for key, n in breakdown.counts.items():
                if n == 0:
                    continue
                share = breakdown.share(key)
                rows.append(
                    [
                        heading,
                        title,
                        labels_for[dimension].get(key, key),
                        _("too few to show") if n is None else n,
                        "" if share is None else round(float(share), 4),
                    ]
                )
    return rows


def to_csv(table: Table, language: str) -> str:
    """The table as a CSV file for a reader of ``language`` (``pb.spreadsheets.to_csv``)."""
    return spreadsheets.to_csv(table, language)


def to_xlsx(sheets: Sequence[tuple[str, Table]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    for name, table in sheets:
        sheet = book.add_worksheet(name.translate(_NOT_IN_SHEET_NAMES).strip()[:31] or None)
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                sheet.write(r, c, value, bold if r == 0 else None)
        sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def ballots_pb(consultation: Consultation) -> str:
    """The anonymous ballots as a pabulib .pb file, so anyone can recount them.

    Only the choices are written: the voters' optional details stay out, since in a small
    village a combination of age, gender and choices could point at one person.

    The file is the election as pb counted it, so that a recount with other tools (pabutools,
    pabulib's checker) gives the same result: proposals nobody voted for are left out (pb never
    funds them, and for Equal Shares they would change when the budget counts as spent; the
    comment lists them), and projects are listed in greedy order, ties broken as pb breaks them,
    since the checker takes equal votes in the order of the file. ``selected`` is 1 for projects
    the rule funded, 2 for those funded by the greedy completion after Equal Shares (explained in
    the comment), 0 for the rest.
    """
    election = build_election(consultation)
    votes, supporters = election.support(), election.supporters()
    reasons = {
        pid: entry["reason"] for pid, entry in result_for(consultation).details["projects"].items()
    }
    unvoted = [p.id for p in election.projects if supporters[p.id] == 0]
    listed = sorted(
        (p for p in election.projects if supporters[p.id] > 0),
        key=lambda p: (-votes[p.id], tie_break_key(p.id, p.cost, votes[p.id])),
    )
    proposals = {str(p.id): p for p in consultation_proposals(consultation)}
    # Every entry is text, as in a file read (``Election.project_meta``).
    selected = {FUNDED: "1", FUNDED_IN_COMPLETION: "2"}
    project_meta: dict[str, dict[str, str | None]] = {
        p.id: {
            "name": proposals[p.id].title,
            # A comma would split the category in two: it is a list in pabulib files.
            # (The database requires a category to have a key or a name.)
            "category": (
                proposals[p.id].category.key or proposals[p.id].category.name or ""
            ).replace(",", " "),
            "beneficiaries": ",".join(b.value for b in proposals[p.id].beneficiaries) or None,
            "selected": selected.get(reasons.get(p.id, ""), "0"),
        }
        for p in listed
    }
    election = election.replace(
        projects=tuple(listed),
        ballots=tuple({pid: n for pid, n in b.items() if n > 0} for b in election.ballots),
        project_meta=project_meta,
        max_length=consultation.approval_limit or None,
        max_sum_points=consultation.points_total or None,
        max_sum_cost=consultation.budget if consultation.ballot_kind == BallotKind.BUDGET else None,
    )
    rule, comments = COUNTING_RULES[consultation.counting_rule].declared_in_pabulib(
        election, consultation.complete_with_greedy
    )
    if unvoted:
        comments.append(
            "Proposals on the ballot that received no votes are not listed (they cannot be "
            "funded): " + ", ".join(unvoted) + "."
        )
    # In Kyrgyz, as its "language" says, whoever asks for it: the file is written once, by
    # whoever closes voting, and read by everyone (pb.results.ballots_file).
    with force_locale("ky"):
        description = localized(consultation, "title").text
        unit = localized(consultation.municipality, "name").text
    meta: dict[str, object] = {
        "description": description,
        "country": "Kyrgyzstan",
        "unit": unit,
        "instance": consultation.voting_from.year,
        "rule": rule,
        "date_begin": consultation.voting_from.strftime("%d.%m.%Y"),
        "date_end": consultation.voting_until.strftime("%d.%m.%Y"),
        "language": "ky",
        "currency": "KGS",
        "comment": " ".join(f"#{n}: {text}" for n, text in enumerate(comments, start=1)),
    }
    if fully_funded(election):
        # The checker reports a budget that covers every project unless this says it is so.
        meta["fully_funded"] = 1
    return write_pb(election, meta)


def consultation_proposals(consultation: Consultation) -> Sequence[Proposal]:
    return db.session.scalars(
        select(Proposal)
        .where(
            Proposal.consultation_id == consultation.id, Proposal.status == ProposalStatus.ACCEPTED
        )
        .options(joinedload(Proposal.category), selectinload(Proposal.beneficiary_rows))
    ).all()
