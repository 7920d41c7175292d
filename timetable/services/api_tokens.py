"""Personal API tokens: `Authorization: Bearer <token>` acts with the token's user's rights.

A token is shown once, when it is made; only its SHA-256 digest is kept, with a label and when
it was last used. Revoking deletes it. A deactivated account's tokens stop working.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update

from .. import clock
from ..database import write_transaction
from ..extensions import db
from ..models import ApiToken, User
from .errors import NotFound, ServiceError

PREFIX = "tt_"
MAX_LABEL = 100
# "Last used" is written at most this often per token, so API calls do not each take the write lock.
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user_id: int, label: str) -> tuple[ApiToken, str]:
    """A new token for the user: returns its row and the token itself, which is not kept."""
    label = (label or "").strip()
    if not label:
        raise ServiceError("Give the token a name, such as the script or machine that uses it.")
    if len(label) > MAX_LABEL:
        raise ServiceError(f"The token's name must have at most {MAX_LABEL} characters.")
    token = PREFIX + secrets.token_urlsafe(32)
    with write_transaction() as session:
        if session.get(User, user_id) is None:
            raise NotFound("There is no such account.")
        row = ApiToken(user_id=user_id, label=label, token_hash=_digest(token), created_at=clock.now())
        session.add(row)
    return row, token


def list_tokens(user_id: int) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at, ApiToken.id)))


def revoke_token(user_id: int, token_id: int) -> None:
    """Delete one of the user's own tokens; someone else's is NotFound, as if it did not exist."""
    with write_transaction() as session:
        if session.execute(delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)).rowcount != 1:
            raise NotFound("You have no such token (it may be revoked already).")


def token_user(token: str) -> User | None:
    """The active user whose token this is, or None; notes when the token was used."""
    row = db.session.execute(
        select(ApiToken.id, ApiToken.last_used_at, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(token), User.active.is_(True))
    ).first()
    if row is None:
        return None
    token_id, last_used, user = row
    now = clock.now()
    if last_used is None or last_used < now - LAST_USED_PRECISION:
        with write_transaction() as session:
            session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        user = db.session.get(User, user.id)
    return user

