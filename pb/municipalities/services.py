"""Municipalities, their villages, and who holds which role in them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from pb.alphabet import fold, sort_key
from pb.audit import trail as audit
from pb.auth.access import ensure_admin, ensure_officer
from pb.auth.services import find_by_login
from pb.collation import folded, in_kyrgyz_order
from pb.errors import RuleViolation
from pb.extensions import db
from pb.i18n import localized
from pb.models import (
    Consultation,
    Meeting,
    Membership,
    Municipality,
    Phase,
    PopulationFigures,
    Proposal,
    Role,
    RollEntry,
    User,
    Village,
    consultation_villages,
)


@dataclass
class MunicipalityData:
    slug: str
    name_ky: str | None
    name_ru: str | None
    name_en: str | None
    region: str | None
    village_names: list[str]
    region_ru: str | None = None
    region_en: str | None = None


def municipality_name(municipality: Municipality) -> str:
    return localized(municipality, "name").text


def municipality_choices() -> list[tuple[int, str]]:
    municipalities = db.session.scalars(select(Municipality)).all()
    return sorted(
        ((m.id, municipality_name(m)) for m in municipalities), key=lambda c: sort_key(c[1])
    )


def village_choices(municipality: Municipality | None) -> list[tuple[int, str]]:
    if municipality is None:
        return []
    return [(v.id, v.name) for v in municipality.villages]


def get_by_slug(slug: str) -> Municipality | None:
    return db.session.scalar(select(Municipality).where(Municipality.slug == slug))


def search(query: str | None, page: int, per_page: int = 30, language: str = "ky") -> Pagination:
    """Municipalities in the Kyrgyz order of their names in ``language`` (the reader's), those
    whose name, region or one of whose villages holds every word of ``query`` if given, in any
    case and with ө, ү, ң, ё typed as о, у, н, е or not ("суу" finds Ак-Суу, "тон" finds Тоң)."""
    languages = [language] + [lang for lang in ("ky", "ru", "en") if lang != language]
    shown_name = func.coalesce(
        *(func.nullif(getattr(Municipality, f"name_{lang}"), "") for lang in languages)
    )
    stmt = select(Municipality).order_by(in_kyrgyz_order(shown_name), Municipality.id)
    words = fold(query or "").split()
    for word in words:
        texts = [
            Municipality.name_ky,
            Municipality.name_ru,
            Municipality.name_en,
            Municipality.region,
            Municipality.region_ru,
            Municipality.region_en,
        ]
        stmt = stmt.where(
            or_(
                *(folded(text).contains(word, autoescape=True) for text in texts),
                exists().where(
                    Village.municipality_id == Municipality.id,
                    folded(Village.name).contains(word, autoescape=True),
                ),
            )
        )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def _clean_village_names(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())
        if name:
            if len(name) > 100:
                raise RuleViolation(_l("A village name can have at most 100 characters."))
            seen.setdefault(name.casefold(), name)
    return list(seen.values())


def save_municipality(
    actor: User, data: MunicipalityData, municipality: Municipality | None = None
) -> Municipality:
    """Create or update a municipality and its list of villages (admins only)."""
    ensure_admin(actor)
    if not (data.name_ky or data.name_ru or data.name_en):
        raise RuleViolation(_l("Give the name in at least one language."))
    clash = get_by_slug(data.slug)
    if clash is not None and clash is not municipality:
        raise RuleViolation(_l("This web address is already used by another municipality."))
    names = _clean_village_names(data.village_names)
    before = _audited(municipality) if municipality is not None else {}
    if municipality is None:
        municipality = Municipality(slug=data.slug)
        db.session.add(municipality)
    municipality.slug = data.slug
    municipality.name_ky = data.name_ky
    municipality.name_ru = data.name_ru
    municipality.name_en = data.name_en
    municipality.region = data.region
    municipality.region_ru = data.region_ru
    municipality.region_en = data.region_en
    wanted = {n.casefold(): n for n in names}
    for village in list(municipality.villages):
        if village.name.casefold() in wanted:
            village.name = wanted.pop(village.name.casefold())
            continue
        in_use = db.session.scalar(
            select(
                exists().where(Proposal.village_id == village.id)
                | exists().where(Meeting.village_id == village.id)
            )
        )
        if in_use:
            db.session.rollback()
            raise RuleViolation(
                _l(
                    "The village %(name)s has proposals or meetings and cannot be removed.",
                    name=village.name,
                )
            )
        # A ballot being cast may name it: the villages of a running vote are fixed.
        on_a_ballot = db.session.scalar(
            select(
                exists()
                .where(consultation_villages.c.village_id == village.id)
                .where(consultation_villages.c.consultation_id == Consultation.id)
                .where(Consultation.phase == Phase.VOTING)
            )
        )
        if on_a_ballot:
            db.session.rollback()
            raise RuleViolation(
                _l(
                    "The village %(name)s is on the ballot of a vote under way and cannot be"
                    " removed until voting closes.",
                    name=village.name,
                )
            )
        # Removing it would take its people off the voter roll (the rows cascade).
        if db.session.scalar(select(exists().where(RollEntry.village_id == village.id))):
            db.session.rollback()
            raise RuleViolation(
                _l(
                    "The village %(name)s has people on the voter roll and cannot be removed.",
                    name=village.name,
                )
            )
        municipality.villages.remove(village)
    for name in wanted.values():
        municipality.villages.append(Village(name=name))
    try:
        db.session.flush()
        old, new = audit.changes(before, _audited(municipality))
        audit.record(
            actor,
            "municipality.update" if before else "municipality.create",
            municipality_id=municipality.id,
            target=("municipality", municipality.id),
            before=old,
            after=new,
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleViolation(
            _l("This web address is already used by another municipality.")
        ) from None
    return municipality


def _audited(municipality: Municipality) -> dict[str, object]:
    fields = audit.snapshot(
        municipality, "slug", "name_ky", "name_ru", "name_en", "region", "region_ru", "region_en"
    )
    return {**fields, "villages": sorted(v.name for v in municipality.villages)}


def staff(municipality: Municipality) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(
                Membership.municipality_id == municipality.id,
                Membership.role.in_([Role.OFFICER, Role.COUNCIL]),
            )
            .options(selectinload(Membership.user))
            .order_by(Membership.role, Membership.created_at)
        )
    )


def appoint(actor: User, municipality: Municipality, login: str, role: Role) -> Membership:
    """Give an existing account a staff role in the municipality (admins only)."""
    ensure_admin(actor)
    if role not in (Role.OFFICER, Role.COUNCIL):
        raise RuleViolation(_l("Not a valid choice."))
    user = find_by_login(login)
    if user is None:
        raise RuleViolation(
            _l(
                "There is no account with this phone number or user name. Ask them to register first."
            )
        )
    if user.has_role(municipality.id, role):
        raise RuleViolation(_l("This person already has this role here.")) from None
    membership = Membership(
        user_id=user.id, municipality_id=municipality.id, role=role, appointed_by_id=actor.id
    )
    db.session.add(membership)
    try:
        audit.record(
            actor,
            "staff.appoint",
            municipality_id=municipality.id,
            target=("membership", membership),
            after={"account": user.id, "name": user.display_name, "role": role},
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleViolation(_l("This person already has this role here.")) from None
    return membership


def revoke(actor: User, membership: Membership) -> None:
    ensure_admin(actor)
    if membership.role == Role.RESIDENT:
        raise RuleViolation(_l("Not a valid choice."))
    before = {
        "account": membership.user_id,
        "name": membership.user.display_name,
        "role": membership.role,
    }
    membership_id, municipality_id = membership.id, membership.municipality_id
    db.session.delete(membership)
    audit.record(
        actor,
        "staff.revoke",
        municipality_id=municipality_id,
        target=("membership", membership_id),
        before=before,
    )
    db.session.commit()


@dataclass
class Population:
    adults: int
    women: int
    youth: int
    year: int | None = None
    source: str | None = None


def population(municipality: Municipality) -> PopulationFigures | None:
    return db.session.scalar(
        select(PopulationFigures).where(PopulationFigures.municipality_id == municipality.id)
    )


def save_population(actor: User, municipality: Municipality, figures: Population) -> None:
    """Officers keep their municipality's population figures, the yardstick for participation."""
    ensure_officer(actor, municipality.id)
    if (
        figures.adults < 1
        or not 0 <= figures.women <= figures.adults
        or not 0 <= figures.youth <= figures.adults
    ):
        raise RuleViolation(_l("This cannot be more than all residents aged 14 and over."))
    row = population(municipality) or PopulationFigures(municipality_id=municipality.id)
    before = audit.snapshot(row, *POPULATION_FIELDS) if row.id else {}
    row.adults, row.women, row.youth = figures.adults, figures.women, figures.youth
    row.year, row.source = figures.year, figures.source
    row.updated_by_id = actor.id
    db.session.add(row)
    try:
        old, new = audit.changes(before, audit.snapshot(row, *POPULATION_FIELDS))
        audit.record(
            actor,
            "population.save",
            municipality_id=municipality.id,
            target=("municipality", municipality.id),
            before=old,
            after=new,
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RuleViolation(
            _l("Someone else saved the figures at the same moment. Check them and save again.")
        ) from None


POPULATION_FIELDS = ("adults", "women", "youth", "year", "source")
