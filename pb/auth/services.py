"""Accounts: registration, logging in, passwords and profiles."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from pb.auth.phone import PhoneError, looks_like_phone, normalise_phone
from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import Gender, Membership, Municipality, Role, User, Village


class AccountTaken(RuleViolation):
    """The phone number or user name has an account already. Says so, as the form must, and
    nothing about that account; counted against the client (pb.auth.views), as guessing is."""


# Said for a taken phone number: whoever types her own number here has an account, and is
# told how to get into it. Nothing about whose account it is.
PHONE_TAKEN = _l(
    "This phone number already has an account. If it is yours, log in, or set a new password "
    "with a code from your ayil okmotu's officer."
)


@dataclass
class Profile:
    display_name: str
    locale: str
    gender: Gender | None = None
    birth_year: int | None = None
    village_id: int | None = None


def _village_in(village_id: int | None, municipality_ids: set[int]) -> Village | None:
    if village_id is None:
        return None
    village = db.session.get(Village, village_id)
    if village is None or village.municipality_id not in municipality_ids:
        raise RuleViolation(_l("Choose a village of your municipality."))
    return village


def register_resident(
    *,
    municipality: Municipality,
    password: str,
    profile: Profile,
    phone: str | None = None,
    username: str | None = None,
) -> User:
    """Create a resident account in ``municipality``; phone or user name must be free."""
    if not phone and not username:
        raise RuleViolation(_l("Give a phone number or a user name."))
    if phone and find_by_phone(phone) is not None:
        raise AccountTaken(PHONE_TAKEN)
    if username and find_by_username(username) is not None:
        raise AccountTaken(_l("This user name is taken."))
    _village_in(profile.village_id, {municipality.id})
    user = User(
        phone=phone,
        username=username,
        display_name=profile.display_name,
        locale=profile.locale,
        gender=profile.gender,
        birth_year=profile.birth_year,
        village_id=profile.village_id,
    )
    user.set_password(password)
    user.memberships.append(Membership(municipality_id=municipality.id, role=Role.RESIDENT))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Two sign-ups racing for the same phone or name: the database keeps one.
        db.session.rollback()
        raise AccountTaken(
            _l("An account with this phone number or user name already exists.")
        ) from None
    return user


def find_by_phone(phone: str) -> User | None:
    return db.session.scalar(select(User).where(User.phone == phone))


def find_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.lower()))


def find_by_login(identifier: str) -> User | None:
    """Look an account up by what people type in the login box: a phone number or a user name."""
    identifier = (identifier or "").strip()
    if looks_like_phone(identifier):
        try:
            return find_by_phone(normalise_phone(identifier))
        except PhoneError:
            return None
    return find_by_username(identifier)


# A hash of nothing anyone types, per hashing method: checked when no account matches, so
# that a login for an unknown phone costs as long as one for a known phone, and the time
# taken does not tell which phones have accounts.
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(), method=method)
    return _DUMMY_HASHES[method]


def authenticate(identifier: str, password: str) -> User | None:
    """The account with this phone number or user name and password, or None."""
    user = find_by_login(identifier)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password):
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password; every session of the account ends (the caller starts this one
    again)."""
    if not user.check_password(current):
        raise RuleViolation(_l("The current password is wrong."))
    user.set_password(new)
    db.session.commit()


def end_sessions(user: User) -> None:
    """Log the account out everywhere: a new login token voids every session and remember-me
    cookie that carries the old one, copies included."""
    user.renew_login_token()
    db.session.commit()


def update_profile(user: User, profile: Profile) -> None:
    municipality_ids = {m.municipality_id for m in user.memberships}
    _village_in(profile.village_id, municipality_ids)
    user.display_name = profile.display_name
    user.locale = profile.locale
    user.gender = profile.gender
    user.birth_year = profile.birth_year
    user.village_id = profile.village_id
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def create_admin(login: str, password: str, display_name: str) -> User:
    """Make (or promote) a site administrator; ``login`` is a phone number or a user name."""
    phone = username = None
    if looks_like_phone(login):
        phone = normalise_phone(login)
        user = find_by_phone(phone)
    else:
        username = login.strip().lower()
        user = find_by_username(username)
    if user is None:
        user = User(phone=phone, username=username, display_name=display_name, locale="ky")
        db.session.add(user)
    user.set_password(password)
    user.is_admin = True
    db.session.commit()
    return user
