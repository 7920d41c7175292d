"""Private calendar links: a person's own feed URL of a timetable they may read, `/<slug>/calendar.ics?key=…`.

Calendar apps send no session cookie, so the key in the URL is the credential. It reads the
feed with its owner's rights, decided again on every use by `access.allowed`: a link stops
working when its owner revokes it, loses the VIEW right on the timetable, or is deactivated.
Only the key's SHA-256 digest is kept, as for API tokens; the key is shown once, when made.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Delete, delete, false, func, select, update

from .. import clock
from ..database import write_transaction
from ..extensions import db
from ..models import FeedLink, Timetable, User
from .access import VIEW, allowed, granted_timetables
from .errors import InvalidField, LimitReached, NotFound
from .references import REF_MODELS
from .resolution import WeekFilter

PREFIX = "tf_"
# Keys are made by us: anything much longer is not one, and is refused before it is hashed.
MAX_KEY_LENGTH = 100
# Links one person may keep at once (a calendar per class or teacher is a handful, not hundreds).
MAX_LINKS_PER_USER = 50
# "Last used" is written at most this often per link, so polling calendar apps do not each take the write lock.
LAST_USED_PRECISION = timedelta(minutes=1)
_FILTER_WORDS = {"group": "class", "staff": "teacher", "room": "room"}


@dataclass(frozen=True)
class FeedLinkView:
    """One of a person's links as their account page lists it."""

    link: FeedLink
    timetable: Timetable
    works: bool  # False once its owner may no longer read the timetable


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _label(timetable: Timetable, filters: WeekFilter) -> str:
    """"Test school", or "Test school · class 7A · teacher X": what the link was made for."""
    parts = [timetable.name]
    for param in ("group", "staff", "room"):
        resource_id = getattr(filters, param)
        if resource_id is None:
            continue
        model = REF_MODELS[param]
        name = db.session.scalar(select(model.name).where(model.id == resource_id, model.timetable_id == timetable.id))
        if name is None:
            raise InvalidField(f"{param}: this timetable has no {_FILTER_WORDS[param]} #{resource_id}.", param)
        parts.append(f"{_FILTER_WORDS[param]} {name}")
    return " · ".join(parts)


def create_feed_link(user: User, timetable: Timetable, filters: WeekFilter) -> tuple[FeedLink, str]:
    """A new private link of `timetable` (filtered like the week page) for `user`; returns its row and key.

    The caller has checked that `user` may view the timetable; the key itself is not kept.
    """
    label = _label(timetable, filters)
    key = PREFIX + secrets.token_urlsafe(32)
    with write_transaction() as session:
        if session.scalar(select(func.count(FeedLink.id)).where(FeedLink.user_id == user.id)) >= MAX_LINKS_PER_USER:
            raise LimitReached(f"You have {MAX_LINKS_PER_USER} private calendar links already: revoke one you no longer use first.")
        row = FeedLink(user_id=user.id, timetable_id=timetable.id, label=label, token_hash=_digest(key), created_at=clock.now())
        session.add(row)
    return row, key


def list_feed_links(user: User) -> list[FeedLinkView]:
    """The person's links, oldest first, each saying whether it still works."""
    rows = db.session.execute(
        select(FeedLink, Timetable).join(Timetable, Timetable.id == FeedLink.timetable_id)
        .where(FeedLink.user_id == user.id).order_by(FeedLink.created_at, FeedLink.id)
    )
    return [FeedLinkView(link, timetable, allowed(user, VIEW, timetable.id)) for link, timetable in rows]


def revoke_feed_link(user_id: int, link_id: int) -> None:
    """Delete one of the person's own links; someone else's is NotFound, as if it did not exist."""
    with write_transaction() as session:
        if session.execute(delete(FeedLink).where(FeedLink.id == link_id, FeedLink.user_id == user_id)).rowcount != 1:
            raise NotFound("You have no such calendar link (it may be revoked already).")


def dropping_links(user_id: int, readable: Collection[int] | None) -> Delete:
    """The statement that ends the person's links of every timetable not in `readable` (None: they read all).

    Run where their rights change, in that transaction: a link whose owner lost the grant is
    gone for good, and does not come back to life if the grant is given again.
    """
    statement = delete(FeedLink).where(FeedLink.user_id == user_id)
    if readable is None:
        return statement.where(false())
    return statement.where(FeedLink.timetable_id.not_in(sorted(readable)))


def feed_reader(timetable: Timetable, key: str) -> User | None:
    """The person a key of `timetable`'s feed reads for, if it still works; notes when it was used.

    None for an unknown or revoked key, a key of another timetable, a deactivated owner, or an
    owner who may no longer view the timetable.
    """
    if not key.startswith(PREFIX) or len(key) > MAX_KEY_LENGTH:
        return None
    row = db.session.execute(
        select(FeedLink.id, FeedLink.last_used_at, User).join(User, User.id == FeedLink.user_id)
        .where(FeedLink.token_hash == _digest(key), FeedLink.timetable_id == timetable.id, User.active.is_(True))
    ).first()
    if row is None:
        return None
    link_id, last_used, user = row
    if not allowed(user, VIEW, timetable.id):
        return None
    now = clock.now()
    if last_used is None or last_used < now - LAST_USED_PRECISION:
        with write_transaction() as session:
            session.execute(update(FeedLink).where(FeedLink.id == link_id).values(last_used_at=now))
        user = db.session.get(User, user.id)
    return user


def linkable_timetables(user: User) -> list[Timetable]:
    """The timetables `user` may make private links of: those they may view, by name."""
    readable = granted_timetables(user, VIEW)
    query = select(Timetable).order_by(Timetable.name)
    if readable is not None:
        query = query.where(Timetable.id.in_(sorted(readable)))
    return list(db.session.scalars(query))
