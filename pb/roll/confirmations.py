"""Confirmed residents: an officer links a registered account to its person on the roll, after
checking her document, at the office or at a village meeting.

Nothing links an account by itself: a phone number or a name that matches is only offered to
the officer as a likely match. One account per person and one person per account: the unique
constraint on ``roll_entries.user_id`` holds the second when two officers confirm at once, and
the update that links checks that the person was not linked meanwhile, which holds the first.

While a consultation votes, a person who voted online with one account is not confirmed with
another: her mark ("voted online") stays with her, her ballot with the first account, and the
new account would be let cast a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Exists,
    Select,
    and_,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from pb.alphabet import fold
from pb.audit import trail as audit
from pb.auth.access import ensure_officer, is_member
from pb.auth.phone import PhoneError, looks_like_phone, normalise_phone
from pb.collation import folded, in_kyrgyz_order
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    Channel,
    Consultation,
    Electorate,
    Membership,
    Municipality,
    Phase,
    Role,
    RollEntry,
    RollMark,
    User,
    VoterLink,
)
from pb.models.base import utcnow
from pb.roll.names import name_key
from pb.voting import voters

SHOWN_AT_MOST = 50
LIKELY_AT_MOST = 10

# What the officer filters the list of accounts by.
ALL, CONFIRMED, UNCONFIRMED = "all", "confirmed", "unconfirmed"

CONTACT_LENGTHS = {
    "name": 100,
    "office": 300,
    "phone": 50,
    "hours": 200,
}  # as the columns hold them


@dataclass(frozen=True)
class ResidentAccount:
    """A resident's account as the officer's list shows it."""

    user: User
    #: Her person on this municipality's roll, if an officer confirmed her.
    entry: RollEntry | None
    #: Confirmed on another municipality's roll (whose entries this one's officers do not see).
    confirmed_elsewhere: bool


@dataclass(frozen=True)
class AccountList:
    accounts: list[ResidentAccount]
    #: More accounts match than are shown: the officer should narrow the search.
    more: bool


def _residents(municipality: Municipality) -> Exists:
    return exists().where(
        Membership.user_id == User.id,
        Membership.municipality_id == municipality.id,
        Membership.role == Role.RESIDENT,
    )


def _account_matches(text: str) -> list[ColumnElement[bool]]:
    """Conditions on ``User`` for what the officer typed: a phone number, or words of the name
    or of the user name."""
    if looks_like_phone(text):
        try:
            return [User.phone == normalise_phone(text)]
        except PhoneError:
            # Part of a number: its digits anywhere in the stored "+996 XXX XXX XXX".
            digits = "".join(ch for ch in text if ch.isdigit())
            if digits.startswith("0"):
                digits = digits[1:]  # the domestic trunk prefix is not stored
            return [func.replace(User.phone, " ", "").contains(digits, autoescape=True)]
    conditions: list[ColumnElement[bool]] = []
    for word in text.split():
        conditions.append(
            or_(
                folded(User.display_name).contains(fold(word), autoescape=True),
                func.lower(User.username).contains(word.lower(), autoescape=True),
            )
        )
    return conditions


def _accounts(municipality: Municipality) -> tuple[Select[User, RollEntry, bool], Any]:
    """Residents' accounts, each with her person on this municipality's roll (the alias returned
    beside the query) and whether she is confirmed on another municipality's."""
    entry = aliased(RollEntry)
    elsewhere = (
        exists()
        .where(RollEntry.user_id == User.id, RollEntry.municipality_id != municipality.id)
        .label("elsewhere")
    )
    query = (
        select(User, entry, elsewhere)
        .outerjoin(entry, and_(entry.user_id == User.id, entry.municipality_id == municipality.id))
        .where(_residents(municipality))
        .options(joinedload(User.village), joinedload(entry.village))
    )
    return query, entry


def resident_accounts(
    municipality: Municipality,
    text: str = "",
    village_id: int | None = None,
    status: str = ALL,
    limit: int = SHOWN_AT_MOST,
) -> AccountList:
    """The accounts of the municipality's residents, with their person on its roll, found by
    name, phone or user name, in a village (the one the account gives, or her entry's), and
    confirmed or not. One query."""
    query, entry = _accounts(municipality)
    query = query.order_by(in_kyrgyz_order(User.display_name), User.id).limit(limit + 1)
    text = text.strip()
    if text:
        query = query.where(*_account_matches(text))
    if village_id is not None:
        query = query.where(or_(User.village_id == village_id, entry.village_id == village_id))
    if status == CONFIRMED:
        query = query.where(entry.id.is_not(None))
    elif status == UNCONFIRMED:
        query = query.where(entry.id.is_(None))
    rows = db.session.execute(query).all()
    accounts = [ResidentAccount(user, found, bool(other)) for user, found, other in rows[:limit]]
    return AccountList(accounts, more=len(rows) > limit)


