"""Database tables: timetables, their resources, slots and the rule rows of every stripe."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock
from .extensions import db
from .utc import UTCDateTime


def _utcnow() -> datetime:
    return clock.now()


class Timetable(db.Model):
    __tablename__ = "timetables"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    # ISO weekdays shown as columns, "1,2,3,4,5"; hours shown as minutes since midnight.
    shown_weekdays: Mapped[str] = mapped_column(String(20), default="1,2,3,4,5")
    day_start: Mapped[int] = mapped_column(Integer, default=8 * 60)
    day_end: Mapped[int] = mapped_column(Integer, default=18 * 60)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    # The last-change marker (services/freshness.py): bumped by every committed change of what readers see.
    # It starts at random, so that a timetable made again with a reused id never matches an old ETag or cache entry.
    revision: Mapped[int] = mapped_column(Integer, default=lambda: secrets.randbelow(2**30), server_default="0")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The revision of the last commit that changed more than rules (names, calendar, bell times, bookings, itself).
    setup_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    terms: Mapped[list[Term]] = relationship(
        back_populates="timetable", order_by="Term.start_week", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("day_start >= 0 AND day_start < day_end AND day_end <= 1440", name="day_hours"),
    )

    @property
    def weekdays(self) -> list[int]:
        return [int(day) for day in self.shown_weekdays.split(",") if day]


class Term(db.Model):
    """A named range of weeks (a school year, a term, a season) offered as an edit range."""

    __tablename__ = "terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    start_week: Mapped[int] = mapped_column(Integer)
    end_week: Mapped[int] = mapped_column(Integer)

    timetable: Mapped[Timetable] = relationship(back_populates="terms")

    __table_args__ = (CheckConstraint("start_week <= end_week", name="week_order"),)


class BellSchedule(db.Model):
    """A bell grid: the periods of each weekday, holding from `from_week` until the next grid starts."""

    __tablename__ = "bell_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"))
    from_week: Mapped[int] = mapped_column(Integer)

    periods: Mapped[list[Period]] = relationship(
        back_populates="schedule", order_by="[Period.weekday, Period.start_minute]", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("timetable_id", "from_week", name="uq_bell_schedules_week"),)


class Period(db.Model):
    """One period of one weekday of a bell grid, in minutes since midnight."""

    __tablename__ = "periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("bell_schedules.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)

    schedule: Mapped[BellSchedule] = relationship(back_populates="periods")

    __table_args__ = (
        CheckConstraint("weekday >= 1 AND weekday <= 7", name="weekday_range"),
        CheckConstraint("start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440", name="period_minutes"),
        UniqueConstraint("schedule_id", "weekday", "name", name="uq_periods_name"),
    )
class Holiday(db.Model):
    """A named range of dates on which no occurrence takes place; the stripes stay untouched."""

    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    __table_args__ = (CheckConstraint("start_date <= end_date", name="date_order"),)


class WeekCycle(db.Model):
    """A timetable's cycle of `length` weeks (A, B, …), labelled from `start_week`; no row = no cycle."""

    __tablename__ = "week_cycles"

    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"), primary_key=True)
    length: Mapped[int] = mapped_column(Integer)
    start_week: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("length >= 1 AND length <= 26", name="length_range"),)


class WeekLabelOverride(db.Model):
    """A scheduler's label for one week, in place of the computed one."""

    __tablename__ = "week_label_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"))
    week: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(1))

    __table_args__ = (UniqueConstraint("timetable_id", "week", name="uq_week_label_overrides_week"),)


