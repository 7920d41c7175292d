"""Accounts: creation with a role and grants, changes of rights, deactivation, password checks."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from functools import cache

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import write_transaction
from ..extensions import db
from ..models import Grant, Timetable, User
from .access import ROLES
from .errors import Conflict, NotFound, ServiceError
from .feed_links import dropping_links
from .sessions import ending_sessions

MIN_PASSWORD_LENGTH = 8


class WrongPassword(ServiceError):
    """The current password given is not the account's."""


def create_user(username: str, password: str | None, display_name: str | None = None, *, min_length: int = MIN_PASSWORD_LENGTH,
                is_admin: bool = False, grants: Mapping[int, str] | None = None) -> User:
    """Create an account with a hashed password; refuse duplicates and short passwords.

    Without a password (an invited account) nobody can log in until the invitation sets one.
    `grants` gives a role ("scheduler" or "viewer") per timetable id.
    """
    username = username.strip()
    if not username:
        raise ServiceError("A username is required.")
    if len(username) > 80:
        raise ServiceError("The username must have at most 80 characters.")
    if password is not None and len(password) < min_length:
        raise ServiceError(f"The password must have at least {min_length} characters.")
    with write_transaction() as session:
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise Conflict(f"A user called “{username}” already exists.")
        user = User(username=username, display_name=((display_name or "").strip() or username)[:200], is_admin=is_admin, active=True)
        # An invited account gets a password no one knows until the invitation replaces it.
        user.set_password(password if password is not None else secrets.token_urlsafe(32))
        session.add(user)
        session.flush()
        _replace_grants(session, user, grants or {})
    return user


def _replace_grants(session, user: User, grants: Mapping[int, str]) -> None:
    for timetable_id, role in grants.items():
        if role not in ROLES:
            raise ServiceError(f"“{role}” is not a role: choose one of {', '.join(ROLES)}.")
        if session.get(Timetable, timetable_id) is None:
            raise ServiceError(f"There is no timetable with the id {timetable_id} to grant.")
    session.execute(delete(Grant).where(Grant.user_id == user.id))
    session.add_all(Grant(user_id=user.id, timetable_id=timetable_id, role=role) for timetable_id, role in sorted(grants.items()))


def set_rights(user_id: int, *, is_admin: bool, grants: Mapping[int, str], acting_user_id: int | None = None) -> User:
    """Make the account an administrator or not, and replace its grants (timetable id → role), in one transaction."""
    with write_transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("There is no such account.")
        if user_id == acting_user_id and not is_admin:
            raise ServiceError("You cannot take away your own administrator role: ask another administrator.")
        user.is_admin = is_admin
        _replace_grants(session, user, grants)
        # Private calendar links of timetables the account may no longer read end with the grant.
        session.execute(dropping_links(user_id, None if is_admin else set(grants)))
    return user


def set_active(user_id: int, active: bool, *, acting_user_id: int | None = None) -> User:
    """Deactivate an account (its sessions end, its tokens stop working) or activate it again; nothing is deleted."""
    with write_transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("There is no such account.")
        if user_id == acting_user_id and not active:
            raise ServiceError("You cannot deactivate your own account.")
        user.active = active
        if not active:
            session.execute(ending_sessions(user_id))
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip()))


@cache
def _unknown_user_hash() -> str:
    # Hashed like real passwords (same method and cost), from a secret nobody knows.
    return generate_password_hash(secrets.token_hex(16))


def authenticate(username: str, password: str) -> User | None:
    """Return the user when the password matches, else None (the same for an unknown name).

    An unknown name costs a password check too: answering it at once (3 ms against 100 ms)
    would tell which usernames exist.
    """
    user = find_user(username)
    if user is None or not user.active:
        check_password_hash(_unknown_user_hash(), password)
        return None
    return user if user.check_password(password) else None


def change_password(user_id: int, current: str, new: str, keep_session: str | None = None, *,
                    min_length: int = MIN_PASSWORD_LENGTH) -> None:
    """Set a new password once the current one is given, and end every other session of the user.

    Both happen in one transaction: whoever had the old password (or a copy of a cookie) is out
    as soon as the new one holds. The session whose token is `keep_session` stays.
    """
    if len(new) < min_length:
        raise ServiceError(f"The new password must have at least {min_length} characters.")
    with write_transaction() as session:
        user = session.get(User, user_id)
        if user is None or not user.check_password(current):
            raise WrongPassword("The current password is wrong.")
        user.set_password(new)
        session.execute(ending_sessions(user_id, keep=keep_session))
