"""Who may do what: one check per rule, used by services (which must not trust the views)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask_login import current_user

from pb.errors import PermissionDenied
from pb.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])


def is_member(user: User | None, municipality_id: int, *roles: Role) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.has_role(municipality_id, *roles)
    )


def ensure_role(user: User | None, municipality_id: int, *roles: Role) -> User:
    """Return the user if they hold one of ``roles`` in the municipality, else deny."""
    if not is_member(user, municipality_id, *roles):
        raise PermissionDenied()
    assert user is not None
    return user


def ensure_officer(user: User | None, municipality_id: int) -> User:
    return ensure_role(user, municipality_id, Role.OFFICER)


def is_officer(user: User | None, municipality_id: int) -> bool:
    return is_member(user, municipality_id, Role.OFFICER)


def ensure_admin(user: User | None) -> User:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_admin:
        raise PermissionDenied()
    return user


def admin_required(view: F) -> F:
    """For views: anonymous visitors go to the login page, others without the right get 403."""
    from flask_login import login_required

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        ensure_admin(current_user)
        return view(*args, **kwargs)

    return login_required(wrapped)
