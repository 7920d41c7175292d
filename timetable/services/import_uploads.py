"""Imports from an uploaded file (the upload page and `POST /api/timetables/<slug>/imports`): plan, then apply with the plan's token.

The one place that knows the formats: `FORMATS` maps a format name to the parser that turns the
file's bytes into what `plan_import`/`apply_import` read, and the error that parser raises for a
bad file. A format is one line here.

The token is stateless: an HMAC (SECRET_KEY) over the file's SHA-256, the format, the options and
the timetable's last-change marker (`freshness.marker`; "new" while the slug does not exist yet).
Applying re-plans from the file and writes only if the token still matches, checked inside the
write transaction with the timetable row locked, so nothing that happened since the preview
(another edit, another import, the timetable being created) is applied blind.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..imports.fet import FetError, FetFile, parse_fet
from ..imports.lessons_csv import LessonsCsv, LessonsCsvError, format_time, parse_lessons_csv
from ..models import ChangeSet, Timetable
from ..rules import add_weeks, format_week, week_of
from .editing import StalePlan
from .errors import InvalidField
from .freshness import marker
from .importing import ImportOptions, ImportPlan, apply_import, plan_import

STALE_IMPORT = "The timetable or the file changed since the preview: preview again, then apply."
NEW_TIMETABLE = "new"


@dataclass(frozen=True)
class UploadFormat:
    """How to read one format: `parse(bytes)` gives the import's source; `error` is what it raises for a bad file."""

    parse: Callable[[bytes], Any]
    error: type[Exception]
    label: str
    describe: Callable[[Any, str], str] | None = None  # one line about a source's item (by its external reference)


def _describe_activity(fet: FetFile, ref: str) -> str:
    found = next((a for a in fet.activities if a.id == ref), None)
    if found is None:
        return f"activity {ref}"
    parts = [found.subject or "no subject", ", ".join(found.teachers), ", ".join(found.students), ", ".join(found.rooms[:1])]
    when = f"{fet.days[found.day]}, {fet.hours[found.hour]}" + (f" (+{found.duration - 1})" if found.duration > 1 else "")
    return f"activity {ref}: " + " · ".join(p for p in parts if p) + f" · {when}"


def _describe_row(lessons: LessonsCsv, ref: str) -> str:
    found = next((lesson for lesson in lessons.lessons if lesson.ref == ref), None)
    if found is None:
        return f"ref {ref}"
    parts = [found.course or found.title, ", ".join(found.staff), ", ".join(found.groups), found.room or ""]
    when = f"day {found.weekday}, {format_time(found.start)}–{format_time(found.start + found.duration)}"
    return f"line {found.line}, ref {ref}: " + " · ".join(p for p in parts if p) + f" · {when}"


FORMATS: dict[str, UploadFormat] = {
    "fet": UploadFormat(parse_fet, FetError, "FET (*_data_and_timetable.fet, as fet-cl writes it)", _describe_activity),
    "csv": UploadFormat(parse_lessons_csv, LessonsCsvError, "CSV (one row per lesson, see docs/csv-import.md)", _describe_row),
}


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name (for the format and the change's summary) and its bytes."""

    filename: str
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def format_of(upload: Upload, given: str | None) -> str:
    """The format asked for, else the one the file name's extension says."""
    if given and given != "auto":
        if given not in FORMATS:
            raise InvalidField(f"the {given.upper()} import is not available here yet: choose one of {', '.join(FORMATS)}", "format")
        return given
    suffix = PurePath(upload.filename or "").suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InvalidField(f"cannot tell the format of “{upload.filename or 'the file'}” from its name: "
                       f"choose the format ({', '.join(FORMATS)})", "format")


def default_from_week(timetable: Timetable | None) -> int:
    """Next week, in the timetable's zone (the default zone for a timetable the import creates)."""
    zone = timetable.time_zone if timetable is not None else current_app.config["DEFAULT_TIME_ZONE"]
    return add_weeks(week_of(clock.today(zone)), 1)


def build_options(from_week: int, periods: tuple[tuple[int, int], ...] | None, days_per_week: int | None, name: str | None,
                  create_missing: bool = False) -> ImportOptions:
    return ImportOptions(from_week, periods, days_per_week, name, create_missing)


@dataclass
class ReadUpload:
    """A parsed upload, ready to plan or apply."""

    slug: str
    upload: Upload
    format: str
    source: Any
    options: ImportOptions

    def describe(self, ref: str) -> str:
        describe = FORMATS[self.format].describe
        return describe(self.source, ref) if describe else ref


def read_upload(slug: str, upload: Upload, given_format: str | None, options: ImportOptions) -> ReadUpload:
    """Parse the file; a bad file is an InvalidField on `file` naming the line or element."""
    if not upload.data:
        raise InvalidField("the file is empty: choose the file to import", "file")
    name = format_of(upload, given_format)
    chosen = FORMATS[name]
    try:
        source = chosen.parse(upload.data)
    except chosen.error as error:
        raise InvalidField(f"{upload.filename or 'the file'}: {error}. Nothing was imported.", "file") from None
    return ReadUpload(slug, upload, name, source, options)


def _marker_of(timetable: Timetable | None) -> str:
    return NEW_TIMETABLE if timetable is None else json.dumps(marker(timetable).key)


def _token(read: ReadUpload, timetable_marker: str) -> str:
    options = read.options
    message = json.dumps(["import", read.slug, read.format, read.upload.digest, format_week(options.from_week),
                          [list(p) for p in options.periods or ()], options.days_per_week, options.name,
                          options.create_missing, timetable_marker])
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256).hexdigest()


def plan_upload(read: ReadUpload) -> tuple[ImportPlan, str]:
    """The plan (writes nothing) and the token that applies exactly it."""
    timetable = db.session.scalar(select(Timetable).where(Timetable.slug == read.slug))
    timetable_marker = _marker_of(timetable)
    return plan_import(read.slug, read.source, read.options), _token(read, timetable_marker)


def _quiet(_message: str) -> None:
    pass


def apply_upload(read: ReadUpload, token: str, user_id: int | None,
                 progress: Callable[[str], None] = _quiet) -> tuple[ImportPlan, ChangeSet | None]:
    """Apply as one ChangeSet if `token` is the one the preview gave for this file, options and timetable; else StalePlan (409)."""

    def still_as_previewed() -> None:
        # Inside the write transaction: the timetable row is locked, so no one changes it between this check and the commit.
        timetable = db.session.scalar(select(Timetable).where(Timetable.slug == read.slug).with_for_update())
        # As bytes: compare_digest refuses str holding non-ASCII characters, which a token sent may hold.
        if not hmac.compare_digest(_token(read, _marker_of(timetable)).encode(), (token or "").encode("utf-8", "surrogatepass")):
            raise StalePlan(STALE_IMPORT)

    return apply_import(read.slug, read.source, read.options, source=PurePath(read.upload.filename or "upload").name[:80],
                        user_id=user_id, expect=still_as_previewed, progress=progress)
