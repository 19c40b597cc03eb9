"""A way back into an account without e-mail or SMS: one-time password reset codes.

The person goes to an officer of their ayil okmotu (or to an administrator), who checks who they
are and issues a code. The code works once, for PASSWORD_RESET_HOURS, and only for that account;
guessing is slowed per client (pb.throttle) and a code dies after a few wrong tries. Only a keyed
digest of the code is stored. Setting the new password gives the account a new login token, so
every other device it was logged in on is logged out.

Officers reset residents of their own municipality only; staff and administrators go to an
administrator, so that no officer can take over another officer's or a council member's account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn, cast

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, CursorResult, or_, select, update

from pb import throttle
from pb.audit import trail as audit
from pb.auth.passwords import password_problem
from pb.auth.services import find_by_login
from pb.collation import in_kyrgyz_order
from pb.errors import PermissionDenied, RuleViolation
from pb.extensions import db
from pb.i18n import format_moment
from pb.models import Municipality, PasswordReset, Role, User
from pb.models.base import utcnow
from pb.sms import SmsSender
from pb.voting import codes

CODE_LENGTH = 8  # 25**8 ≈ 1.5e11, against at most MAX_FAILURES tries per code
MAX_FAILURES = 5
STAFF_ROLES = (Role.OFFICER, Role.COUNCIL)

# One message for every way a code can be wrong, so it tells a guesser nothing.
WRONG_CODE = _l(
    "This code does not work: it is wrong, used or expired, or the phone number or user name "
    "is not the one it was given for. Check them, or ask for a new code."
)

# Cyrillic letters that look like the code's Latin ones: a phone with a Kyrgyz or Russian
# keyboard types these.
_LOOKALIKES = str.maketrans("АВСЕНКМОРТХУҮ", "ABCEHKMOPTXYY")


class EasyPassword(RuleViolation):
    """The new password is the account's name, user name or phone; the code stays unused."""


@dataclass(frozen=True)
class IssuedCode:
    """A code as issued: the plain code exists only here, to be shown once."""

    code: str
    expires_at: datetime

    @property
    def grouped(self) -> str:
        return codes.group(self.code, 4)


def may_issue(actor: User | None, user: User) -> bool:
    """Whether ``actor`` may issue a reset code for ``user``'s account."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_admin:
        return True
    if user.is_admin or any(m.role in STAFF_ROLES for m in user.memberships):
        return False
    return any(
        m.role == Role.RESIDENT and actor.has_role(m.municipality_id, Role.OFFICER)
        for m in user.memberships
    )


def may_issue_any(actor: User | None) -> bool:
    """Whether ``actor`` may issue codes at all: administrators and officers."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return actor.is_admin or any(m.role == Role.OFFICER for m in actor.memberships)


def ensure_may_issue_any(actor: User | None) -> User:
    if not may_issue_any(actor):
        raise PermissionDenied()
    assert actor is not None
    return actor


def find_account(actor: User, login: str) -> User | None:
    """The account with this phone number or user name, if ``actor`` may issue a code for it.
    None otherwise, whether it does not exist or is not the actor's to reset: an officer learns
    nothing about accounts outside their municipality."""
    user = find_by_login(login)
    if user is None or not may_issue(actor, user):
        return None
    return user


def _digest(user_id: int, code: str) -> str:
    # The account is in the digest: a code works for its own account only, and two accounts
    # drawing the same code do not collide in the unique column.
    return codes.digest("reset", f"{user_id}:{code}")


def _valid(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > now,
        PasswordReset.failures < MAX_FAILURES,
    )