def resident_account(municipality: Municipality, user_id: int) -> ResidentAccount | None:
    """One resident's account, or None if she is not a resident of this municipality."""
    query, _entry = _accounts(municipality)
    row = db.session.execute(query.where(User.id == user_id)).first()
    if row is None:
        return None
    user, found, other = row
    return ResidentAccount(user, found, bool(other))


def likely_entries(municipality: Municipality, user: User) -> list[RollEntry]:
    """People on the roll, not confirmed with any account, who may be this account's: first
    those with the account's phone number, then those whose name holds every word of the
    account's name, nearest first (same village, same year of birth, same gender). Only
    offered: the officer checks the person's document and confirms."""
    unlinked = (RollEntry.municipality_id == municipality.id, RollEntry.user_id.is_(None))
    found: list[RollEntry] = []
    if user.phone:
        found.extend(
            db.session.scalars(
                select(RollEntry)
                .where(*unlinked, RollEntry.phone == user.phone)
                .options(joinedload(RollEntry.village))
                .order_by(in_kyrgyz_order(RollEntry.name_key), RollEntry.id)
                .limit(LIKELY_AT_MOST)
            )
        )
    words = name_key(user.display_name).split()
    if words and len(found) < LIKELY_AT_MOST:
        query = (
            select(RollEntry)
            .where(*unlinked)
            .options(joinedload(RollEntry.village))
            .order_by(
                case((RollEntry.village_id == user.village_id, 0), else_=1),
                case((RollEntry.birth_year == user.birth_year, 0), else_=1),
                case((RollEntry.gender == user.gender, 0), else_=1),
                in_kyrgyz_order(RollEntry.name_key),
                RollEntry.id,
            )
            .limit(LIKELY_AT_MOST - len(found))
        )
        if found:
            query = query.where(RollEntry.id.not_in([e.id for e in found]))
        for word in words:
            query = query.where(folded(RollEntry.name_key).contains(fold(word), autoescape=True))
        found.extend(db.session.scalars(query))
    return found


def entry_of(municipality: Municipality, entry_id: int) -> RollEntry | None:
    """A person on this municipality's roll (None for another municipality's)."""
    entry = db.session.get(RollEntry, entry_id)
    if entry is None or entry.municipality_id != municipality.id:
        return None
    return entry


def _voted_with_another_account(user: User, entry: RollEntry) -> Consultation | None:
    """A consultation now voting on the roll in which this person voted online with an account
    that is not this one: confirming this one would give her a second ballot (the mark, which
    stays with the person, lets her account vote; the ballot belongs to the account)."""
    voting = db.session.scalars(
        select(Consultation).where(
            Consultation.municipality_id == entry.municipality_id,
            Consultation.phase == Phase.VOTING,
            Consultation.electorate == Electorate.ROLL,
        )
    ).all()
    if not voting:
        return None
    # Marks and links name people by keyed digests (pb.voting.voters), made here.
    marks = [d for c in voting for d in voters.entry_marks(c.id, [entry.id])]
    links = [d for c in voting for d in voters.account_links(c.id, user.id)]
    online = set(
        db.session.scalars(
            select(RollMark.consultation_id).where(
                RollMark.entry_digest.in_(marks), RollMark.channel == Channel.ONLINE
            )
        )
    )
    linked = set(
        db.session.scalars(
            select(VoterLink.consultation_id).where(VoterLink.voter_digest.in_(links))
        )
    )
    return next((c for c in voting if c.id in online and c.id not in linked), None)


def confirm_account(actor: User, user: User, entry: RollEntry) -> None:
    """Link a resident's account to her person on the roll, as the officer checked it."""
    ensure_officer(actor, entry.municipality_id)
    if not is_member(user, entry.municipality_id, Role.RESIDENT):
        raise RuleViolation(
            _l("This account is not registered as a resident of this municipality.")
        )
    if entry.user_id == user.id:
        return
    if entry.user_id is not None:
        raise RuleViolation(
            _l(
                "This person on the roll is already confirmed with another account. "
                "To confirm this one instead, unconfirm that account first."
            )
        )
    linked = db.session.scalar(select(RollEntry).where(RollEntry.user_id == user.id))
    if linked is not None:
        if linked.municipality_id != entry.municipality_id:
            raise RuleViolation(
                _l(
                    "This account is confirmed on the voter roll of another municipality. "
                    "Its officers can unconfirm it there."
                )
            )
        raise RuleViolation(
            _l(
                "This account is already confirmed as another person on the roll "
                "(%(name)s). Unconfirm it first.",
                name=linked.full_name,
            )
        )
    if _voted_with_another_account(user, entry) is not None:
        raise RuleViolation(
            _l(
                "This person has already voted online with another account in a consultation "
                "that is still voting. Confirm this account once that voting has closed."
            )
        )
    # Linked only if nobody linked her meanwhile; the unique user_id refuses the account's
    # second link.
    linking = (
        update(RollEntry)
        .where(RollEntry.id == entry.id, RollEntry.user_id.is_(None))
        .values(user_id=user.id, confirmed_by_id=actor.id, confirmed_at=utcnow())
    )
    try:
        done = cast("CursorResult[Any]", db.session.execute(linking)).rowcount == 1
        if done:
            audit.record(
                actor,
                "account.confirm",
                municipality_id=entry.municipality_id,
                target=("roll_entry", entry.id),
                after={"account": user.id},
            )
            db.session.commit()
    except IntegrityError:
        done = False
    if not done:
        db.session.rollback()
        raise RuleViolation(
            _l(
                "Another officer confirmed this account or this person at the same moment. "
                "Check the account's page again."
            )
        )


