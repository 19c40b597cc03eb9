"""Logged-in sessions: started at login, ended at logout, found again on every request.

The session and the remember-me cookie carry the account's id and its login token (Flask-Login's
"alternative id", User.get_id). Logging out, setting a password or resetting it gives the account
a new token, so every copy of an older cookie stops working: it is the server that ends the
session, not the browser deleting its cookie.
"""

from __future__ import annotations

import secrets

from flask import current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from pb.auth import services
from pb.extensions import db
from pb.forms import MAX_ID
from pb.models import User


def load_user(alternative_id: str) -> User | None:
    """Flask-Login's user loader: the account whose id and current token the cookie carries."""
    user_id, _, token = alternative_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and token) or int(user_id) > MAX_ID:
        return None
    # With its roles in the same query: every page asks them, and a vote by account is then
    # one round trip for the account instead of two (see Benchmarks). With her entry on the
    # roll too: a vote where the roll votes makes her mark's digest from its id before the
    # statement that records the ballot (pb.voting.voters).
    user = (
        db.session.scalars(
            select(User)
            .where(User.id == int(user_id))
            .options(joinedload(User.memberships), joinedload(User.roll_entry))
        )
        .unique()
        .one_or_none()
    )
    # Compared in constant time, so the time taken does not tell how much of a token is right.
    if user is None or not secrets.compare_digest(
        user.login_token.encode(), token.encode("utf-8", "replace")
    ):
        return None
    return user


def _new_csrf_token() -> None:
    # A token that was known before logging in (or out) must not keep working after: the next
    # form gets a new one (Flask-WTF keeps it in the session, and caches it for the request).
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def start(user: User, remember: bool = False) -> None:
    """Log ``user`` in on this device, in her own language, with a new CSRF token."""
    _new_csrf_token()
    login_user(user, remember=remember)
    session["locale"] = user.locale


def restart(user: User) -> None:
    """Keep this device logged in after the account's token changed (her own new password):
    the session, and the remember-me cookie if this device had one, get the new token."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    login_user(user, remember=cookie in request.cookies)


def end(user: User | None) -> None:
    """Log out: the account's token changes, so copies of this session's cookies die too."""
    if user is not None and user.is_authenticated:
        services.end_sessions(user)
    logout_user()
    _new_csrf_token()
