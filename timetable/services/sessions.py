"""Editors' login sessions: started at login, checked on every request, ended one by one or all at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from .. import clock
from ..database import write_transaction
from ..extensions import db
from ..models import User, UserSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user_id: int, lifetime: timedelta, now: datetime | None = None) -> str:
    """Record a new login and return its token, for the session cookie only (its digest is stored).

    The user's sessions older than `lifetime` can no longer be used: they are removed here, so
    the table holds about one row per live login.
    """
    now = now or clock.now()
    token = secrets.token_urlsafe(32)
    with write_transaction() as session:
        session.execute(delete(UserSession).where(UserSession.user_id == user_id, UserSession.created_at < now - lifetime))
        session.add(UserSession(user_id=user_id, token_hash=_digest(token), created_at=now))
    return token


def session_user(user_id: int, token: str, lifetime: timedelta, now: datetime | None = None) -> User | None:
    """The user whose live session this token is, or None if it was ended, has expired or is someone else's."""
    now = now or clock.now()
    return db.session.scalar(
        select(User).join(UserSession, UserSession.user_id == User.id).where(
            User.id == user_id, User.active.is_(True), UserSession.token_hash == _digest(token),
            UserSession.created_at >= now - lifetime,
        )
    )


def end_session(token: str) -> None:
    """End one session (logout): a copy of its cookie no longer logs anyone in."""
    with write_transaction() as session:
        session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


def ending_sessions(user_id: int, *, keep: str | None = None):
    """The statement that ends every session of the user but `keep`'s, to run in the caller's transaction."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep is not None:
        query = query.where(UserSession.token_hash != _digest(keep))
    return query


def end_sessions(user_id: int, *, keep: str | None = None) -> int:
    """End every session of the user ("log out everywhere"), except `keep`'s; return how many ended."""
    with write_transaction() as session:
        return session.execute(ending_sessions(user_id, keep=keep)).rowcount
