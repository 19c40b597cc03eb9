"""Reading and writing Pabulib's ``.pb`` files (https://pabulib.org/format).

A file has three sections, META, PROJECTS and VOTES, each a section name on its own line, a header
line, then ``;``-separated records with ``"`` quoting (Python's csv dialect). The reader is
tolerant where real files differ harmlessly — CRLF or LF, a byte order mark, the case of section
names, blank lines, spaces around cells, ``None`` for a missing value, costs written
``400000.0`` — and strict where a count could go wrong: it raises ``PabulibError`` naming the line
for a missing section or column, a cost or budget that is not a whole number, a vote for a
project that is not listed, a project listed twice on one ballot, a row with the wrong number of
cells, and counts that disagree with META's ``num_projects`` or ``num_votes``.

Only approval and cumulative (points) ballots are counted here; a file of ordinal, choose-1 or
scoring ballots raises ``UnsupportedVoteType``.

The ``votes`` and ``score`` columns of PROJECTS are not kept: they follow from the ballots, and
``write_pb`` writes them from the ballots. Voters' own columns (age, sex...) and voter ids are not
kept either; ``write_pb`` numbers the ballots 1, 2, 3...
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator, Mapping
from typing import IO

from pb.counting.model import APPROVAL, CUMULATIVE, LIMIT_KEYS, Election, Project

SECTIONS = ("meta", "projects", "votes")


def N_(message: str) -> str:
    """Mark an English message for pb's catalogs (gettext's extractor looks for ``N_``). It stays
    English here; the web application shows it translated (``pb.results.imports``)."""
    return message


UNSUPPORTED = {
    "ordinal": N_("ordinal ballots (rankings)"),
    "choose-1": N_("choose-1 ballots (one project per voter)"),
    "scoring": N_("scoring ballots (a score for every project)"),
}
# META keys that become fields of the Election (or are checked) rather than kept as text.
_COUNTED_META = {"budget", "vote_type", "num_projects", "num_votes", *LIMIT_KEYS}
# META keys in a written file come in the order pabulib's checker expects (its canonical order);
# any others follow.
_META_ORDER = (
    "description",
    "country",
    "unit",
    "district",
    "subunit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
    *LIMIT_KEYS,
    "default_score",
    "min_project_cost",
    "max_project_cost",
    "min_project_score_threshold",
    "neighborhoods",
    "subdistricts",
    "categories",
    "edition",
    "language",
    "currency",
    "fully_funded",
    "experimental",
    "comment",
    "acknowledgments",
    "leftover_budget",
)
_DERIVED_COLUMNS = {"votes", "score"}
_WHOLE = re.compile(r"[0-9]+(?:\.0*)?")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]*)?|-?\.[0-9]+")

#: A section's records: (line number, cells).
_Rows = list[tuple[int, list[str]]]
#: META as read: (other entries, whole-number entries with their lines, vote type, budget).
_Meta = tuple[dict[str, str], dict[str, tuple[int, int]], str, int]


class Message:
    """A message in English, its values kept apart, so that a reader of another language can
    be shown it translated: ``template % values``, where a value may be a Message itself."""

    __slots__ = ("template", "values")

    def __init__(self, template: str, **values: object) -> None:
        self.template = template
        self.values = values

    def __str__(self) -> str:
        return self.template % {key: str(value) for key, value in self.values.items()}


class PabulibError(ValueError):
    """A .pb file that cannot be read; the message says what is wrong and where. ``message``,
    ``line`` and ``source`` are its parts, for a translation."""

    def __init__(
        self, message: Message | str, line: int | None = None, source: str | None = None
    ) -> None:
        self.message = (
            message if isinstance(message, Message) else Message("%(text)s", text=message)
        )
        self.line = line
        self.source = source
        prefix = f"{source}, " if source else ""
        where = f"line {line}: " if line else ""
        super().__init__(f"{prefix}{where}{self.message}")


class UnsupportedVoteType(PabulibError):
    """A well-formed .pb file whose ballots pb does not count (ordinal, choose-1, scoring)."""


def read_pb(path: str | os.PathLike[str]) -> Election:
    """Read a ``.pb`` file, or a gzip-compressed ``.pb.gz``, into an Election."""
    name = os.path.basename(path)
    opener: Callable[..., IO[str]]
    unreadable: tuple[type[Exception], ...]
    if name.endswith(".gz"):
        import gzip  # only here: ``python -m pb.counting`` starts sooner without it

        opener, unreadable = gzip.open, (gzip.BadGzipFile, EOFError)
    else:
        opener, unreadable = open, ()
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise PabulibError(Message(N_("the file is not UTF-8 text.")), source=name) from None
    except unreadable:
        raise PabulibError(Message(N_("not a readable gzip file.")), source=name) from None
    return parse_pb(text, source=name)


def parse_pb(text: str, source: str | None = None) -> Election:
    """Read the text of a ``.pb`` file into an Election. ``source`` names it in error messages."""
    return _Parser(text, source).parse()


class _Parser:
    def __init__(self, text: str, source: str | None) -> None:
        self.text = text.removeprefix("\ufeff")
        self.source = source

    def error(
        self, line: int | None, message: Message, kind: type[PabulibError] = PabulibError
    ) -> PabulibError:
        return kind(message, line, self.source)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (first line number, cells) for every non-blank record."""
        if '"' not in self.text:
            # Nothing quoted: a record is a line (as the csv module ends lines: \r\n, \n or \r)
            # and cells are what lies between semicolons. Most real files, and every big one.
            lines = self.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            for number, text in enumerate(lines, start=1):
                if len(text.split()) == 1:  # no whitespace to trim: the common case
                    if text.strip(";"):
                        yield number, text.split(";")
                elif text.strip():
                    row = [cell.strip() for cell in text.split(";")]
                    if any(row):
                        yield number, row
            return
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=";", strict=True)
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise self.error(line, Message(N_("badly quoted cell."))) from None
            if any(cell.strip() for cell in row):
                yield line, [cell.strip() for cell in row]

    def parse(self) -> Election:
        sections: dict[str, tuple[int, list[str], _Rows]] = {}
        rows: _Rows | None = None
        expecting_header: str | None = None
        meta: _Meta | None = None
        for line, row in self.records():
            name = row[0].lower()
            if name in SECTIONS and not any(row[1:]):
                if name in sections or name == expecting_header:
                    raise self.error(
                        line, Message(N_("a second %(section)s section."), section=name.upper())
                    )
                expected = SECTIONS[len(sections)]
                if name != expected:
                    raise self.error(
                        line,
                        Message(
                            N_(
                                "found the %(found)s section where %(expected)s should begin "
                                "(the order is META, PROJECTS, VOTES)."
                            ),
                            found=name.upper(),
                            expected=expected.upper(),
                        ),
                    )
                if expecting_header is not None:
                    raise self.error(
                        line,
                        Message(
                            N_("the %(section)s section has no header."),
                            section=expecting_header.upper(),
                        ),
                    )
                if name == "projects":
                    # Read META now, so a large file of ballots pb does not count stops early.
                    meta = self.parse_meta(*sections["meta"])
                expecting_header = name
            elif expecting_header is not None:
                rows = []
                sections[expecting_header] = (line, row, rows)
                expecting_header = None
            elif rows is None:
                raise self.error(line, Message(N_("the file must begin with a line reading META.")))
            else:
                rows.append((line, row))
        if expecting_header is not None:
            raise self.error(
                None,
                Message(
                    N_("the %(section)s section has no header line."),
                    section=expecting_header.upper(),
                ),
            )
        for name in SECTIONS:
            if name not in sections:
                raise self.error(
                    None, Message(N_("the %(section)s section is missing."), section=name.upper())
                )

        assert meta is not None, "META is read where the PROJECTS section begins"
        entries, numbers, vote_type, budget = meta
        projects, project_meta = self.parse_projects(*sections["projects"])
        ballots = self.parse_votes(*sections["votes"], vote_type, set(project_meta))
        for key, count, disagreement in (
            (
                "num_projects",
                len(projects),
                N_("META says num_projects is %(stated)s, but the file lists %(count)s projects."),
            ),
            (
                "num_votes",
                len(ballots),
                N_("META says num_votes is %(stated)s, but the file lists %(count)s votes."),
            ),
        ):
            if key in numbers:
                stated_line, stated = numbers.pop(key)
                if stated != count:
                    raise self.error(stated_line, Message(disagreement, stated=stated, count=count))
        return Election(
            budget=budget,
            projects=tuple(projects),
            ballots=tuple(ballots),
            vote_type=vote_type,
            meta=entries,
            project_meta=project_meta,
            **{key: value for key, (_, value) in numbers.items()},
        )

    def parse_meta(self, header_line: int, header: list[str], rows: _Rows) -> _Meta:
        """META as (other entries, whole-number entries with their lines, vote type, budget)."""
        if [cell.lower() for cell in header[:2]] != ["key", "value"] or any(header[2:]):
            raise self.error(header_line, Message(N_("the META header must read key;value.")))
        entries: dict[str, str] = {}
        lines: dict[str, int] = {}
        for line, row in rows:
            if len(row) < 2 or any(row[2:]):
                raise self.error(line, Message(N_("a META line must hold exactly key;value.")))
            key, value = row[0], row[1]
            if key in entries:
                raise self.error(line, Message(N_("META key '%(key)s' appears twice."), key=key))
            entries[key] = value
            lines[key] = line
        for key in ("budget", "vote_type"):
            if key not in entries:
                raise self.error(header_line, Message(N_("META has no '%(key)s' line."), key=key))
        vote_type = self.vote_type(entries.pop("vote_type"), lines["vote_type"])
        budget = self.whole(
            entries.pop("budget"), Message(N_("the budget")), lines["budget"], minimum=0
        )
        numbers: dict[str, tuple[int, int]] = {}
        for key in ("num_projects", "num_votes", *LIMIT_KEYS):
            if key in entries:
                value = entries.pop(key)
                if value.lower() != "none":
                    numbers[key] = (lines[key], self.whole(value, key, lines[key], minimum=0))
        return entries, numbers, vote_type, budget

    def vote_type(self, cell: str, line: int) -> str:
        vote_type = cell.lower()
        if vote_type in UNSUPPORTED:
            raise self.error(
                line,
                Message(
                    N_(
                        "this file holds %(ballots)s; pb counts approval and cumulative "
                        "(points) ballots only."
                    ),
                    ballots=Message(UNSUPPORTED[vote_type]),
                ),
                UnsupportedVoteType,
            )
        if vote_type not in (APPROVAL, CUMULATIVE):
            raise self.error(
                line,
                Message(
                    N_("unknown vote_type '%(vote_type)s'; expected approval or cumulative."),
                    vote_type=vote_type,
                ),
            )
        return vote_type

    def whole(self, cell: str, what: Message | str, line: int, minimum: int) -> int:
        """A whole number, possibly written as a decimal with a zero fraction (``400000.0``)."""
        if _WHOLE.fullmatch(cell):
            value = int(cell.split(".")[0])
        elif _DECIMAL.fullmatch(cell):
            if cell.startswith("-"):
                problem = N_("%(what)s must not be negative, found '%(cell)s'.")
            else:
                problem = N_("%(what)s must be a whole number, found '%(cell)s'.")
            raise self.error(line, Message(problem, what=what, cell=cell))
        elif _DECIMAL.fullmatch(cell.replace(",", ".", 1)):
            problem = N_(
                "%(what)s must be a number, found '%(cell)s' (decimals take a point, not a comma)."
            )
            raise self.error(line, Message(problem, what=what, cell=cell))
        else:
            problem = N_("%(what)s must be a number, found '%(cell)s'.")
            raise self.error(line, Message(problem, what=what, cell=cell))
        if value < minimum:
            problem = N_("%(what)s must be at least %(minimum)s, found '%(cell)s'.")
            raise self.error(line, Message(problem, what=what, minimum=minimum, cell=cell))
        return value

    def header(
        self, line: int, header: list[str], section: str, required: tuple[str, ...]
    ) -> list[str]:
        names = [cell.lower() for cell in header]
        while names and not names[-1]:
            names.pop()
        for name in required:
            if name not in names:
                raise self.error(
                    line,
                    Message(
                        N_("the %(section)s header has no '%(column)s' column."),
                        section=section,
                        column=name,
                    ),
                )
        if len(set(names)) != len(names):
            raise self.error(
                line, Message(N_("the %(section)s header names a column twice."), section=section)
            )
        return names

    def cells(self, line: int, row: list[str], names: list[str], section: str) -> dict[str, str]:
        extra = row[len(names) :]
        if len(row) < len(names) or any(extra):
            raise self.error(
                line,
                Message(
                    N_(
                        "this %(section)s line has %(cells)s cells, but the header has "
                        "%(columns)s columns."
                    ),
                    section=section,
                    cells=len(row),
                    columns=len(names),
                ),
            )
        return dict(zip(names, row))

    def parse_projects(
        self, header_line: int, header: list[str], rows: _Rows
    ) -> tuple[list[Project], dict[str, dict[str, str | None]]]:
        names = self.header(header_line, header, "PROJECTS", ("project_id", "cost"))
        projects: list[Project] = []
        project_meta: dict[str, dict[str, str | None]] = {}
        for line, row in rows:
            cells = self.cells(line, row, names, "PROJECTS")
            project_id = cells["project_id"]
            if not project_id:
                raise self.error(line, Message(N_("a project has no id.")))
            if "," in project_id:
                raise self.error(
                    line,
                    Message(N_("project id '%(project)s' contains a comma."), project=project_id),
                )
            if project_id in project_meta:
                raise self.error(
                    line, Message(N_("project '%(project)s' is listed twice."), project=project_id)
                )
            cost = self.whole(
                cells["cost"],
                Message(N_("the cost of project %(project)s"), project=project_id),
                line,
                minimum=1,
            )
            projects.append(Project(project_id, cost))
            project_meta[project_id] = {
                name: (None if value.lower() == "none" else value)
                for name, value in cells.items()
                if name not in ("project_id", "cost") and name not in _DERIVED_COLUMNS
            }
        return projects, project_meta

    def parse_votes(
        self,
        header_line: int,
        header: list[str],
        rows: _Rows,
        vote_type: str,
        project_ids: set[str],
    ) -> list[dict[str, int]]:
        required = ("voter_id", "vote") + (("points",) if vote_type == CUMULATIVE else ())
        names = self.header(header_line, header, "VOTES", required)
        width = len(names)
        voter_at, vote_at = names.index("voter_id"), names.index("vote")
        points_at = names.index("points") if vote_type == CUMULATIVE else None
        ballots: list[dict[str, int]] = []
        voters: set[str] = set()
        # A city's file has 100,000 lines: the common case is checked in few steps, and
        # anything unusual goes the long way, which finds and names the problem.
        for line, row in rows:
            if len(row) != width:
                self.cells(line, row, names, "VOTES")  # raises unless the extra cells are empty
            voter = row[voter_at]
            if voter in voters:
                raise self.error(line, Message(N_("voter '%(voter)s' appears twice."), voter=voter))
            voters.add(voter)
            cell = row[vote_at]
            chosen = cell.split(",") if cell else []
            if len(cell.split()) > 1:  # whitespace inside, around the commas
                chosen = [part.strip() for part in chosen]
            if (
                not project_ids.issuperset(chosen)
                or len(set(chosen)) != len(chosen)
                or "" in chosen
            ):
                chosen = self.id_list(cell, line, voter, project_ids)
            if points_at is None:
                ballots.append(dict.fromkeys(chosen, 1))
                continue
            cell = row[points_at]
            points = cell.split(",") if cell else []
            if len(points) != len(chosen):
                raise self.error(
                    line,
                    Message(
                        N_("voter %(voter)s lists %(chosen)s projects but %(points)s points."),
                        voter=voter,
                        chosen=len(chosen),
                        points=len(points),
                    ),
                )
            if cell.isascii() and cell.replace(",", "").isdigit() and "" not in points:
                # Plain digits, by far the most common: read in one go.
                ballots.append(dict(zip(chosen, map(int, points))))
                continue
            ballots.append(
                {
                    project_id: int(value)
                    if value.isascii() and value.isdigit()
                    else self.whole(
                        value.strip(),
                        Message(N_("points of voter %(voter)s"), voter=voter),
                        line,
                        0,
                    )
                    for project_id, value in zip(chosen, points)
                }
            )
        return ballots

    def id_list(self, cell: str, line: int, voter: str, project_ids: set[str]) -> list[str]:
        if not cell:
            return []
        chosen = [part.strip() for part in cell.split(",")]
        for project_id in chosen:
            if not project_id:
                raise self.error(
                    line,
                    Message(
                        N_("the vote of voter %(voter)s has an empty project id."), voter=voter
                    ),
                )
            if project_id not in project_ids:
                raise self.error(
                    line,
                    Message(
                        N_(
                            "voter %(voter)s votes for project '%(project)s', which is not in "
                            "PROJECTS."
                        ),
                        voter=voter,
                        project=project_id,
                    ),
                )
        if len(set(chosen)) != len(chosen):
            raise self.error(
                line, Message(N_("voter %(voter)s lists the same project twice."), voter=voter)
            )
        return chosen


