"""Booking from the grid: holds under a lock code, confirmation, cancellation, waiting list.

Capacity is enforced inside the write transaction: on PostgreSQL the unit's row in
booking_units is locked first (one writer per unit), on SQLite the transaction starts with
BEGIN IMMEDIATE. Places are counted live — confirmed and awaiting approval, plus holds and
offers whose lease has not run out — so an expired hold never counts, whether or not the
purge has run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from .. import clock
from ..database import is_postgresql, write_transaction
from ..extensions import db
from ..formatting import hhmm, weekday_name
from ..models import Booking, BookingUnit, Timetable
from ..rules import APPROVAL_MANUAL, PARAMETERS, format_week
from .errors import Conflict, LimitReached, NotFound, ServiceError
from .live import announce
from .resolution import Occurrence, resolve_slot, resolve_week

HELD, OFFERED = "held", "offered"
CONFIRMED, REQUESTED, WAITING = "confirmed", "requested", "waiting"
CANCELLED, DENIED = "cancelled", "denied"
LEASED = (HELD, OFFERED)  # take a place until their lease runs out
TAKING = (CONFIRMED, REQUESTED)  # take a place for good
BOOKED_STATUSES = (CONFIRMED, REQUESTED, HELD, OFFERED, WAITING)
CANCELLABLE = (CONFIRMED, REQUESTED, WAITING, OFFERED)  # and a hold, while its lease runs
# A change to these can move, shorten, close or shrink an occurrence that people booked.
BOOKING_SENSITIVE = ("weekday", "start", "duration", "status", "capacity", "appointment_length", "cycle_weeks")

# The most places one request may ask for anywhere; a slot's `max_places_per_booking` may lower it.
MAX_PLACES_PER_BOOKING = 10
DEFAULT_OFFER_LEASE = timedelta(hours=24)
DEFAULT_HOLD_LEASE = timedelta(minutes=10)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class Full(Conflict):
    """No place left on the unit: the visitor may join its waiting list."""


@dataclass(frozen=True)
class Client:
    """Who asks, for the limits that keep one client from hoarding places.

    `address_hash` is the SHA-256 of the visitor's network address (only the digest is stored).
    Each limit counts within one timetable; the web layer fills them in from the configuration.
    """

    address_hash: str
    holds: int = 3  # live holds at once, whatever their lock codes
    waiting_per_email: int = 3  # waiting-list entries (waiting or offered) per e-mail address
    waiting_per_address: int = 10  # waiting-list entries (waiting or offered) per network address

    @classmethod
    def at(cls, address: str, **limits: int) -> Client:
        return cls(digest(address or "unknown"), **limits)


def _serialize_client(client: Client) -> None:
    """Count one client's bookings one request at a time: on PostgreSQL an advisory lock on its digest
    (SQLite writers are serialized already by BEGIN IMMEDIATE)."""
    if is_postgresql():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(client.address_hash[:15], 16)})


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


def _lapsed(booking: Booking, now: datetime) -> bool:
    return booking.expires_at is not None and booking.expires_at <= now


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def clean_lock_code(lock_code: str | None) -> str:
    """Trim the lock code (templates add stray spaces); an empty one is refused."""
    code = (lock_code or "").strip()
    if not code:
        raise ServiceError("A lock code is required to hold a place: send a non-empty lock_code.")
    if len(code) > 200:
        raise ServiceError("The lock code is too long (200 characters at most).")
    return code


def _reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


@dataclass(frozen=True)
class Unit:
    """What one booking takes a place on: an occurrence, or one appointment of it."""

    occurrence: Occurrence
    appointment: int
    start: int
    end: int

    @property
    def slot_id(self) -> int:
        return self.occurrence.slot_id

    @property
    def week(self) -> int:
        return self.occurrence.week

    @property
    def capacity(self) -> int:
        return self.occurrence.values["capacity"]

    @property
    def date(self) -> dt.date:
        return self.occurrence.date

    @property
    def manual(self) -> bool:
        return self.occurrence.values["booking_approval"] == APPROVAL_MANUAL

    def starts_at(self, time_zone: str) -> datetime:
        """When the unit begins, as an instant (its date and time on the timetable's clock)."""
        local = datetime.combine(self.date, dt.time(self.start // 60, self.start % 60), ZoneInfo(time_zone))
        return local.astimezone(dt.UTC)

    def describe(self, title: str) -> str:
        return f"{title} · {weekday_name(self.occurrence.weekday)} {self.date.isoformat()} {hhmm(self.start)}–{hhmm(self.end)}"


def units_of(occurrence: Occurrence) -> list[Unit]:
    """The occurrence as a whole, or cut into appointments of its appointment length."""
    length = occurrence.values["appointment_length"]
    if not length:
        return [Unit(occurrence, 0, occurrence.start, occurrence.end)]
    count = occurrence.duration // length
    return [Unit(occurrence, i, occurrence.start + i * length, occurrence.start + (i + 1) * length) for i in range(count)]


def is_bookable(occurrence: Occurrence) -> bool:
    return occurrence.status == "open" and occurrence.values["capacity"] > 0 and not occurrence.off


def find_unit(timetable: Timetable, slot_id: int, week: int, appointment: int = 0) -> Unit:
    """The unit to book, or a clear refusal: unknown slot, not held that week, closed, not bookable."""
    occurrence = resolve_slot(timetable, slot_id, week)
    if occurrence is None:
        raise NotFound(f"Slot {slot_id} does not take place in {format_week(week)}.")
    if occurrence.off:
        raise ServiceError(f"This occurrence does not take place on {occurrence.date.isoformat()} ({occurrence.off}): booking is closed.")
    if occurrence.status != "open":
        note = f" ({occurrence.values['note']})" if occurrence.values["note"] else ""
        raise ServiceError(f"This occurrence is closed in {format_week(week)}{note}: it cannot be booked.")
    if occurrence.values["capacity"] <= 0:
        raise ServiceError("This occurrence is not open for booking.")
    units = units_of(occurrence)
    if not 0 <= appointment < len(units):
        raise ServiceError(f"There is no appointment {appointment} in this occurrence (0 to {len(units) - 1}).")
    return units[appointment]


def _lock_unit(unit: Unit) -> None:
    """Serialize writers of one unit: on PostgreSQL lock its row (created on first use)."""
    if not is_postgresql():
        return  # SQLite: write_transaction began with BEGIN IMMEDIATE, writers are serialized
    db.session.execute(
        pg_insert(BookingUnit).values(slot_id=unit.slot_id, week=unit.week, appointment=unit.appointment)
        .on_conflict_do_nothing(index_elements=["slot_id", "week", "appointment"])
    )
    db.session.execute(
        select(BookingUnit.id).where(BookingUnit.slot_id == unit.slot_id, BookingUnit.week == unit.week,
                                     BookingUnit.appointment == unit.appointment).with_for_update()
    )


def _live(now: datetime):
    """Bookings that take a place now."""
    return or_(Booking.status.in_(TAKING), and_(Booking.status.in_(LEASED), Booking.expires_at > now))


def taken_places(unit: Unit, now: datetime, *, except_lock: str | None = None) -> int:
    query = select(func.coalesce(func.sum(Booking.places), 0)).where(
        Booking.slot_id == unit.slot_id, Booking.week == unit.week, Booking.appointment == unit.appointment, _live(now)
    )
    if except_lock is not None:
        query = query.where(or_(Booking.lock_code_hash.is_(None), Booking.lock_code_hash != except_lock))
    return db.session.scalar(query) or 0


def _check_not_started(timetable: Timetable, unit: Unit, now: datetime) -> None:
    if unit.starts_at(timetable.time_zone) <= now:
        raise ServiceError("This has already begun: it can no longer be booked.")


def places_allowed(occurrence: Occurrence) -> int:
    """The most places one booking may take: the slot's `max_places_per_booking`, within its capacity
    and the ceiling of any one request."""
    values = occurrence.values
    return max(0, min(values["max_places_per_booking"], values["capacity"], MAX_PLACES_PER_BOOKING))


def _check_places(places: int, unit: Unit) -> None:
    if not isinstance(places, int) or places < 1:
        raise ServiceError("Book at least one place.")
    allowed = places_allowed(unit.occurrence)
    if allowed < 1:
        raise ServiceError("Places here are not booked by visitors: ask the organisers.")
    if places > allowed:
        raise ServiceError(f"At most {allowed} place{'s' if allowed != 1 else ''} can be booked at once here.")


def _check_hold_limit(timetable: Timetable, client: Client, code_hash: str, now: datetime) -> None:
    """Refuse a new hold when this client already has its share of live holds on the timetable.

    Holding again under the same lock code replaces that hold, so it does not count.
    """
    _serialize_client(client)
    live_holds = db.session.scalar(select(func.count(Booking.id)).where(
        Booking.timetable_id == timetable.id, Booking.client_hash == client.address_hash, Booking.status == HELD,
        Booking.expires_at > now, or_(Booking.lock_code_hash.is_(None), Booking.lock_code_hash != code_hash),
    )) or 0
    if live_holds >= client.holds:
        raise LimitReached(
            f"Your network address already has {client.holds} bookings in progress here, the most allowed at once: "
            "finish one or let it run out, then try again."
        )


def _check_waiting_limits(timetable: Timetable, client: Client, email: str) -> None:
    """Refuse a waiting-list entry beyond the share of one e-mail address or one network address."""
    _serialize_client(client)
    queued = select(func.count(Booking.id)).where(Booking.timetable_id == timetable.id, Booking.status.in_((WAITING, OFFERED)))
    if (db.session.scalar(queued.where(func.lower(Booking.email) == email.lower())) or 0) >= client.waiting_per_email:
        raise LimitReached(
            f"This e-mail address is already on {client.waiting_per_email} waiting lists here, the most allowed: "
            "leave one (from its private link) before joining another."
        )
    if (db.session.scalar(queued.where(Booking.client_hash == client.address_hash)) or 0) >= client.waiting_per_address:
        raise LimitReached(
            f"Your network address already has {client.waiting_per_address} waiting-list entries here, the most allowed."
        )


def hold_place(
    timetable: Timetable, slot_id: int, week: int, appointment: int, places: int, lock_code: str,
    lease: timedelta, now: datetime | None = None, client: Client | None = None,
) -> Booking:
    """Hold places on a unit for `lease` under a lock code; holding again replaces the earlier hold.

    The visitor's earlier hold — on this unit or any other of the timetable — is replaced,
    so going back and choosing again never holds two places. Refuses with Full when the
    unit has no room for them, and with LimitReached when the `client` (when given) already
    holds its share of places under other lock codes.
    """
    now = _now(now)
    code_hash = digest(clean_lock_code(lock_code))
    with write_transaction():
        return _take_hold(timetable, slot_id, week, appointment, places, code_hash, lease, now, client)


def _take_hold(
    timetable: Timetable, slot_id: int, week: int, appointment: int, places: int, code_hash: str,
    lease: timedelta, now: datetime, client: Client | None = None,
) -> Booking:
    unit = find_unit(timetable, slot_id, week, appointment)
    _check_not_started(timetable, unit, now)
    _check_places(places, unit)
    if client is not None:
        _check_hold_limit(timetable, client, code_hash, now)
    _lock_unit(unit)
    free = unit.capacity - taken_places(unit, now, except_lock=code_hash)
    if places > free:
        raise Full("This is full: no place left." if free <= 0 else f"Only {free} place{'s' if free != 1 else ''} left.")
    # Replace, rather than update, the visitor's earlier hold so it may move between units.
    client_hash = client.address_hash if client is not None else None
    for earlier in db.session.scalars(select(Booking).where(
        Booking.timetable_id == timetable.id, Booking.lock_code_hash == code_hash, Booking.status == HELD
    )):
        client_hash = client_hash or earlier.client_hash
        db.session.delete(earlier)
    booking = Booking(timetable_id=timetable.id, slot_id=slot_id, week=week, appointment=appointment,
                      places=places, status=HELD, lock_code_hash=code_hash, expires_at=now + lease, client_hash=client_hash)
    db.session.add(booking)
    db.session.flush()
    announce(timetable.id, "hold", ((week, week),))
    return booking


def _held_under(timetable: Timetable, code_hash: str) -> Booking | None:
    return db.session.scalar(select(Booking).where(
        Booking.timetable_id == timetable.id, Booking.lock_code_hash == code_hash, Booking.status == HELD
    ).order_by(Booking.id.desc()))


def _current_hold(timetable: Timetable, code_hash: str) -> Booking:
    hold = _held_under(timetable, code_hash)
    if hold is None:
        raise NotFound("No place is held under this lock code: hold one first (or it was purged after expiring).")
    return hold


def check_contact(name: str | None, email: str | None) -> tuple[str, str]:
    """The name and email a booking is made with, cleaned, or a refusal saying what is wrong."""
    name, email = (name or "").strip(), (email or "").strip()
    if not name:
        raise ServiceError("Give a name for the booking.")
    if len(name) > 200:
        raise ServiceError("The name is too long (200 characters at most).")
    if not EMAIL.fullmatch(email) or len(email) > 254:
        raise ServiceError(f"“{email}” is not an email address; check it and try again.")
    return name, email


def confirm_booking(
    timetable: Timetable, lock_code: str, name: str, email: str, now: datetime | None = None, *,
    places: int | None = None, lease: timedelta = DEFAULT_HOLD_LEASE,
) -> tuple[Booking, str]:
    """Turn the visitor's hold into a booking; return it with the key of its private link.

    Within the lease the held place is kept without counting again. After the lease the
    place is checked again, and if it is gone the visitor is told so. Slots set to manual
    approval give a request a scheduler then approves or denies. With `places` other than
    the hold's, the hold is first taken again with that many (for `lease`), in the same
    transaction: refused as a whole, or confirmed resized.
    """
    now = _now(now)
    code_hash = digest(clean_lock_code(lock_code))
    name, email = check_contact(name, email)
    with write_transaction():
        hold = _current_hold(timetable, code_hash)
        if places is not None and places != hold.places:
            hold = _take_hold(timetable, hold.slot_id, hold.week, hold.appointment, places, code_hash,
                              lease, now)
        unit = find_unit(timetable, hold.slot_id, hold.week, hold.appointment)
        if _lapsed(hold, now):
            _lock_unit(unit)
            if hold.places > unit.capacity - taken_places(unit, now, except_lock=code_hash):
                raise Full("Your hold ran out and the place has been taken since: choose another one.")
        key = secrets.token_urlsafe(24)
        hold.status = REQUESTED if unit.manual else CONFIRMED
        hold.name, hold.email = name, email
        hold.reference, hold.key_hash = _reference(), digest(key)
        hold.lock_code_hash, hold.expires_at = None, None
        announce(timetable.id, "booking", ((hold.week, hold.week),))
    return hold, key


def join_waiting_list(
    timetable: Timetable, slot_id: int, week: int, appointment: int, places: int, name: str, email: str,
    now: datetime | None = None, client: Client | None = None,
) -> tuple[Booking, str]:
    """Queue for a full unit; the first in line is offered a place when one frees.

    With a `client`, refuses (LimitReached) beyond its share of entries per e-mail and per address.
    """
    now = _now(now)
    name, email = check_contact(name, email)
    with write_transaction():
        unit = find_unit(timetable, slot_id, week, appointment)
        _check_not_started(timetable, unit, now)
        _check_places(places, unit)
        if client is not None:
            _check_waiting_limits(timetable, client, email)
        _lock_unit(unit)
        if unit.capacity - taken_places(unit, now) >= places:
            raise ServiceError("There is room: book the place instead of waiting for it.")
        key = secrets.token_urlsafe(24)
        booking = Booking(timetable_id=timetable.id, slot_id=slot_id, week=week, appointment=appointment,
                          places=places, status=WAITING, name=name, email=email, reference=_reference(), key_hash=digest(key),
                          client_hash=client.address_hash if client is not None else None)
        db.session.add(booking)
        db.session.flush()
        announce(timetable.id, "booking", ((week, week),))
    return booking, key


def offer_freed_places(
    unit: Unit, now: datetime, offer_lease: timedelta = DEFAULT_OFFER_LEASE, *, passed_over: frozenset[int] = frozenset()
) -> list[Booking]:
    """Offer freed places to the waiting list in order (inside the caller's transaction, unit locked).

    `passed_over` are bookings whose offer just lapsed: this round goes to the others.
    """
    offered = []
    free = unit.capacity - taken_places(unit, now)
    for waiting in db.session.scalars(select(Booking).where(
        Booking.slot_id == unit.slot_id, Booking.week == unit.week, Booking.appointment == unit.appointment,
        Booking.status == WAITING, Booking.id.not_in(passed_over),
    ).order_by(Booking.created_at, Booking.id)):
        if waiting.places > free:
            break  # first come, first served: nobody jumps the queue with a smaller party
        waiting.status, waiting.expires_at = OFFERED, now + offer_lease
        free -= waiting.places
        offered.append(waiting)
    return offered


def find_booking(reference: str, key: str) -> Booking:
    """The booking behind a private link; a wrong reference or key gets the same answer."""
    booking = db.session.scalar(select(Booking).where(Booking.reference == (reference or "").strip().upper()))
    if booking is None or booking.key_hash is None or not secrets.compare_digest(booking.key_hash, digest(key or "")):
        raise NotFound("No booking matches this link: check that you copied all of it.")
    return booking


def cancel_booking(reference: str, key: str, now: datetime | None = None) -> Booking:
    """Cancel through the private link; the freed places go to the waiting list."""
    now = _now(now)
    with write_transaction():
        booking = find_booking(reference, key)
        _cancel(booking, now)
    return booking


def accept_offer(reference: str, key: str, now: datetime | None = None) -> Booking:
    """Take the place offered from the waiting list, while the offer lasts.

    A lapsed offer goes back to the end of the line and the place to the next person;
    that is committed before the visitor is told, so the refusal is the truth.
    """
    now = _now(now)
    lapsed = False
    with write_transaction():
        booking = find_booking(reference, key)
        if booking.status != OFFERED:
            raise ServiceError("There is no place on offer for this booking.")
        timetable = db.session.get_one(Timetable, booking.timetable_id)
        unit = find_unit(timetable, booking.slot_id, booking.week, booking.appointment)
        _lock_unit(unit)
        if _lapsed(booking, now):
            booking.status, booking.expires_at, booking.created_at = WAITING, None, now
            db.session.flush()
            offer_freed_places(unit, now, passed_over=frozenset({booking.id}))
            lapsed = True
        else:
            booking.status = REQUESTED if unit.manual else CONFIRMED
            booking.expires_at = None
        announce(booking.timetable_id, "booking", ((booking.week, booking.week),))
    if lapsed:
        raise Full("The offer ran out: you are back at the end of the waiting list, and the place goes to the next person in line.")
    return booking


def _cancel(booking: Booking, now: datetime, status: str = CANCELLED) -> None:
    if booking.status in (CANCELLED, DENIED):
        raise ServiceError("This booking is already cancelled.")
    booking.status, booking.expires_at = status, None
    announce(booking.timetable_id, "booking", ((booking.week, booking.week),))
    _offer_freed_unit(db.session.get_one(Timetable, booking.timetable_id), booking.slot_id, booking.week,
                      booking.appointment, now)


def _offer_freed_unit(timetable: Timetable, slot_id: int, week: int, appointment: int, now: datetime) -> list[Booking]:
    """Lock the unit and offer the places it has free to its waiting list, if it is still bookable."""
    occurrence = resolve_slot(timetable, slot_id, week)
    if occurrence is None or not is_bookable(occurrence):
        return []
    units = units_of(occurrence)
    if appointment >= len(units):
        return []
    _lock_unit(units[appointment])
    db.session.flush()
    return offer_freed_places(units[appointment], now)


def _scheduler_booking(timetable: Timetable, booking_id: int) -> Booking:
    booking = db.session.scalar(select(Booking).where(Booking.id == booking_id, Booking.timetable_id == timetable.id))
    if booking is None:
        raise NotFound(f"This timetable has no booking {booking_id}.")
    return booking


def cancel_by_scheduler(timetable: Timetable, booking_id: int, now: datetime | None = None) -> Booking:
    with write_transaction():
        booking = _scheduler_booking(timetable, booking_id)
        _cancel(booking, _now(now))
    return booking


def decide_request(timetable: Timetable, booking_id: int, approve: bool, now: datetime | None = None) -> Booking:
    """Approve or deny a request on a slot set to manual approval (a denial frees the place)."""
    with write_transaction():
        booking = _scheduler_booking(timetable, booking_id)
        if booking.status != REQUESTED:
            raise ServiceError(f"Booking {booking.reference} is {booking.status}, not awaiting approval.")
        if approve:
            booking.status = CONFIRMED
            announce(timetable.id, "booking", ((booking.week, booking.week),))
        else:
            _cancel(booking, _now(now), status=DENIED)
    return booking


def release_expired_leases(since: datetime, now: datetime) -> list[tuple[int, int]]:
    """Holds and offers whose lease ran out in (since, now]: purge them at once, so the waiting
    list is offered the freed places without waiting for cron, and return the (timetable,
    week) pairs they were on, for the live watcher to tell the viewers of those weeks."""
    ran_out = db.session.execute(select(Booking.timetable_id, Booking.week).where(
        Booking.status.in_(LEASED), Booking.expires_at > since, Booking.expires_at <= now,
    ).distinct()).all()
    if ran_out:
        purge_expired_holds(now)
    return [(timetable_id, week) for timetable_id, week in ran_out]


def purge_expired_holds(now: datetime | None = None) -> int:
    """Delete holds whose lease ran out, put lapsed offers back in line, offer the freed places."""
    now = _now(now)
    with write_transaction():
        expired = list(db.session.scalars(select(Booking).where(Booking.status == HELD, Booking.expires_at <= now)))
        lapsed = list(db.session.scalars(select(Booking).where(Booking.status == OFFERED, Booking.expires_at <= now)))
        touched = {(b.timetable_id, b.slot_id, b.week, b.appointment) for b in expired + lapsed}
        for booking in expired:
            db.session.delete(booking)
        for booking in lapsed:
            # The lapsed offer goes to the end of the line rather than blocking it.
            booking.status, booking.expires_at, booking.created_at = WAITING, None, now
        db.session.flush()
        for timetable_id, slot_id, week, appointment in sorted(touched):
            announce(timetable_id, "hold", ((week, week),))
            _offer_freed_unit(db.session.get_one(Timetable, timetable_id), slot_id, week, appointment, now)
    return len(expired)


@dataclass(frozen=True)
class UnitAvailability:
    unit: Unit
    taken: int
    mine: int
    waiting: int
    held_by_others: int
    started: bool = False  # it has begun: no more holds or waiting list

    @property
    def free(self) -> int:
        return 0 if self.started else max(0, self.unit.capacity - self.taken)


def week_availability(
    timetable: Timetable, week: int, lock_code: str | None = None, now: datetime | None = None,
    occurrences: list[Occurrence] | None = None,
) -> dict[int, list[UnitAvailability]]:
    """Free places of every bookable occurrence of a week, in one query whatever the bookings.

    Other visitors' live holds count as taken; the caller's own hold (by lock code) counts
    as theirs, so a visitor coming back to the choice page still sees their place.
    """
    now = _now(now)
    mine_hash = digest(lock_code.strip()) if lock_code and lock_code.strip() else None
    occurrences = resolve_week(timetable, week) if occurrences is None else occurrences
    bookable = [o for o in occurrences if is_bookable(o)]
    if not bookable:
        return {}
    rows = db.session.execute(
        select(
            Booking.slot_id, Booking.appointment,
            func.sum(case((_live(now), Booking.places), else_=0)),
            func.sum(case((and_(_live(now), Booking.lock_code_hash == mine_hash), Booking.places), else_=0))
            if mine_hash else func.sum(0),
            func.sum(case((Booking.status == WAITING, Booking.places), else_=0)),
            func.sum(case((and_(Booking.status.in_(LEASED), Booking.expires_at > now), Booking.places), else_=0)),
        )
        .where(Booking.timetable_id == timetable.id, Booking.week == week,
               Booking.slot_id.in_([o.slot_id for o in bookable]))
        .group_by(Booking.slot_id, Booking.appointment)
    ).all()
    counts = {(slot_id, appointment): (taken, mine, waiting, leased) for slot_id, appointment, taken, mine, waiting, leased in rows}
    result: dict[int, list[UnitAvailability]] = defaultdict(list)
    for occurrence in bookable:
        for unit in units_of(occurrence):
            taken, mine, waiting, leased = counts.get((unit.slot_id, unit.appointment), (0, 0, 0, 0))
            result[unit.slot_id].append(UnitAvailability(unit, int(taken), int(mine or 0), int(waiting), int(leased) - int(mine or 0),
                                                         started=unit.starts_at(timetable.time_zone) <= now))
    return dict(result)


def list_bookings(timetable: Timetable, slot_id: int, week: int) -> list[Booking]:
    """Everything booked on an occurrence, for schedulers: live holds, bookings, requests, queue."""
    return list(db.session.scalars(select(Booking).where(
        Booking.timetable_id == timetable.id, Booking.slot_id == slot_id, Booking.week == week,
    ).order_by(Booking.appointment, Booking.created_at, Booking.id)))


def offer_after_edit(timetable: Timetable, slot_ids: set[int], now: datetime | None = None) -> list[Booking]:
    """After an edit raised capacity (or reopened, lengthened, re-cut an occurrence), offer the
    places it freed to the waiting lists of those slots (inside the caller's transaction)."""
    if not slot_ids:
        return []
    now = _now(now)
    units = db.session.execute(select(Booking.slot_id, Booking.week, Booking.appointment).where(
        Booking.timetable_id == timetable.id, Booking.slot_id.in_(slot_ids), Booking.status == WAITING,
    ).distinct()).all()
    offered = []
    for slot_id, week, appointment in sorted(units):
        offered += _offer_freed_unit(timetable, slot_id, week, appointment, now)
    return offered


def current_hold(timetable: Timetable, lock_code: str | None) -> Booking | None:
    """The place held under this lock code (its lease may have run out), or None: what the form page shows."""
    code = (lock_code or "").strip()
    return _held_under(timetable, digest(code)) if code else None



class ChangedValue(Protocol):
    """A line of an edit's preview: one slot's parameter going from `old` to `new` over some weeks."""

    @property
    def slot_id(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def param(self) -> str: ...
    @property
    def start(self) -> int | None: ...
    @property
    def end(self) -> int | None: ...
    @property
    def old(self) -> str: ...
    @property
    def new(self) -> str: ...


@dataclass(frozen=True)
class BookingLine:
    """Bookings on one occurrence that a plan changes, and how it changes it."""

    slot_id: int
    label: str
    week: int
    counts: tuple[tuple[str, int], ...]  # (status, places), in a fixed order
    changes: tuple[str, ...]

    @property
    def booked(self) -> int:
        return sum(places for status, places in self.counts if status != WAITING)

    def __str__(self) -> str:
        counts = ", ".join(f"{places} {status}" for status, places in self.counts)
        return f"{self.label} · {format_week(self.week)}: {counts} — {'; '.join(self.changes)}"


def booked_changes(timetable: Timetable, lines: Sequence[ChangedValue]) -> list[BookingLine]:
    """The booked occurrences a plan moves, shortens, closes or shrinks, with what it does to them."""
    sensitive = [line for line in lines if line.param in BOOKING_SENSITIVE and line.slot_id > 0]
    if not sensitive:
        return []
    query = select(Booking.slot_id, Booking.week, Booking.status, func.sum(Booking.places)).where(
        Booking.timetable_id == timetable.id,
        Booking.slot_id.in_({line.slot_id for line in sensitive}),
        Booking.status.in_(BOOKED_STATUSES),
    ).group_by(Booking.slot_id, Booking.week, Booking.status)
    found: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for slot_id, week, status, places in db.session.execute(query):
        found[(slot_id, week)][status] = int(places)
    result = []
    for (slot_id, week), counts in sorted(found.items()):
        touching = [line for line in sensitive if line.slot_id == slot_id and _covers(line.start, line.end, week)]
        if not touching:
            continue
        ordered = tuple((status, counts[status]) for status in BOOKED_STATUSES if status in counts)
        changes = tuple(f"{PARAMETERS[line.param].label.lower()} {line.old} → {line.new}" for line in touching)
        result.append(BookingLine(slot_id, touching[0].label, week, ordered, changes))
    return result


def _covers(start: int | None, end: int | None, week: int) -> bool:
    return (start is None or start <= week) and (end is None or week <= end)