class _Resource:
    """Columns shared by what slot parameters point at: staff, rooms, groups, courses.

    Nothing is deleted: a resource is retired from a week (`retired_from_week`, a YYYYWW key),
    from which on no edit may assign it; before it, it stays assignable and its name readable.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    retired_from_week: Mapped[int | None] = mapped_column(Integer)

    @declared_attr
    def timetable_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"), index=True)

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("timetable_id", "name", name=f"uq_{cls.__tablename__}_name"),)


staff_courses = db.Table(
    "staff_courses",
    db.Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    db.Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
)


class Staff(_Resource, db.Model):
    __tablename__ = "staff"
    email: Mapped[str | None] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(20))
    # The courses (subjects, services) this person is qualified to teach or give.
    courses: Mapped[list[Course]] = relationship(secondary=staff_courses, order_by="Course.name")


class Room(_Resource, db.Model):
    __tablename__ = "rooms"
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Free-text tags: "projector", "sink", "wheelchair access".
    features: Mapped[list | None] = mapped_column(JSON)


class Group(_Resource, db.Model):
    __tablename__ = "groups"
    size: Mapped[int | None] = mapped_column(Integer)


class Course(_Resource, db.Model):
    """A subject or service whose own stripes are the defaults its slots inherit."""

    __tablename__ = "courses"


class Slot(db.Model):
    """A place in the weekly timetable; everything about it lives in its rule stripes."""

    __tablename__ = "slots"
    # An import matches its slots again by the id they have in the source (a FET activity id).
    __table_args__ = (UniqueConstraint("timetable_id", "external_ref", name="uq_slots_external_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    external_ref: Mapped[str | None] = mapped_column(String(64))


class _RuleRow:
    """One rule of a stripe: a value over an inclusive range of ISO weeks (NULL = open end).

    `timetable_id` is repeated from the owner so that one indexed query fetches every rule
    covering a week of a timetable, whatever the number of slots.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    param: Mapped[str] = mapped_column(String(40))
    start_week: Mapped[int | None] = mapped_column(Integer)
    end_week: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def timetable_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"))


class SlotRule(_RuleRow, db.Model):
    __tablename__ = "slot_rules"

    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))

    __table_args__ = (
        CheckConstraint(
            "start_week IS NULL OR end_week IS NULL OR start_week <= end_week", name="week_order"
        ),
        Index("ix_slot_rules_stripe", "slot_id", "param", "start_week"),
        Index("ix_slot_rules_week", "timetable_id", "end_week", "start_week"),
    )


class CourseRule(_RuleRow, db.Model):
    __tablename__ = "course_rules"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))

    __table_args__ = (
        CheckConstraint(
            "start_week IS NULL OR end_week IS NULL OR start_week <= end_week", name="week_order"
        ),
        Index("ix_course_rules_stripe", "course_id", "param", "start_week"),
        Index("ix_course_rules_week", "timetable_id", "end_week", "start_week"),
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    # An administrator manages timetables, accounts and settings; everyone else acts through grants.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # A deactivated account can neither log in nor use its sessions or API tokens; it is never deleted.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())

    grants: Mapped[list[Grant]] = relationship(back_populates="user", cascade="all, delete-orphan", order_by="Grant.timetable_id")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in an inactive user
        return bool(self.active)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Grant(db.Model):
    """One user's role on one timetable: a scheduler edits it and its bookings, a viewer reads it unpublished."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="grants")

    __table_args__ = (
        UniqueConstraint("user_id", "timetable_id", name="uq_grants_user_timetable"),
        CheckConstraint("role IN ('scheduler', 'viewer')", name="role"),
    )


class Invitation(db.Model):
    """A link that lets a new account set its password: shown once, single-use, expiring; only its digest is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(db.Model):
    """A personal API token (`Authorization: Bearer …`): acts with its user's rights; only its SHA-256 digest is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FeedLink(db.Model):
    """A viewer's private calendar feed of one timetable (`/<slug>/calendar.ics?key=…`).

    It reads the feed with its owner's rights, so it stops working when they are revoked, the
    owner loses the right to view the timetable, or the account is deactivated. Only the key's
    SHA-256 digest is kept; `label` says what it was made for (the timetable, a class…).
    """

    __tablename__ = "feed_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UserSession(db.Model):
    """One login of an editor: the session cookie carries its token, and it ends when the row goes.

    A signed cookie alone stays valid until it expires, whatever the server does; checking this
    row on every request is what lets logout, a password change and "log out everywhere" end a
    session, even one whose cookie was copied. Only the token's SHA-256 digest is stored.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)


class ChangeSet(db.Model):
    """One applied plan: who, when, what it said it did; its stripes hold the exact change."""

    __tablename__ = "change_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    kind: Mapped[str] = mapped_column(String(20), default="edit")
    summary: Mapped[str] = mapped_column(Text)
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("change_sets.id", ondelete="SET NULL"))
    # The timetable revision its commit made (services/freshness.py); none for change sets older than the column.
    revision: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User | None] = relationship()
    stripes: Mapped[list[ChangeStripe]] = relationship(
        back_populates="change_set", order_by="ChangeStripe.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_change_sets_timetable", "timetable_id", "created_at"),
        Index("ix_change_sets_revision", "timetable_id", "revision"),
    )

    # Not a column: what services/recording.py wrote, kept readable after the commit expires the row.
    __allow_unmapped__ = True
    written: Any = None