def unconfirm_account(actor: User, entry: RollEntry) -> None:
    """Unlink the account confirmed as this person. Her marks stay with her, not with the
    account: whoever votes as her later still has one voice."""
    ensure_officer(actor, entry.municipality_id)
    if entry.user_id is None:
        return
    account = entry.user_id
    db.session.execute(
        update(RollEntry)
        .where(RollEntry.id == entry.id, RollEntry.user_id == entry.user_id)
        .values(user_id=None, confirmed_by_id=None, confirmed_at=None)
    )
    audit.record(
        actor,
        "account.unconfirm",
        municipality_id=entry.municipality_id,
        target=("roll_entry", entry.id),
        before={"account": account},
    )
    db.session.commit()


@dataclass(frozen=True)
class RollStatus:
    """Whether a resident's account is confirmed on a municipality's roll, for her own page."""

    municipality: Municipality
    entry: RollEntry | None


def roll_statuses(user: User) -> list[RollStatus]:
    """For each municipality where the account is a resident: her person on its roll, if an
    officer confirmed her. Two queries."""
    municipalities = db.session.scalars(
        select(Municipality)
        .join(Membership, Membership.municipality_id == Municipality.id)
        .where(Membership.user_id == user.id, Membership.role == Role.RESIDENT)
        .order_by(Municipality.id)
    ).all()
    if not municipalities:
        return []
    entry = db.session.scalar(
        select(RollEntry).where(RollEntry.user_id == user.id).options(joinedload(RollEntry.village))
    )
    return [
        RollStatus(m, entry if entry is not None and entry.municipality_id == m.id else None)
        for m in municipalities
    ]


def save_contacts(
    actor: User,
    municipality: Municipality,
    office: str | None,
    phone: str | None,
    hours: str | None,
    name: str | None = None,
) -> None:
    """Whom residents ask, and where, how and when they get their accounts confirmed, as
    officers write it."""
    ensure_officer(actor, municipality.id)
    before = {
        "name": municipality.contact_name,
        "office": municipality.contact_office,
        "phone": municipality.contact_phone,
        "hours": municipality.contact_hours,
    }
    values = {"name": name, "office": office, "phone": phone, "hours": hours}
    for field, value in values.items():
        if value is not None and len(value.strip()) > CONTACT_LENGTHS[field]:
            raise RuleViolation(_l("Write at most %(max)d characters.", max=CONTACT_LENGTHS[field]))
    municipality.contact_name = (name or "").strip() or None
    municipality.contact_office = (office or "").strip() or None
    municipality.contact_phone = (phone or "").strip() or None
    municipality.contact_hours = (hours or "").strip() or None
    old, new = audit.changes(
        before,
        {
            "name": municipality.contact_name,
            "office": municipality.contact_office,
            "phone": municipality.contact_phone,
            "hours": municipality.contact_hours,
        },
    )
    audit.record(
        actor,
        "contacts.save",
        municipality_id=municipality.id,
        target=("municipality", municipality.id),
        before=old,
        after=new,
    )
    db.session.commit()


def erase_roll_marks(actor: User, consultation: Consultation) -> bool:
    """Forget who voted in a consultation, once its results are final: the ballots and the
    results stay. False if they were erased already (nothing to do)."""
    ensure_officer(actor, consultation.municipality_id)
    if not consultation.roll_required:
        raise RuleViolation(
            _l("Anyone registered votes in this consultation: there is no roll to mark.")
        )
    if not consultation.results_public:
        raise RuleViolation(_l("Who voted can be erased only once the results are published."))
    if consultation.roll_marks_erased_at is not None:
        return False
    db.session.execute(delete(RollMark).where(RollMark.consultation_id == consultation.id))
    consultation.roll_marks_erased_at = utcnow()
    audit.record(
        actor,
        "marks.erase",
        municipality_id=consultation.municipality_id,
        target=("consultation", consultation.id),
    )
    db.session.commit()
    return True
