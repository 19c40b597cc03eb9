"""Reading and writing Pabulib's ``.pb`` files (https://pabulib.org/format).

A file has three sections, META, PROJECTS and VOTES, each a section name on its own line, a header
line, then ``;``-separated records with ``"`` quoting (Python's csv dialect). The reader is
tolerant where real files differ harmlessly — CRLF or LF, a byte order mark, the case of section
names, blank lines, spaces around cells, ``None`` for a missing value, costs written
``400000.0`` — and strict where a count could go wrong: it raises ``PabulibError`` naming the line
for a missing section or column, a cost or budget that is not a whole number, a vote for a
project that is not listed, a project listed twice on one ballot, a row with the wrong number of
cells, and counts that disagree with META's ``num_projects`` or ``num_votes``.

The file is read line by line (``PbReader``): a city's file of 100,000 ballots can be taken a
ballot at a time (``PbReader.votes``) from bytes that come a piece at a time (``text_lines``),
never held whole; ``parse_pb`` and ``read_pb`` read the same way and keep every ballot.

Only approval and cumulative (points) ballots are counted here; a file of ordinal, choose-1 or
scoring ballots raises ``UnsupportedVoteType``.

The ``votes`` and ``score`` columns of PROJECTS are not kept: they follow from the ballots, and
``write_pb`` writes them from the ballots. Voters' own columns (age, sex...) and voter ids are not
kept either; ``write_pb`` numbers the ballots 1, 2, 3...
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

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
_SPACE = re.compile(r"\s")
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


class NotText(PabulibError):
    """Bytes given as a .pb file that are not text: not UTF-8, or holding a NUL (no text file
    does, and PostgreSQL's text cannot store one)."""


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
            return PbReader(handle, source=name).election()
    except UnicodeDecodeError:
        raise NotText(Message(N_("the file is not UTF-8 text.")), source=name) from None
    except unreadable:
        raise PabulibError(Message(N_("not a readable gzip file.")), source=name) from None


def parse_pb(text: str, source: str | None = None) -> Election:
    """Read the text of a ``.pb`` file into an Election. ``source`` names it in error messages."""
    return PbReader(io.StringIO(text, newline=""), source).election()


def text_lines(chunks: Iterable[bytes], source: str | None = None) -> Iterator[str]:
    """The lines of a ``.pb`` file given as bytes a piece at a time (an upload, a file read back
    from the database), each with its line end, for ``PbReader``: decoded as UTF-8, a byte order
    mark dropped. Raises ``NotText`` for bytes that are not UTF-8 or hold a NUL."""
    lines = io.TextIOWrapper(io.BufferedReader(_Chunks(chunks)), encoding="utf-8-sig", newline="")
    try:
        for line in lines:
            if "\x00" in line:
                raise NotText(Message(N_("the file is not UTF-8 text.")), source=source)
            yield line
    except UnicodeDecodeError:
        # No line number: the bytes are decoded some thousands at a time, not line by line.
        raise NotText(Message(N_("the file is not UTF-8 text.")), source=source) from None


class _Chunks(io.RawIOBase):
    """Pieces of bytes as a binary stream, for io.TextIOWrapper."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self._left = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = memoryview(chunk)
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


class PbReader:
    """A ``.pb`` file read as it comes, line by line, so that a city's file need not be held
    whole: META and PROJECTS (small, and first) are read when the reader is made and kept in
    ``head``, the election without its ballots; ``votes()`` then yields the ballots one at a
    time, and ``election()`` keeps them all (what ``parse_pb`` does).

    The checks and their messages are ``parse_pb``'s, in the order the lines come. Those that
    need the whole file (the counts META states, a section missing) are made after the last
    ballot: whoever keeps ballots as they come must read ``votes()`` to its end before keeping
    anything for good."""

    def __init__(self, lines: Iterable[str], source: str | None = None) -> None:
        self._parser = _Parser(source)
        self._events = self._parser.sections(lines)
        sections: dict[str, tuple[int, list[str], _Rows]] = {}
        meta: _Meta | None = None
        for name, line, row in self._events:
            if row is None:
                if name == "projects":
                    # Read META now, so a large file of ballots pb does not count stops early.
                    meta = self._parser.parse_meta(*sections["meta"])
            elif name not in sections:
                sections[name] = (line, row, [])
                if name == "votes":
                    break
            else:
                sections[name][2].append((line, row))
        # Without a VOTES header, ``sections`` raised at the end of the file.
        assert meta is not None, "META is read where the PROJECTS section begins"
        entries, numbers, self.vote_type, budget = meta
        projects, project_meta = self._parser.parse_projects(*sections["projects"])
        self._votes_header = sections["votes"][:2]
        #: The counts META states, checked against the file's once it is read: key → (line, count).
        self._stated = {
            key: numbers.pop(key) for key in ("num_projects", "num_votes") if key in numbers
        }
        #: The election without its ballots: budget, projects, vote type, limits, META's text.
        self.head = Election(
            budget=budget,
            projects=tuple(projects),
            ballots=(),
            vote_type=self.vote_type,
            meta=entries,
            project_meta=project_meta,
            **{key: value for key, (_, value) in numbers.items()},
        )

    @property
    def stated_votes(self) -> int | None:
        """The number of ballots META's ``num_votes`` states, if it does (checked at the end)."""
        stated = self._stated.get("num_votes")
        return None if stated is None else stated[1]

    def votes(self) -> Iterator[dict[str, int]]:
        """The ballots, one at a time, as the file lists them (readable once)."""
        # After VOTES' header, ``sections`` yields its records only (any section name there is
        # an error it raises).
        rows = ((line, row) for _, line, row in self._events if row is not None)
        count = 0
        for ballot in self._parser.parse_votes(
            *self._votes_header, rows, self.vote_type, set(self.head.project_meta)
        ):
            count += 1
            yield ballot
        for key, found, disagreement in (
            (
                "num_projects",
                len(self.head.projects),
                N_("META says num_projects is %(stated)s, but the file lists %(count)s projects."),
            ),
            (
                "num_votes",
                count,
                N_("META says num_votes is %(stated)s, but the file lists %(count)s votes."),
            ),
        ):
            if key in self._stated:
                stated_line, stated = self._stated[key]
                if stated != found:
                    raise self._parser.error(
                        stated_line, Message(disagreement, stated=stated, count=found)
                    )

    def election(self) -> Election:
        """The whole election, its ballots read."""
        return self.head.replace(ballots=tuple(self.votes()))


class _Parser:
    def __init__(self, source: str | None) -> None:
        self.source = source

    def error(
        self, line: int | None, message: Message, kind: type[PabulibError] = PabulibError
    ) -> PabulibError:
        return kind(message, line, self.source)

    def records(self, lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
        """Yield (first line number, cells) for every non-blank record of ``lines``, which keep
        their line ends (as a file opened with ``newline=""`` gives them)."""
        lines = iter(lines)
        number = 0
        for text in lines:
            number += 1
            if number == 1:
                text = text.removeprefix("\ufeff")
            if '"' in text:
                # A quoted cell may hold a ';' or a line end: the csv module reads the record,
                # over as many lines as it spans, and no further.
                reader = csv.reader(itertools.chain((text,), lines), delimiter=";", strict=True)
                try:
                    row = [cell.strip() for cell in next(reader)]
                except csv.Error:
                    raise self.error(number, Message(N_("badly quoted cell."))) from None
                first, number = number, number + reader.line_num - 1
                if any(row):
                    yield first, row
                continue
            # Nothing quoted, as in most real files and every big one: the cells are what lies
            # between semicolons.
            text = text.rstrip("\r\n")
            if _SPACE.search(text) is None:  # no whitespace to trim: the common case
                if text.strip(";"):
                    yield number, text.split(";")
            else:
                row = [cell.strip() for cell in text.split(";")]
                if any(row):
                    yield number, row

    def sections(self, lines: Iterable[str]) -> Iterator[tuple[str, int, list[str] | None]]:
        """Yield (section, line, None) where a section begins, then (section, line, cells) for
        its header and each of its records; raise where the sections are out of order, and at
        the end for a section or header missing."""
        seen: list[str] = []  # the sections whose header is read
        current: str | None = None
        expecting_header: str | None = None
        for line, row in self.records(lines):
            name = row[0].lower()
            if name in SECTIONS and not any(row[1:]):
                if name in seen or name == expecting_header:
                    raise self.error(
                        line, Message(N_("a second %(section)s section."), section=name.upper())
                    )
                expected = SECTIONS[len(seen)]
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
                expecting_header = name
                yield name, line, None
            elif expecting_header is not None:
                current, expecting_header = expecting_header, None
                seen.append(current)
                yield current, line, row
            elif current is None:
                raise self.error(line, Message(N_("the file must begin with a line reading META.")))
            else:
                yield current, line, row
        if expecting_header is not None:
            raise self.error(
                None,
                Message(
                    N_("the %(section)s section has no header line."),
                    section=expecting_header.upper(),
                ),
            )
        for name in SECTIONS:
            if name not in seen:
                raise self.error(
                    None, Message(N_("the %(section)s section is missing."), section=name.upper())
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
        rows: Iterable[tuple[int, list[str]]],
        vote_type: str,
        project_ids: set[str],
    ) -> Iterator[dict[str, int]]:
        """Each ballot, as its line is read."""
        required = ("voter_id", "vote") + (("points",) if vote_type == CUMULATIVE else ())
        names = self.header(header_line, header, "VOTES", required)
        width = len(names)
        voter_at, vote_at = names.index("voter_id"), names.index("vote")
        points_at = names.index("points") if vote_type == CUMULATIVE else None
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
                yield dict.fromkeys(chosen, 1)
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
                yield dict(zip(chosen, map(int, points)))
                continue
            yield (
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