def write_pb(election: Election, meta: Mapping[str, object] | None = None) -> str:
    """The text of a ``.pb`` file holding ``election``; ``parse_pb`` reads it back unchanged.

    ``meta`` adds or replaces META entries (description, country, unit, instance, rule,
    date_begin, date_end, language, currency...) on top of ``election.meta``. The counts, the
    budget, the vote type and the ballot limits always come from the election. Lines end in
    ``\\n``, cells are quoted only where needed, and surrounding spaces are trimmed.
    """
    entries: dict[str, str] = {
        key: _text(value) for key, value in {**election.meta, **(meta or {})}.items()
    }
    for key in _COUNTED_META:
        entries.pop(key, None)
    entries.update(
        num_projects=str(len(election.projects)),
        num_votes=str(len(election.ballots)),
        budget=str(election.budget),
        vote_type=election.vote_type,
    )
    for key in LIMIT_KEYS:
        value = getattr(election, key)
        if value is not None:
            entries[key] = str(value)
    ordered = [key for key in _META_ORDER if key in entries]
    ordered += [key for key in entries if key not in _META_ORDER]

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key in ordered:
        writer.writerow([key, entries[key]])

    known = {p.id for p in election.projects}
    for project in election.projects:
        if "," in project.id or project.id != project.id.strip():
            raise ValueError(f"Project id {project.id!r} cannot be written to a .pb file.")
    cumulative = election.vote_type == CUMULATIVE
    columns: list[str] = []
    for values in election.project_meta.values():
        for name in values:
            if name not in columns and name not in _DERIVED_COLUMNS:
                columns.append(name)
    votes, score = election.supporters(), election.support()
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", "votes", *(["score"] if cumulative else []), *columns])
    for project in election.projects:
        values = election.project_meta.get(project.id, {})
        writer.writerow(
            [project.id, project.cost, votes[project.id]]
            + ([score[project.id]] if cumulative else [])
            + [_text(values.get(name)) for name in columns]
        )

    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", *(["points"] if cumulative else [])])
    for number, ballot in enumerate(election.ballots, start=1):
        unknown = [project_id for project_id in ballot if project_id not in known]
        if unknown:
            raise ValueError(f"Ballot {number} names unknown project {unknown[0]!r}.")
        if cumulative:
            chosen = sorted(ballot, key=lambda project_id: -ballot[project_id])
            writer.writerow([number, ",".join(chosen), ",".join(str(ballot[p]) for p in chosen)])
        else:
            writer.writerow([number, ",".join(ballot)])
    return out.getvalue()


def _text(value: object) -> str:
    return "None" if value is None else str(value).strip()
