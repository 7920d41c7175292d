"""Editor accounts: creation and password checks."""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import write_transaction
from ..extensions import db
from ..models import User
from .errors import Conflict, ServiceError
from .sessions import ending_sessions

MIN_PASSWORD_LENGTH = 8


class WrongPassword(ServiceError):
    """The current password given is not the account's."""


def create_user(username: str, password: str, display_name: str | None = None, *, min_length: int = MIN_PASSWORD_LENGTH) -> User:
    """Create an editor account with a hashed password; refuse duplicates and short passwords."""
    username = username.strip()
    if not username:
        raise ServiceError("A username is required.")
    if len(password) < min_length:
        raise ServiceError(f"The password must have at least {min_length} characters.")
    with write_transaction() as session:
        if session.scalar(select(User).where(User.username == username)) is not None:
            raise Conflict(f"A user called “{username}” already exists.")
        user = User(username=username, display_name=(display_name or username).strip())
        user.set_password(password)
        session.add(user)
    return user


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
    if user is None:
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
