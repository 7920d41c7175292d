"""Read the editor's edit forms: which slots, which parameters and values, over which weeks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from ..models import Timetable
from ..rules import PARAMETERS, RulesError, format_week, parse_week
from ..rules.params import MAX_INTEGER
from ..schemas_editing import EditSchema
from ..services.editing import EditRequest
from ..services.editing.inspection import term_of
from ..services.stripes import COURSE, SLOT
from .ids import parse_id

RANGE_CHOICES = (
    ("this_week", "This week only"),
    ("from_here", "From this week on"),
    ("to_term_end", "Until the end of the term"),
    ("custom", "Custom weeks"),
)


@dataclass
class EditForm:
    """What a scheduler submitted, kept as typed so the form can be shown again with its errors."""

    owner: str = SLOT
    ids: tuple[int, ...] = ()
    params: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    erase: set[str] = field(default_factory=set)
    range: str = "this_week"
    start_text: str = ""
    end_text: str = ""
    week: int = 0
    form_id: str = "edit-form"
    errors: dict[str, str] = field(default_factory=dict)
    requests: list[EditRequest] = field(default_factory=list)
    start: int | None = None
    end: int | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    def hidden_fields(self) -> list[tuple[str, Any]]:
        """The request as hidden inputs, with the range made explicit, for the preview's Apply form."""
        fields: list[tuple[str, Any]] = [("owner", self.owner), ("week", format_week(self.week)), ("form_id", self.form_id)]
        fields += [("ids", i) for i in self.ids]
        for param in self.params:
            fields.append(("param", param))
            if param in self.erase:
                fields.append((f"erase-{param}", "1"))
            else:
                fields.append((f"value-{param}", self.texts.get(param, "")))
        fields += [("range", "custom"), ("start", format_week(self.start) if self.start else ""),
                   ("end", format_week(self.end) if self.end else "")]
        return fields


def field_text(data: MultiDict, name: str) -> str:
    """A value field as text; a multiple choice (staff, groups) sends one field per member: "3,7"."""
    texts = data.getlist(name)
    if len(texts) <= 1:
        return texts[0] if texts else ""
    return ",".join(text for text in texts if text.strip())


def _ids(raw: list[str], errors: dict[str, str]) -> tuple[int, ...]:
    ids = []
    for text in raw:
        for part in text.replace(",", " ").split():
            number = parse_id(part)
            if number is None:
                errors["ids"] = f"“{part[:24]}” is not a slot number."
                if part.isascii() and part.isdigit():
                    errors["ids"] = f"“{part[:24]}” is not a slot number: they go from 1 to {MAX_INTEGER}."
                return ()
            ids.append(number)
    if not ids:
        errors["ids"] = "Select at least one slot."
    return tuple(dict.fromkeys(ids))


def _week(text: str, name: str, errors: dict[str, str]) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return parse_week(text)
    except RulesError as error:
        errors[name] = f"{error}."
        return None


def read_weeks(timetable: Timetable, form: EditForm, data: MultiDict) -> None:
    """Turn the range choice into (start, end); an empty custom bound is an open end."""
    form.range = data.get("range", "this_week")
    form.start_text, form.end_text = data.get("start", ""), data.get("end", "")
    week = form.week
    if form.range == "this_week":
        form.start, form.end = week, week
    elif form.range == "from_here":
        form.start, form.end = week, None
    elif form.range == "to_term_end":
        term = term_of(timetable, week)
        if term is None:
            form.errors["range"] = f"{format_week(week)} is in no term: choose other weeks."
        else:
            form.start, form.end = week, term.end_week
    elif form.range == "custom":
        form.start = _week(form.start_text, "start", form.errors)
        form.end = _week(form.end_text, "end", form.errors)
        if form.start is not None and form.end is not None and form.start > form.end:
            form.errors["end"] = f"{format_week(form.end)} comes before the first week {format_week(form.start)}."
    else:
        form.errors["range"] = "Choose which weeks the change covers."


def read_edit_form(timetable: Timetable, data: MultiDict, week: int) -> EditForm:
    """Parse an edit form into requests (one per parameter, same slots and weeks), or errors."""
    form = EditForm(week=week, form_id=data.get("form_id", "edit-form")[:80])
    form.owner = data.get("owner", SLOT)
    if form.owner not in (SLOT, COURSE):
        form.errors["owner"] = "Edits apply to slots or courses."
    form.ids = _ids(data.getlist("ids"), form.errors)
    form.params = [p for p in dict.fromkeys(data.getlist("param")) if p]
    if not form.params:
        form.errors["param"] = "Choose what to change."
    for param in form.params:
        if param not in PARAMETERS:
            form.errors["param"] = f"“{param}” is not something a slot has."
            continue
        # One checkbox per parameter in the slot panel, one for the whole bulk form.
        if data.get(f"erase-{param}") or data.get("erase") == "1":
            form.erase.add(param)
        form.texts[param] = field_text(data, f"value-{param}")
    read_weeks(timetable, form, data)
    if form.errors:
        return form
    for param in form.params:
        # The API's schema reads each edit, so a form and a JSON client get the same checks and words.
        edit: dict[str, Any] = {"param": param, "start": _week_text(form.start), "end": _week_text(form.end)}
        if param in form.erase:
            edit["erase"] = True
        else:
            edit["value"] = form.texts[param]
        try:
            loaded = EditSchema().load(edit)
        except ValidationError as error:
            for name, messages in error.normalized_messages().items():
                form.errors[f"value-{param}" if name in ("value", "erase") else name] = f"{_first(messages)}."
            continue
        form.requests.append(EditRequest(form.owner, form.ids, param, form.start, form.end, loaded["value"], loaded["erase"]))
    return form


def _week_text(week: int | None) -> str | None:
    return None if week is None else format_week(week)


def _first(messages: Any) -> str:
    return str(messages[0] if isinstance(messages, list) else messages).rstrip(".")
