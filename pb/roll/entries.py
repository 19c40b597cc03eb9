"""Keeping the roll: importing the household register, adding, correcting and removing people by
hand, exporting it. Officers of the municipality only.

An import is two steps. ``read_roll_file`` reads and checks the file and keeps what it read in
a ``RollImport`` row (not on the roll); the officer looks at the preview and ``import_roll``
puts the rows on the roll, all in one transaction. The rows read are personal data, so they do
not stay: they are deleted once imported, and imports never confirmed are deleted a day after
they were read (when any officer next reads a file).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, delete, func, insert, select, update

from pb.audit import trail as audit
from pb.auth.access import ensure_officer
from pb.auth.phone import PhoneError, normalise_phone
from pb.collation import in_kyrgyz_order
from pb.errors import RuleViolation
from pb.extensions import db
from pb.labels import GENDERS
from pb.models import (
    Consultation,
    Gender,
    Municipality,
    Phase,
    RollEntry,
    RollImport,
    RollMark,
    User,
    Village,
)
from pb.models.base import utcnow
from pb.roll.names import clean_name, name_key
from pb.roll.reading import (
    COLUMN_LABELS,
    COLUMNS,
    FIRST_YEAR,
    HOUSEHOLD_MAX,
    NAME_MAX,
    DuplicateKey,
    Problem,
    RollRow,
    likely_duplicates,
    read_roll,
)
from pb.spreadsheets import neutralised
from pb.voting import voters

# An import read and never confirmed is kept this long, then deleted.
UNCONFIRMED_KEPT = timedelta(days=1)
SAMPLE_SIZE = 20


def current_year() -> int:
    return utcnow().year


def _roll_keys(municipality_id: int) -> set[DuplicateKey]:
    """Name, year of birth and village of everyone on the roll: one query, for the whole file."""
    return {
        (key, year, village_id)
        for key, year, village_id in db.session.execute(
            select(RollEntry.name_key, RollEntry.birth_year, RollEntry.village_id).where(
                RollEntry.municipality_id == municipality_id
            )
        )
    }


def roll_size(municipality: Municipality) -> int:
    return (
        db.session.scalar(select(func.count()).where(RollEntry.municipality_id == municipality.id))
        or 0
    )


# --- import ------------------------------------------------------------------------------------


def read_roll_file(
    actor: User, municipality: Municipality, filename: str, data: bytes
) -> RollImport:
    """Read and check an uploaded roll file, and keep what was read for the preview. Nothing
    goes on the roll."""
    ensure_officer(actor, municipality.id)
    result = read_roll(
        data,
        filename,
        {village.name: village.id for village in municipality.villages},
        current_year(),
        current_app.config["ROLL_FILE_MAX_BYTES"],
    )
    db.session.execute(
        delete(RollImport).where(
            RollImport.imported_at.is_(None), RollImport.created_at < utcnow() - UNCONFIRMED_KEPT
        )
    )
    roll_import = RollImport(
        municipality_id=municipality.id,
        uploaded_by_id=actor.id,
        # The name as the officer's computer gave it, without its folders, to show.
        filename=os.path.basename(filename.replace("\\", "/"))[:200] or "—",
        rows=list(result.rows),
        problems=[problem.as_json() for problem in result.problems],
    )
    db.session.add(roll_import)
    db.session.commit()
    return roll_import


def roll_import_of(municipality: Municipality, import_id: int) -> RollImport | None:
    """An import of this municipality's (None for another municipality's)."""
    roll_import = db.session.get(RollImport, import_id)
    if roll_import is None or roll_import.municipality_id != municipality.id:
        return None
    return roll_import


@dataclass
class ImportPreview:
    problems: list[Problem]
    rows_read: int
    # Rows that go on the roll whatever the officer chooses (not likely duplicates).
    to_add: list[RollRow]
    # Likely duplicates, and the line of the file they repeat (None: someone on the roll).
    duplicates: list[tuple[RollRow, int | None]]

    @property
    def sample(self) -> list[RollRow]:
        return self.to_add[:SAMPLE_SIZE]


def preview(actor: User, roll_import: RollImport) -> ImportPreview:
    """What confirming the import would do, against the roll as it is now."""
    ensure_officer(actor, roll_import.municipality_id)
    rows: list[RollRow] = roll_import.rows
    duplicates = likely_duplicates(rows, _roll_keys(roll_import.municipality_id))
    repeated = {duplicate.line: duplicate.of_line for duplicate in duplicates}
    return ImportPreview(
        problems=[Problem.from_json(problem) for problem in roll_import.problems],
        rows_read=len(rows),
        to_add=[row for row in rows if row["line"] not in repeated],
        duplicates=[(row, repeated[row["line"]]) for row in rows if row["line"] in repeated],
    )


def import_roll(actor: User, roll_import: RollImport, add_duplicates: bool) -> int:
    """Put the rows of a checked file on the roll, in one transaction; the number added.
    Likely duplicates (of people on the roll, or of an earlier line) are left out unless
    ``add_duplicates``."""
    ensure_officer(actor, roll_import.municipality_id)
    if roll_import.problems:
        raise RuleViolation(
            _l("The file has problems. Correct them in the file and upload it again.")
        )
    now = utcnow()
    # Claimed first: a confirmation sent twice, or by two officers at once, imports once.
    claimed = db.session.execute(
        update(RollImport)
        .where(RollImport.id == roll_import.id, RollImport.imported_at.is_(None))
        .values(imported_at=now)
    )
    if cast("CursorResult[Any]", claimed).rowcount != 1:
        db.session.rollback()
        raise RuleViolation(_l("This file is already on the roll."))
    rows: list[RollRow] = roll_import.rows
    municipality_id = roll_import.municipality_id
    villages = set(
        db.session.scalars(select(Village.id).where(Village.municipality_id == municipality_id))
    )
    if any(row["village_id"] not in villages for row in rows):
        db.session.rollback()
        raise RuleViolation(
            _l("The municipality's villages have changed since the file was read. Upload it again.")
        )
    skipped = (
        set()
        if add_duplicates
        else {d.line for d in likely_duplicates(rows, _roll_keys(municipality_id))}
    )
    # One Core executemany for all (a register of 50,000 people): the ORM's bulk insert would
    # look at each row again, and split the batch wherever a phone is missing or given.
    values = [
        {
            "municipality_id": municipality_id,
            "village_id": row["village_id"],
            "household": row["household"],
            "full_name": row["full_name"],
            "name_key": row["name_key"],
            "birth_year": row["birth_year"],
            "gender": Gender(row["gender"]),
            "phone": row["phone"],
            "created_at": now,
            "updated_at": now,
        }
        for row in rows
        if row["line"] not in skipped
    ]
    if values:
        db.session.execute(insert(RollEntry.__table__), values)
    # What was read is on the roll now (or was left out on purpose): it is not kept twice.
    db.session.execute(
        update(RollImport).where(RollImport.id == roll_import.id).values(rows=[], added=len(values))
    )
    audit.record(
        actor,
        "roll.import",
        municipality_id=municipality_id,
        target=("roll_import", roll_import.id),
        after={"filename": roll_import.filename, "added": len(values)},
    )
    db.session.commit()
    return len(values)


# --- by hand -----------------------------------------------------------------------------------


@dataclass
class EntryData:
    full_name: str
    birth_year: int
    gender: Gender
    village_id: int
    household: str
    phone: str | None = None


class LikelyDuplicate(RuleViolation):
    """Someone with the same name, year of birth and village is on the roll already."""

    def __init__(self, other: RollEntry) -> None:
        super().__init__(
            _l(
                "%(name)s, born in %(year)d, of this village is on the roll already. If this is"
                " another person, tick the box and save again.",
                name=other.full_name,
                year=other.birth_year,
            )
        )
        self.other = other


def _checked(municipality: Municipality, data: EntryData) -> EntryData:
    full_name = clean_name(data.full_name)
    household = " ".join(data.household.split())
    if not name_key(full_name):
        raise RuleViolation(_l("Write the person's full name."))
    if len(full_name) > NAME_MAX:
        raise RuleViolation(_l("Write at most %(max)d characters.", max=NAME_MAX))
    if len(household) > HOUSEHOLD_MAX:
        raise RuleViolation(_l("Write at most %(max)d characters.", max=HOUSEHOLD_MAX))
    if not household:
        raise RuleViolation(_l("Write the household number."))
    last = current_year()
    if not FIRST_YEAR <= data.birth_year <= last:
        raise RuleViolation(_l("Write a year from %(min)d to %(max)d.", min=FIRST_YEAR, max=last))
    if data.village_id not in {village.id for village in municipality.villages}:
        raise RuleViolation(_l("Choose a village of the municipality."))
    phone = None
    if data.phone:
        try:
            phone = normalise_phone(data.phone)
        except PhoneError:
            raise RuleViolation(_l("Write the phone number like this: 0555 123 456.")) from None
    return EntryData(full_name, data.birth_year, data.gender, data.village_id, household, phone)


def _same_person(municipality_id: int, data: EntryData, other_than: int | None) -> RollEntry | None:
    query = select(RollEntry).where(
        RollEntry.municipality_id == municipality_id,
        RollEntry.name_key == name_key(data.full_name),
        RollEntry.birth_year == data.birth_year,
        RollEntry.village_id == data.village_id,
    )
    if other_than is not None:
        query = query.where(RollEntry.id != other_than)
    return db.session.scalars(query.limit(1)).first()


def add_entry(
    actor: User, municipality: Municipality, data: EntryData, allow_duplicate: bool = False
) -> RollEntry:
    """Add a person to the roll by hand. Refused as a likely duplicate (LikelyDuplicate) if
    someone with the same name, year and village is there, unless ``allow_duplicate``."""
    ensure_officer(actor, municipality.id)
    data = _checked(municipality, data)
    if not allow_duplicate and (other := _same_person(municipality.id, data, None)):
        raise LikelyDuplicate(other)
    entry = RollEntry(municipality_id=municipality.id)
    _fill(entry, data)
    db.session.add(entry)
    # The roll is the officers' alone (council members and administrators read the trail):
    # the entry's number and village, not the person's details.
    audit.record(
        actor,
        "roll.add",
        municipality_id=municipality.id,
        target=("roll_entry", entry),
        after={"village": data.village_id},
    )
    db.session.commit()
    return entry


def update_entry(
    actor: User, entry: RollEntry, data: EntryData, allow_duplicate: bool = False
) -> None:
    """Correct a person on the roll. A confirmed account stays linked."""
    ensure_officer(actor, entry.municipality_id)
    municipality = db.session.get_one(Municipality, entry.municipality_id)
    data = _checked(municipality, data)
    if not allow_duplicate and (other := _same_person(municipality.id, data, entry.id)):
        raise LikelyDuplicate(other)
    before = audit.snapshot(entry, *ROLL_FIELDS)
    _fill(entry, data)
    # Which details changed, not what they say: the roll is the officers' alone.
    _old, new = audit.changes(before, audit.snapshot(entry, *ROLL_FIELDS))
    audit.record(
        actor,
        "roll.correct",
        municipality_id=entry.municipality_id,
        target=("roll_entry", entry.id),
        after={"changed": list(new)} if new else None,
    )
    db.session.commit()


ROLL_FIELDS = ("full_name", "birth_year", "gender", "village_id", "household", "phone")


def _fill(entry: RollEntry, data: EntryData) -> None:
    entry.full_name = data.full_name
    entry.name_key = name_key(data.full_name)
    entry.birth_year = data.birth_year
    entry.gender = data.gender
    entry.village_id = data.village_id
    entry.household = data.household
    entry.phone = data.phone


def voting_with_mark(entry: RollEntry) -> Consultation | None:
    """A consultation now voting in which this person has voted or been handed a ballot."""
    voting = db.session.scalars(
        select(Consultation).where(
            Consultation.phase == Phase.VOTING,
            Consultation.municipality_id == entry.municipality_id,
        )
    ).all()
    # Her marks name her by a keyed digest, one per consultation (pb.voting.voters).
    wanted = [
        digest
        for consultation in voting
        for digest in voters.entry_marks(consultation.id, [entry.id])
    ]
    if not wanted:
        return None
    marked = db.session.scalar(
        select(RollMark.consultation_id).where(RollMark.entry_digest.in_(wanted)).limit(1)
    )
    return next((c for c in voting if c.id == marked), None)


def remove_entry(actor: User, entry: RollEntry) -> None:
    """Take a person off the roll; a confirmed account is no longer confirmed. Refused while
    she has voted in a vote under way: her mark keeps her from voting twice."""
    ensure_officer(actor, entry.municipality_id)
    if voting_with_mark(entry) is not None:
        raise RuleViolation(
            _l(
                "%(name)s has voted in a vote that is still open and cannot be removed from the"
                " roll until voting closes.",
                name=entry.full_name,
            )
        )
    db.session.execute(delete(RollEntry).where(RollEntry.id == entry.id))
    audit.record(
        actor,
        "roll.remove",
        municipality_id=entry.municipality_id,
        target=("roll_entry", entry.id),
        before={"village": entry.village_id},
    )
    db.session.commit()


# --- export ------------------------------------------------------------------------------------


def export_roll(actor: User, municipality: Municipality) -> str:
    """The roll as a CSV file that Excel opens (UTF-8 with a byte order mark, ';'), with the
    columns the import reads, named in the reader's language: it can be corrected and read
    back. Cells a spreadsheet would take for formulas are neutralised."""
    ensure_officer(actor, municipality.id)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(COLUMN_LABELS[column]) for column in COLUMNS])
    genders = {gender: str(label) for gender, label in GENDERS.items()}
    rows = db.session.execute(
        select(
            RollEntry.full_name,
            RollEntry.birth_year,
            RollEntry.gender,
            Village.name,
            RollEntry.household,
            RollEntry.phone,
        )
        .join(Village, Village.id == RollEntry.village_id)
        .where(RollEntry.municipality_id == municipality.id)
        .order_by(
            in_kyrgyz_order(Village.name),
            RollEntry.household,
            in_kyrgyz_order(RollEntry.name_key),
            RollEntry.id,
        )
    )
    for full_name, birth_year, gender, village, household, phone in rows:
        writer.writerow(
            [
                neutralised(full_name),
                birth_year,
                genders[gender],
                neutralised(village),
                neutralised(household),
                _national(phone),
            ]
        )
    return out.getvalue()


def _national(phone: str | None) -> str:
    """A stored phone as people write it, 0555 123 456: a spreadsheet would take the stored
    form, starting with "+", for a formula."""
    if not phone:
        return ""
    return "0" + phone.removeprefix("+996 ")


def export_filename(municipality: Municipality) -> str:
    return f"voter-roll-{municipality.slug}.csv"