def issue_reset_code(actor: User, user: User) -> IssuedCode:
    """Issue a one-time code for ``user``'s account, voiding any earlier unused one. The actor
    has checked who the person is. Returns the plain code: it is not kept."""
    if not may_issue(actor, user):
        raise PermissionDenied()
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, *_valid(now))
        .values(expires_at=now)
    )
    code = codes.new_code()[:CODE_LENGTH]
    # Only an old code of this very account could match, and hardly ever does.
    while db.session.scalar(
        select(PasswordReset.id).where(PasswordReset.digest == _digest(user.id, code))
    ):
        code = codes.new_code()[:CODE_LENGTH]
    expires_at = now + timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])
    db.session.add(
        PasswordReset(
            user_id=user.id,
            digest=_digest(user.id, code),
            issued_by_id=actor.id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    # Whose account and until when; the code itself is never recorded.
    audit.record(
        actor,
        "reset.issue",
        municipality_id=_municipality_of(actor, user),
        target=("user", user.id),
        after={"name": user.display_name, "expires_at": expires_at},
    )
    db.session.commit()
    return IssuedCode(code=code, expires_at=expires_at)


def _municipality_of(actor: User, user: User) -> int | None:
    """Where the account's resident is one the actor serves, for that municipality's trail."""
    return next(
        (
            m.municipality_id
            for m in user.memberships
            if m.role == Role.RESIDENT
            and (actor.is_admin or actor.has_role(m.municipality_id, Role.OFFICER))
        ),
        None,
    )


def normalise_code(typed: str) -> str:
    """What people type, as the code was drawn: upper case, no spaces or dashes, Cyrillic
    look-alikes read as the Latin letters they resemble."""
    return codes.normalise((typed or "").upper().translate(_LOOKALIKES))


def reset_password(login: str, code: str, new_password: str, client: str) -> User:
    """Set a new password with a one-time code. ``login`` is the phone number or user name as
    typed, ``client`` the throttle key of whoever is trying. A wrong, used or expired code is
    refused with one message, counted against the client and against the account's code."""
    throttle.check(client)
    now = utcnow()
    user = find_by_login(login)
    typed = normalise_code(code)
    reset = None
    if user is not None and typed:
        reset = db.session.scalar(
            select(PasswordReset).where(
                PasswordReset.user_id == user.id,
                PasswordReset.digest == _digest(user.id, typed),
                *_valid(now),
            )
        )
    if reset is None or user is None:
        _refuse(user, now, client)
    # Only now that the code proved who this is: otherwise a guesser could try names here.
    problem = password_problem(new_password, [user.display_name, user.username, user.phone])
    if problem is not None:
        db.session.rollback()
        raise EasyPassword(problem)
    # Compare-and-set: of two requests racing with the same code, one sets the password.
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    if cast("CursorResult[Any]", claimed).rowcount != 1:
        db.session.rollback()
        _refuse(None, now, client)
    user.set_password(new_password)
    db.session.commit()
    return user


def _refuse(user: User | None, now: datetime, client: str) -> NoReturn:
    if user is not None:
        db.session.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user.id, *_valid(now))
            .values(failures=PasswordReset.failures + 1)
        )
    throttle.record_failure(client)  # commits the count above with it
    raise RuleViolation(WRONG_CODE)


def sms_text(user: User, issued: IssuedCode) -> str:
    """The message with the code, in the account's own language."""
    with force_locale(user.locale):
        return _(
            "Participatory budget: your one-time code to set a new password is %(code)s. "
            "It works once, until %(time)s.",
            code=issued.grouped,
            time=format_moment(issued.expires_at),
        )


def send_by_sms(sender: SmsSender, user: User, issued: IssuedCode) -> None:
    """Send the code to the account's phone; raises pb.sms.SmsError. The code stays valid
    either way: the officer has it on screen."""
    if not user.phone:
        raise RuleViolation(_l("This account has no phone number."))
    sender.send(user.phone, sms_text(user, issued))


def municipality_contacts() -> list[Municipality]:
    """The municipalities that say where residents can find their officer."""
    found = db.session.scalars(
        select(Municipality)
        .where(
            or_(
                Municipality.contact_name.is_not(None),
                Municipality.contact_office.is_not(None),
                Municipality.contact_phone.is_not(None),
                Municipality.contact_hours.is_not(None),
            )
        )
        .order_by(
            in_kyrgyz_order(Municipality.region),
            in_kyrgyz_order(Municipality.name_ky),
            Municipality.slug,
        )
    )
    # A field cleared in a form may be kept as an empty text rather than NULL.
    return [
        m for m in found if m.contact_name or m.contact_office or m.contact_phone or m.contact_hours
    ]