class ChangeStripe(db.Model):
    """One stripe as a change set found it and left it, with the actions between and their inverse.

    Stripes are stored whole (they hold a handful of rules) as lists of [start, end, value]
    with values encoded as in the rule tables; undo compares them with the stripe of today.
    """

    __tablename__ = "change_stripes"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_sets.id", ondelete="CASCADE"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[int] = mapped_column(Integer)
    param: Mapped[str] = mapped_column(String(40))
    before: Mapped[list] = mapped_column(JSON)
    after: Mapped[list] = mapped_column(JSON)
    actions: Mapped[list] = mapped_column(JSON)
    inverse: Mapped[list] = mapped_column(JSON)

    change_set: Mapped[ChangeSet] = relationship(back_populates="stripes")

    __table_args__ = (Index("ix_change_stripes_owner", "owner_kind", "owner_id", "param"),)


class BellChange(db.Model):
    """The bell grids a change set found and left, so that undo can put them back.

    Grids are stored whole as [from_week, [[weekday, name, start, end], …]] lists.
    """

    __tablename__ = "bell_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_sets.id", ondelete="CASCADE"), unique=True)
    before: Mapped[list] = mapped_column(JSON)
    after: Mapped[list] = mapped_column(JSON)


class BookingUnit(db.Model):
    """One bookable unit — an occurrence, or one appointment of it — whose row writers lock.

    On PostgreSQL every hold, confirmation or cancellation of a unit first locks this row
    (SELECT … FOR UPDATE), so capacity is checked and taken by one writer at a time.
    """

    __tablename__ = "booking_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    week: Mapped[int] = mapped_column(Integer)
    appointment: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("slot_id", "week", "appointment", name="uq_booking_units_unit"),)


class Booking(db.Model):
    """A place held, requested, confirmed, waited for or given up, on one unit of one occurrence.

    `appointment` is the appointment's index within the occurrence (0 when the occurrence is
    booked as a whole), so a booking follows its slot if the slot is moved. Lock codes and
    private-link keys are stored only as SHA-256 digests.
    """

    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    week: Mapped[int] = mapped_column(Integer)
    appointment: Mapped[int] = mapped_column(Integer, default=0)
    places: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20))
    lock_code_hash: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    reference: Mapped[str | None] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str | None] = mapped_column(String(64))
    # SHA-256 of the visitor's network address, for the per-client limits on holds and the waiting list.
    client_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow, onupdate=_utcnow)

    __table_args__ = (
        CheckConstraint("places > 0", name="places_positive"),
        Index("ix_bookings_unit", "slot_id", "week", "appointment", "status"),
        Index("ix_bookings_week", "timetable_id", "week"),
        Index("ix_bookings_lock_code", "timetable_id", "lock_code_hash"),
        Index("ix_bookings_client", "timetable_id", "client_hash", "status"),
    )


class Absence(db.Model):
    """A staff member absent, a room unavailable or a group away, over a range of dates.

    `start_minute`/`end_minute` narrow it to a time of day on each of its dates (both NULL: the
    whole day). The reason is for schedulers only. A withdrawn absence stays, for the audit.
    """

    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"), index=True)
    # "staff", "room" or "group": what `resource_id` names.
    kind: Mapped[str] = mapped_column(String(10))
    resource_id: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    start_minute: Mapped[int | None] = mapped_column(Integer)
    end_minute: Mapped[int | None] = mapped_column(Integer)
    # For staff: the staff_status its lessons get when covered ("sick", "training"…).
    status: Mapped[str] = mapped_column(String(20), default="sick")
    reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)

    __table_args__ = (
        CheckConstraint("start_date <= end_date", name="date_order"),
        CheckConstraint("kind IN ('staff', 'room', 'group')", name="kind"),
        CheckConstraint(
            "(start_minute IS NULL AND end_minute IS NULL) OR (start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440)",
            name="minutes",
        ),
        Index("ix_absences_dates", "timetable_id", "end_date", "start_date"),
    )


class AbsenceChange(db.Model):
    """The audit of absences: who registered or changed one, when, and its fields before and after."""

    __tablename__ = "absence_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    absence_id: Mapped[int] = mapped_column(ForeignKey("absences.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)


class CoverLimits(db.Model):
    """How many covers one teacher may be given per day and per week; no row = the defaults."""

    __tablename__ = "cover_limits"

    timetable_id: Mapped[int] = mapped_column(ForeignKey("timetables.id", ondelete="CASCADE"), primary_key=True)
    per_day: Mapped[int] = mapped_column(Integer)
    per_week: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("per_day >= 0 AND per_week >= 0", name="limits_positive"),)
