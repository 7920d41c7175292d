"""Invitation links: how a new account sets its password, with no mail to send it.

The link is shown once to the administrator who made it; only the SHA-256 digest of its token
is kept. It expires after INVITATION_LIFETIME and works once. A new link for the same account
replaces the ones before it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update

from .. import clock
from ..database import write_transaction
from ..extensions import db
from ..models import Invitation, User
from .accounts import MIN_PASSWORD_LENGTH
from .errors import NotFound, ServiceError
from .sessions import ending_sessions

INVITATION_LIFETIME = timedelta(days=7)
GONE = "This invitation link is unknown, used or expired: ask an administrator for a new one."


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_invitation(user_id: int, lifetime: timedelta = INVITATION_LIFETIME) -> str:
    """A new invitation for the account; returns the token (for the link only) and forgets it."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with write_transaction() as session:
        if session.get(User, user_id) is None:
            raise NotFound("There is no such account.")
        session.execute(delete(Invitation).where(Invitation.user_id == user_id))
        session.add(Invitation(user_id=user_id, token_hash=_digest(token), created_at=now, expires_at=now + lifetime))
    return token


def _valid(session, token: str):
    return session.scalar(
        select(Invitation).join(User, User.id == Invitation.user_id).where(
            Invitation.token_hash == _digest(token), Invitation.used_at.is_(None),
            Invitation.expires_at > clock.now(), User.active.is_(True),
        )
    )


def invited_user(token: str) -> User:
    """The account an unused, unexpired invitation is for; NotFound otherwise."""
    invitation = _valid(db.session, token)
    if invitation is None:
        raise NotFound(GONE)
    return db.session.get_one(User, invitation.user_id)


def accept_invitation(token: str, password: str, *, min_length: int = MIN_PASSWORD_LENGTH) -> User:
    """Set the account's password and use the invitation up, in one transaction; it cannot be used twice."""
    if len(password) < min_length:
        raise ServiceError(f"The password must have at least {min_length} characters.")
    with write_transaction() as session:
        invitation = _valid(session, token)
        if invitation is None:
            raise NotFound(GONE)
        # Only the first of two racing requests marks it used; the second finds nothing to update.
        used = session.execute(
            update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None)).values(used_at=clock.now())
        ).rowcount
        if used != 1:
            raise NotFound(GONE)
        user = session.get(User, invitation.user_id)
        user.set_password(password)
        session.execute(ending_sessions(user.id))
    return user


def pending_invitations(user_ids: list[int]) -> dict[int, Invitation]:
    """The unused, unexpired invitation of each of these accounts that has one."""
    rows = db.session.scalars(select(Invitation).where(
        Invitation.user_id.in_(user_ids), Invitation.used_at.is_(None), Invitation.expires_at > clock.now()))
    return {row.user_id: row for row in rows}
