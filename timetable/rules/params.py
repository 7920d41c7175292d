"""Slot parameter types: what each parameter holds, and how it is parsed, shown and stored.

Each parameter of a slot has its own stripe of rules, so each needs one description of its
values: `validate` checks a Python value (and returns it, canonical), `parse`/`to_text` go
between values and form or query-string text, `display` renders a value for people, and
`encode`/`decode` go between values and the TEXT column rules are stored in.

Two contracts hold for every valid value `v` of a parameter `p` (tests check them):
`p.decode(p.encode(v)) == v`, and `p.parse(p.to_text(v)) == v`. `decode` is strict (it reads
only what `encode` writes), while `parse` is forgiving ("8:30", "mon", "#ABC").

`None` is a value only where `nullable` is set (no substitute, default colour, booked as a
whole). Elsewhere a parameter without a rule falls back to its `default`; a default of None
means "not set": a slot without weekday and start does not occur that week.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .calendar import CYCLE_LABELS as WEEK_LABELS
from .calendar import parse_labels
from .errors import InvalidValue, RulesError, UnknownParameter

# Kinds of parameter values.
TIME = "time"  # minutes since midnight, 0..1439
DURATION = "duration"  # minutes, 5..1440, a multiple of 5
WEEKDAY = "weekday"  # ISO weekday, 1 = Monday .. 7 = Sunday
ENUM = "enum"  # one of `choices`, stored as its value string
REF = "ref"  # positive id of a staff member, room, group or course
REFS = "refs"  # a set of such ids: a sorted tuple of unique positive ids, stored as canonical text "3,7"
TEXT = "text"  # free text up to `max_length` characters
COLOR = "color"  # "#rrggbb", lowercase
COUNT = "count"  # non-negative integer
LABELS = "labels"  # a set of week-cycle labels as canonical text "A,B"; "" = every week
KINDS = (TIME, DURATION, WEEKDAY, ENUM, REF, REFS, TEXT, COLOR, COUNT, LABELS)

REF_TARGETS = ("staff", "room", "group", "course")

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

STATUS_OPEN = "open"
STATUS_TEMPORARILY_CLOSED = "temporarily_closed"
STATUS_CLOSED = "closed"
STATUSES = (
    (STATUS_OPEN, "Open"),
    (STATUS_TEMPORARILY_CLOSED, "Temporarily closed"),
    (STATUS_CLOSED, "Closed"),
)

STAFF_PRESENT = "present"
STAFF_SICK = "sick"
STAFF_LEAVE = "leave"
STAFF_TRAINING = "training"
STAFF_STRIKE = "strike"
STAFF_OTHER = "other"
STAFF_STATUSES = (
    (STAFF_PRESENT, "Present"),
    (STAFF_SICK, "Sick"),
    (STAFF_LEAVE, "On leave"),
    (STAFF_TRAINING, "Training"),
    (STAFF_STRIKE, "On strike"),
    (STAFF_OTHER, "Other"),
)

APPROVAL_AUTOMATIC = "automatic"
APPROVAL_MANUAL = "manual"
APPROVALS = (
    (APPROVAL_AUTOMATIC, "Confirmed at once"),
    (APPROVAL_MANUAL, "Approved by a scheduler"),
)

DEFAULT_TEXT_LENGTH = 2000
# Places one booking may take unless a slot (or its course) says otherwise.
DEFAULT_PLACES_PER_BOOKING = 10

_ASCII = re.ASCII  # \d would otherwise match other scripts' digits, which int() accepts
_CLOCK = re.compile(r"(\d{1,2})[:h.](\d{2})", _ASCII | re.IGNORECASE)
_STORED_CLOCK = re.compile(r"\d{2}:\d{2}", _ASCII)
_HOURS_MINUTES = re.compile(r"(\d+):(\d{2})", _ASCII)
_NUMBER = re.compile(r"\d+", _ASCII)
# Durations as `display` writes them: "1 h 30", "1 h", "45 min" (also "1h30", "2 h 05 min").
_HOURS_TEXT = re.compile(r"(\d+)\s*h(?:\s*(\d{1,2}))?(?:\s*min)?", _ASCII | re.IGNORECASE)
_MINUTES_TEXT = re.compile(r"(\d+)\s*min", _ASCII | re.IGNORECASE)
_COLOR = re.compile(r"#[0-9a-f]{6}", _ASCII | re.IGNORECASE)
_WEEK_LABELS = re.compile(rf"[{WEEK_LABELS[0]}-{WEEK_LABELS[-1]}](,[{WEEK_LABELS[0]}-{WEEK_LABELS[-1]}])*", _ASCII)
_STORED_IDS = re.compile(r"[1-9]\d*(,[1-9]\d*)*", _ASCII)
_LOOSE_IDS = re.compile(r"\d+(\s*[,;\s]\s*\d+)*", _ASCII)
_LOOSE_COLOR = re.compile(r"#?([0-9a-f]{3}|[0-9a-f]{6})", _ASCII | re.IGNORECASE)


# Largest ids and counts: what a SQL INTEGER column holds, so a typed-in number that no row
# could have fails here with a message rather than in the database.
MAX_INTEGER = 2**31 - 1

# Inclusive bounds of the integer kinds.
_INT_RANGES: dict[str, tuple[int, int]] = {
    TIME: (0, 1439),
    DURATION: (5, 1440),
    WEEKDAY: (1, 7),
    REF: (1, MAX_INTEGER),
    COUNT: (0, MAX_INTEGER),
}


def text_problem(text: str) -> str | None:
    """Say why `text` cannot be stored or shown as text, or None when it can.

    JSON may carry what no database column holds: a NUL (PostgreSQL TEXT refuses it) or a
    lone surrogate such as "\\ud800", which is not Unicode text at all and cannot be encoded
    as UTF-8, so it would pass a plan and then fail when written or rendered.
    """
    if "\x00" in text:
        return "contains a NUL character"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone surrogate (it is not valid Unicode text)"
    return None


def ref_ids(value: Any) -> tuple[int, ...]:
    """The ids a reference value names, whatever its kind: None -> (), 3 -> (3,), (3, 7) -> (3, 7)."""
    if value is None:
        return ()
    if isinstance(value, (tuple, list, set, frozenset)):
        return tuple(value)
    return (value,)


def _is_int(value: object) -> bool:
    # bool is an int subclass, but True is not a weekday or an id.
    return isinstance(value, int) and not isinstance(value, bool)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Parameter:
    """How one slot parameter's values look, are checked, read, shown and stored.

    `choices` are (value, label) pairs for enums; `ref` names what a reference points at;
    `nullable` allows None as a value of a rule; `max_length` bounds text.

    `public` says whether anonymous visitors may see the value (public pages, the JSON API
    for anonymous callers, live events on anonymous streams): it is False unless declared,
    so a new parameter stays private until someone decides otherwise.
    """

    name: str
    label: str
    kind: str
    default: Any = None
    choices: tuple[tuple[str, str], ...] = ()
    ref: str | None = None
    nullable: bool = False
    max_length: int = DEFAULT_TEXT_LENGTH
    public: bool = False

    def __post_init__(self) -> None:
        # A wrong definition is a programming error: fail when the registry is built.
        if self.kind not in KINDS:
            raise RulesError(f"parameter {self.name}: unknown kind {self.kind!r} (known: {', '.join(KINDS)})")
        if (self.kind == ENUM) != bool(self.choices):
            raise RulesError(f"parameter {self.name}: choices belong to enums, and every enum needs them")
        if (self.kind in (REF, REFS)) != (self.ref is not None) or self.ref not in (None, *REF_TARGETS):
            raise RulesError(
                f"parameter {self.name}: a ref parameter points at one of {', '.join(REF_TARGETS)}"
            )
        if self.default is not None:
            self.validate(self.default)

    @property
    def expected(self) -> str:
        """Say in words what a value of this parameter must be, for error messages."""
        if self.kind == TIME:
            what = "a time of day from 00:00 to 23:59"
        elif self.kind == DURATION:
            what = "a duration in minutes from 5 to 1440, in steps of 5"
        elif self.kind == WEEKDAY:
            what = "a weekday from 1 (Monday) to 7 (Sunday)"
        elif self.kind == ENUM:
            what = "one of " + ", ".join(value for value, _ in self.choices)
        elif self.kind == REF:
            what = f"a {self.ref} id (a whole number from 1 to {MAX_INTEGER})"
        elif self.kind == REFS:
            what = f"one or more {self.ref} ids (whole numbers from 1 to {MAX_INTEGER}), like 3 or 3,7"
        elif self.kind == TEXT:
            what = f"a text of at most {self.max_length} characters"
        elif self.kind == COLOR:
            what = "a colour like #1a2b3c"
        elif self.kind == LABELS:
            what = "week labels like A or A,B (nothing for every week)"
        else:
            what = f"a whole number from 0 to {MAX_INTEGER}"
        return f"{what}, or nothing" if self.nullable else what

    def _invalid(self, value: object) -> InvalidValue:
        return InvalidValue(f"{self.name}: {value!r} is not {self.expected}")

    def validate(self, value: Any) -> Any:
        """Return `value` in canonical form (colours lowercased) if it fits, else raise `InvalidValue`."""
        if value is None:
            if self.nullable:
                return None
            raise InvalidValue(f"{self.name}: a value is required ({self.expected})")
        kind = self.kind
        if kind in (TIME, DURATION, WEEKDAY, REF, COUNT):
            if not _is_int(value):
                raise self._invalid(value)
            low, high = _INT_RANGES[kind]
            if not low <= value <= high or (kind == DURATION and value % 5):
                raise self._invalid(value)
            return value
        if kind == REFS:
            return self._validate_ids(value)
        if kind == ENUM:
            if not isinstance(value, str) or value not in dict(self.choices):
                raise self._invalid(value)
            return value
        if kind == TEXT:
            if not isinstance(value, str):
                raise self._invalid(value)
            if len(value) > self.max_length:
                raise InvalidValue(
                    f"{self.name}: {value[:20]!r}… has {len(value)} characters (at most {self.max_length})"
                )
            if problem := text_problem(value):
                raise InvalidValue(f"{self.name}: {value[:20]!r} {problem}")
            return value
        if kind == LABELS:
            return self._validate_labels(value)
        # COLOR
        if not isinstance(value, str) or not _COLOR.fullmatch(value):
            raise self._invalid(value)
        return value.lower()

    def _validate_labels(self, value: Any) -> str:
        if not isinstance(value, str) or (value and not _WEEK_LABELS.fullmatch(value)):
            raise self._invalid(value)
        letters = value.split(",") if value else []
        if letters != sorted(set(letters)):
            raise InvalidValue(f"{self.name}: {value!r} is not {self.expected}, each label once and in order")
        return value

    def _validate_ids(self, value: Any) -> tuple[int, ...]:
        """One id or a collection of ids, as a sorted tuple of unique ids; at least one."""
        members = (value,) if _is_int(value) else value
        if not isinstance(members, (tuple, list, set, frozenset)) or not members:
            raise self._invalid(value)
        low, high = _INT_RANGES[REF]
        for member in members:
            if not (_is_int(member) and low <= member <= high):
                raise self._invalid(member)  # names the member that is no id
        return tuple(sorted(set(members)))

    def parse(self, text: str | None) -> Any:
        """Return the value typed in a form or query string; empty means None where nullable.

        Accepted: times "08:30", "8:30", "8h30"; durations "90" or "1:30"; weekdays "1".."7",
        "mon", "Monday"; enum values or labels, any case; ids and counts "12"; sets of ids "3,7", "3, 7"; colours
        "#a1b2c3", "A1B2C3", "#abc". Text is taken verbatim.
        """
        if text is not None and not isinstance(text, str):
            raise self._invalid(text)
        if self.kind == TEXT:
            if not text:
                return None if self.nullable else ""
            return self.validate(text)
        if self.kind == LABELS:
            try:
                return self.validate(parse_labels(text or ""))
            except RulesError as error:
                raise InvalidValue(f"{self.name}: {error}") from None
        stripped = (text or "").strip()
        if not stripped:
            if self.nullable:
                return None
            raise InvalidValue(f"{self.name}: a value is required ({self.expected})")
        return self.validate(self._read(stripped, text))

    def _read(self, stripped: str, text: str | None) -> Any:
        kind = self.kind
        if kind == TIME:
            match = _CLOCK.fullmatch(stripped)
            # Out-of-range hours and minutes must fail, not wrap: "10:75" is no time.
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                raise self._invalid(text)
            return int(match[1]) * 60 + int(match[2])
        if kind == DURATION:
            match = _HOURS_MINUTES.fullmatch(stripped)
            if match and int(match[2]) < 60:
                return int(match[1]) * 60 + int(match[2])
            match = _HOURS_TEXT.fullmatch(stripped)
            if match and (match[2] is None or int(match[2]) < 60):
                return int(match[1]) * 60 + int(match[2] or 0)
            match = _MINUTES_TEXT.fullmatch(stripped)
            if match:
                return int(match[1])
        if kind == WEEKDAY:
            lowered = stripped.lower()
            for number, name in enumerate(WEEKDAYS, start=1):
                if lowered in (name.lower(), name[:3].lower()):
                    return number
        if kind == ENUM:
            lowered = stripped.lower()
            for value, label in self.choices:
                if lowered in (value.lower(), label.lower()):
                    return value
            raise self._invalid(text)
        if kind in (REFS, COLOR):
            return self._read_loose(stripped, text)
        if _NUMBER.fullmatch(stripped):
            return int(stripped)
        raise self._invalid(text)

    def _read_loose(self, stripped: str, text: str | None) -> Any:
        """Sets of ids ("3, 7", "3;7") and colours ("#ABC", "a1b2c3")."""
        if self.kind == REFS:
            if not _LOOSE_IDS.fullmatch(stripped):
                raise self._invalid(text)
            return tuple(int(part) for part in re.split(r"[,;\s]+", stripped))
        match = _LOOSE_COLOR.fullmatch(stripped)
        if not match:
            raise self._invalid(text)
        digits = match[1] if len(match[1]) == 6 else "".join(c * 2 for c in match[1])
        return "#" + digits.lower()

    def to_text(self, value: Any) -> str:
        """Return `value` as form text that `parse` reads back to the same value ("" for None)."""
        value = self.validate(value)
        if value is None:
            return ""
        if self.kind == TIME:
            return _clock(value)
        if self.kind == REFS:
            return ",".join(map(str, value))
        return str(value)

    def display(self, value: Any) -> str:
        """Return `value` for people: "08:30", "1 h 30", "Monday", an enum's label; "" for None.

        References show as "#12"; views replace them with names.
        """
        value = self.validate(value)
        if value is None:
            return ""
        kind = self.kind
        if kind == TIME:
            return _clock(value)
        if kind == DURATION:
            hours, minutes = divmod(value, 60)
            if not hours:
                return f"{minutes} min"
            return f"{hours} h" if not minutes else f"{hours} h {minutes:02d}"
        if kind == WEEKDAY:
            return WEEKDAYS[value - 1]
        if kind == ENUM:
            return dict(self.choices)[value]
        if kind == REF:
            return f"#{value}"
        if kind == REFS:
            return ", ".join(f"#{member}" for member in value)
        if kind == LABELS:
            letters = value.split(",") if value else []
            if not letters:
                return "Every week"
            return ("Week " if len(letters) == 1 else "Weeks ") + ", ".join(letters)
        return str(value)

    def encode(self, value: Any) -> str | None:
        """Return `value` as stored in a TEXT column: None stays NULL; `decode` reverses it."""
        value = self.validate(value)
        if value is None:
            return None
        if self.kind == TIME:
            return _clock(value)
        if self.kind == REFS:
            return ",".join(map(str, value))
        return str(value)

    def decode(self, text: str | None) -> Any:
        """Return the value stored as `text`; raises `InvalidValue` for anything `encode` cannot write."""
        if text is None:
            if self.nullable:
                return None
            raise InvalidValue(f"{self.name}: stored NULL, but a value is required ({self.expected})")
        if not isinstance(text, str):
            raise InvalidValue(f"{self.name}: stored {text!r}, which is not text")
        kind = self.kind
        if kind == TIME:
            if not _STORED_CLOCK.fullmatch(text) or int(text[:2]) > 23 or int(text[3:]) > 59:
                raise InvalidValue(f"{self.name}: stored {text!r} is not {self.expected}")
            value: Any = int(text[:2]) * 60 + int(text[3:])
        elif kind in (DURATION, WEEKDAY, REF, COUNT):
            # Canonical digits only ("07" would not encode back to itself).
            if not _NUMBER.fullmatch(text) or str(int(text)) != text:
                raise InvalidValue(f"{self.name}: stored {text!r} is not {self.expected}")
            value = int(text)
        elif kind == REFS:
            # Canonical only: ids without leading zeros, ascending, each once ("3" is the one-member set (3,)).
            if not _STORED_IDS.fullmatch(text):
                raise InvalidValue(f"{self.name}: stored {text!r} is not {self.expected}")
            members = [int(part) for part in text.split(",")]
            if members != sorted(set(members)):
                raise InvalidValue(f"{self.name}: stored {text!r} is not {self.expected}, each id once and in order")
            value = tuple(members)
        elif kind == COLOR and text != text.lower():
            raise InvalidValue(f"{self.name}: stored {text!r} is not {self.expected}")
        else:
            value = text
        try:
            return self.validate(value)
        except InvalidValue as error:
            raise InvalidValue(f"{self.name}: stored {text!r}: {error}") from None


# Which parameters visitors see (`public=True`), decided one by one:
# - where and when it is, what it is, who teaches it and who stands in: public, the timetable's purpose;
# - status and note: public, visitors must know a lesson is cancelled and why ("class trip");
# - colour: public, it is how the grid is drawn;
# - capacity, appointment length, approval mode and places per booking: public, visitors book with them;
# - staff status (sick, on leave, on strike…): private, it is personal data about an employee;
#   visitors only see the teacher struck through and the stand-in, from `substitute`;
# - internal note: private, a note for schedulers only.
PARAMETERS: Mapping[str, Parameter] = MappingProxyType(
    {
        parameter.name: parameter
        for parameter in (
            Parameter("weekday", "Weekday", WEEKDAY, public=True),
            Parameter("start", "Start", TIME, public=True),
            Parameter("duration", "Duration", DURATION, default=45, public=True),
            Parameter("title", "Title", TEXT, default="", max_length=200, public=True),
            Parameter("course", "Course", REF, ref="course", public=True),
            # Sets: team teaching and joint classes (FET activities with several teachers or students sets).
            Parameter("group", "Group", REFS, ref="group", public=True),
            Parameter("staff", "Staff", REFS, ref="staff", public=True),
            Parameter("staff_status", "Staff status", ENUM, default=STAFF_PRESENT, choices=STAFF_STATUSES, public=False),
            Parameter("substitute", "Substitute", REF, ref="staff", nullable=True, public=True),
            Parameter("room", "Room", REF, ref="room", public=True),
            Parameter("status", "Status", ENUM, default=STATUS_OPEN, choices=STATUSES, public=True),
            Parameter("note", "Note", TEXT, default="", public=True),
            Parameter("color", "Colour", COLOR, nullable=True, public=True),
            Parameter("capacity", "Capacity", COUNT, default=0, public=True),
            # Empty means the slot is booked as a whole rather than in appointments.
            Parameter("appointment_length", "Appointment length", DURATION, nullable=True, public=True),
            Parameter("booking_approval", "Booking approval", ENUM, default=APPROVAL_AUTOMATIC, choices=APPROVALS, public=True),
            # The most places one hold (one booking) may take; 0 lets visitors book none.
            Parameter("max_places_per_booking", "Places per booking", COUNT, default=DEFAULT_PLACES_PER_BOOKING, public=True),
            Parameter("internal_note", "Internal note", TEXT, default="", public=False),
            # The weeks of the timetable's cycle (A, B, …) it takes place in; "" = every week.
            Parameter("cycle_weeks", "Cycle weeks", LABELS, default="", public=True),
        )
    }
)

PUBLIC_PARAMETERS: tuple[str, ...] = tuple(name for name, parameter in PARAMETERS.items() if parameter.public)


def get_parameter(name: str) -> Parameter:
    """Return the parameter called `name`, or raise `UnknownParameter` listing the known ones."""
    try:
        return PARAMETERS[name]
    except (KeyError, TypeError):
        raise UnknownParameter(f"{name!r}: unknown parameter (known: {', '.join(PARAMETERS)})") from None
