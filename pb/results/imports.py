"""Importing a pabulib .pb file as a closed consultation: a past paper process, or a test case."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime

from flask_babel import LazyString, force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Table

from pb.audit import trail as audit
from pb.auth.access import ensure_officer
from pb.counting.model import CUMULATIVE
from pb.counting.pabulib import Message, NotText, PabulibError, PbReader, text_lines
from pb.counting_rules import rule_in_pabulib
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    Ballot,
    BallotKind,
    Beneficiary,
    Category,
    Channel,
    Consultation,
    Municipality,
    Phase,
    Proposal,
    ProposalBeneficiary,
    ProposalStatus,
    User,
)
from pb.models.base import utcnow
from pb.models.voting import new_ballot_id, pack_choices
from pb.results.ballots_file import write_ballots_file
from pb.results.counting import count_and_store
from pb.voting.details import Counted, record_figures
from pb.voting.sheets import VoterDetails

#: Ballots inserted at a time: a few megabytes of rows, whatever the file's size.
BATCH = 5000
_BALLOTS: Table = Ballot.__table__


def _date(text: str | None, fallback: date) -> date:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text or "", pattern).date()
        except ValueError:
            continue
    return fallback


def import_pb(
    actor: User,
    municipality: Municipality,
    chunks: Iterable[bytes],
    village_id: int,
    progress: Callable[[int, int], None] | None = None,
    created: Callable[[Consultation], None] | None = None,
) -> Consultation:
    """Create a closed consultation from a .pb file, given as pieces of bytes (an upload, or
    the file read back from the database): its projects become accepted proposals of
    ``village_id``, its votes become paper ballots.

    The file is read as it comes and its ballots inserted a batch at a time, so that memory
    does not grow with the file (the count at the end needs what any count needs).
    ``progress(done, total)`` is told the ballots inserted so far every batch; ``total`` is the
    number META states, or 0. Everything or nothing is saved: a problem on any line, the last
    included, rolls back what was inserted before it. ``created(consultation)`` is told the
    consultation as soon as it has an id, before anything is committed (a job records it, to be
    saved with the import)."""
    ensure_officer(actor, municipality.id)
    if village_id not in {v.id for v in municipality.villages}:
        raise RuleViolation(_l("Choose a village of the municipality."))
    try:
        reader = PbReader(text_lines(chunks))
        if reader.head.budget < 1:
            raise RuleViolation(_l("This file gives no budget: it must be at least 1 som."))
        return _create(actor, municipality, reader, village_id, progress, created)
    except NotText:
        db.session.rollback()
        raise RuleViolation(_l("The file is not UTF-8 text.")) from None
    except PabulibError as error:
        db.session.rollback()
        raise RuleViolation(
            # Lazy all the way down: a job's failure is said in each reader's language.
            _l("This file cannot be read: %(error)s", error=LazyString(problem, error))
        ) from None


def problem(error: PabulibError) -> str:
    """What is wrong with a .pb file, and where, in the reader's language (the reader of
    ``pb.counting`` writes it in English, its parts apart)."""
    text = _translated(error.message)
    if error.line:
        return gettext("line %(line)s: %(problem)s", line=error.line, problem=text)
    return text


def _translated(message: Message) -> str:
    values = {
        key: _translated(value) if isinstance(value, Message) else value
        for key, value in message.values.items()
    }
    return gettext(message.template, **values)


def _create(
    actor: User,
    municipality: Municipality,
    reader: PbReader,
    village_id: int,
    progress: Callable[[int, int], None] | None,
    created: Callable[[Consultation], None] | None = None,
) -> Consultation:
    election = reader.head  # without its ballots, read below as they come
    meta = election.meta
    today = utcnow().date()
    start = _date(meta.get("date_begin"), today)
    end = max(_date(meta.get("date_end"), start), start)
    points = election.vote_type == CUMULATIVE
    rule = str(meta.get("rule") or "")
    consultation = Consultation(
        municipality_id=municipality.id,
        **_titles(
            meta.get("description"), f"{meta.get('unit') or ''} {meta.get('instance') or ''}"
        ),
        budget=election.budget,
        phase=Phase.CLOSED,
        proposals_from=start,
        proposals_until=start,
        review_until=start,
        voting_from=start,
        voting_until=end,
        results_on=end,
        ballot_kind=BallotKind.POINTS
        if points
        else (BallotKind.APPROVAL if election.max_length else BallotKind.BUDGET),
        approval_limit=None if points else election.max_length,
        # Where the file states no limit, the most points a ballot gives, once all are read.
        points_total=(election.max_sum_points or 1) if points else None,
        allow_accounts=False,
        allow_codes=False,
        allow_paper=True,
        counting_rule=rule_in_pabulib(rule).name,
        complete_with_greedy=False,
        created_by_id=actor.id,
    )
    # By key, so that each reader sees it named in her language (pb.labels.category_name).
    category = Category(key="imported", position=0)
    consultation.categories = [category]
    consultation.villages = [v for v in municipality.villages if v.id == village_id]
    db.session.add(consultation)
    db.session.flush()
    if created is not None:
        created(consultation)
    proposal_ids: dict[str, int] = {}
    for project in election.projects:
        details = election.project_meta.get(project.id, {})
        proposal = Proposal(
            consultation_id=consultation.id,
            title=(details.get("name") or f"{project.id}")[:150],
            description=(details.get("description") or details.get("name") or project.id)[:5000],
            estimated_cost=project.cost,
            category_id=category.id,
            village_id=village_id,
            status=ProposalStatus.ACCEPTED,
            entered_by_id=actor.id,
        )
        proposal.beneficiary_rows = [
            ProposalBeneficiary(group=group) for group in _beneficiaries(details)
        ]
        db.session.add(proposal)
        db.session.flush()
        proposal_ids[project.id] = proposal.id
    ballots = _Ballots(consultation.id, reader, proposal_ids, progress)
    # A .pb file's voters' own columns (age, sex...) are not read: every imported ballot
    # counts as paper, its details not given, as the participation figures of a close would.
    # The figures are counted as the ballots are read and inserted, in one pass over the file.
    record_figures(consultation.id, ballots)
    if points and not election.max_sum_points and ballots.count:
        consultation.points_total = ballots.most_points
    # An imported consultation is closed: its result is counted with it, as at a close.
    count_and_store(consultation)
    # And its anonymous ballots' file, written once, as at a close (pb.results.ballots_file).
    write_ballots_file(consultation)
    audit.record(
        actor,
        "results.import",
        municipality_id=municipality.id,
        target=("consultation", consultation.id),
        after={
            "title": consultation.title_en,
            "proposals": len(proposal_ids),
            "ballots": ballots.count,
        },
    )
    db.session.commit()
    return consultation


class _Ballots:
    """The file's ballots, inserted as they are read, ``BATCH`` at a time, and yielded as the
    participation figures count them: memory holds one batch, whatever the file's size.
    Iterated once; ``count`` and ``most_points`` are known once it is done."""

    def __init__(
        self,
        consultation_id: int,
        reader: PbReader,
        proposal_ids: Mapping[str, int],
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.consultation_id = consultation_id
        self.reader = reader
        self.proposal_ids = proposal_ids
        self.progress = progress
        self.count = 0
        self.most_points = 0

    def __iter__(self) -> Iterator[Counted]:
        total = self.reader.stated_votes or 0
        if self.progress:
            self.progress(0, total)
        rows: list[tuple[str, int, str, str]] = []
        paper, no_details = Channel.PAPER.value, VoterDetails()
        for ballot in self.reader.votes():
            chosen = {self.proposal_ids[pid]: pts for pid, pts in ballot.items() if pts > 0}
            rows.append((new_ballot_id(), self.consultation_id, paper, pack_choices(chosen)))
            self.most_points = max(self.most_points, sum(ballot.values()))
            yield Counted(paper, no_details, list(chosen.items()))
            if len(rows) == BATCH:
                self._insert(rows, total)
                rows = []
        # The reader's last checks (the counts META states) are made when its votes are done:
        # a file that fails them raises above, and nothing is kept.
        self._insert(rows, total)

    def _insert(self, rows: list[tuple[str, int, str, str]], total: int) -> None:
        _insert_rows(_BALLOTS, ("id", "consultation_id", "channel", "choices"), rows)
        self.count += len(rows)
        if self.progress:
            self.progress(self.count, total)


def _insert_rows(
    table: Table, columns: tuple[str, ...], rows: Sequence[tuple[object, ...]]
) -> None:
    """Insert plain rows, the values as the columns store them (no objects made for them, no
    column types applied), in the session's transaction: by COPY on PostgreSQL (psycopg's
    executemany spends some 100 µs a row in Python: half a minute for a city's ballots), by
    one executemany of the driver elsewhere."""
    if not rows:
        return
    connection = db.session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        psycopg = connection.connection.driver_connection
        assert psycopg is not None, "a connection in use has its driver's"
        with (
            psycopg.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)


def _titles(description: str | None, name: str) -> dict[str, str]:
    """The file's own description as the title (in whatever language it is written), or else
    "Imported: <unit> <instance>" in each language."""
    if description and description.strip():
        return {"title_en": description.strip()[:200]}
    titles = {}
    for language in ("ky", "ru", "en"):
        with force_locale(language):
            titles[f"title_{language}"] = gettext("Imported: %(name)s", name=name.strip())[:200]
    return titles


def _beneficiaries(details: Mapping[str, str | None]) -> list[Beneficiary]:
    """The groups named in the file's ``beneficiaries`` column (``target`` before 2026) that pb
    knows, as pb's own exports write them; "everyone" when there are none."""
    named = (details.get("beneficiaries") or details.get("target") or "").split(",")
    known = {group.value: group for group in Beneficiary}
    groups = list(dict.fromkeys(known[n.strip()] for n in named if n.strip() in known))
    return groups or [Beneficiary.EVERYONE]
