"""CSV export of weeks (`/<slug>/export.csv`, `flask timetables export --format csv`) and the JSON export API."""

from __future__ import annotations

import csv
import io

from tests.factories import paint
from tests.integration.helpers import week
from timetable.database import write_transaction
from timetable.rules import PARAMETERS, format_week
from timetable.services.access import SCHEDULER
from timetable.services.accounts import create_user


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode()), "no UTF-8 byte-order mark: Excel would guess the encoding"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def csv_rows(client, query: str) -> list[dict[str, str]]:
    response = client.get(f"/t/export.csv{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return read_csv(response.data)


def api_rows(client, first: int, last: int, **filters: int) -> list[dict]:
    """The week API's occurrences of the weeks, as the CSV should list them."""
    found = []
    for n in range(first, last + 1):
        body = client.get(f"/api/timetables/t/weeks/{format_week(week(n))}").get_json()
        for occurrence in body["occurrences"]:
            values = occurrence["parameters"]
            if all(values[name] == value or (name == "staff" and values["substitute"] == value) for name, value in filters.items()):
                found.append(occurrence)
    return found


def assert_same(rows: list[dict[str, str]], occurrences: list[dict]) -> None:
    assert len(rows) == len(occurrences) > 0
    for row, occurrence in zip(rows, occurrences, strict=True):
        values, labels = occurrence["parameters"], occurrence["labels"]
        assert (int(row["slot_id"]), row["date"], row["name"]) == (occurrence["slot_id"], occurrence["date"], occurrence["title"])
        assert (row["start"], row["end"]) == (occurrence["start"], occurrence["end"])
        assert int(row["duration"]) == occurrence["duration"] and row["status"] == values["status"]
        for name in ("room", "staff", "group", "course", "substitute"):
            assert row[name] == labels.get(name, ""), name  # names, never ids
        for name in ("note", "title", "capacity", "cycle_weeks", "weekday"):
            assert row[name] == str(values[name]), name


def test_anonymous_rows_equal_the_week_apis_public_occurrences(client, school):
    with write_transaction():
        paint(school["timetable"], "slot", school["lessons"][1], "internal_note", week(48), week(48), "Call the parents")
        paint(school["timetable"], "slot", school["lessons"][1], "note", week(48), week(48), "=1+1")
    rows = csv_rows(client, "?from=2026-W47&to=2026-W50")
    assert_same([{**r, "note": r["note"].lstrip("'")} for r in rows], api_rows(client, 47, 50))
    assert rows[0]["starts_at"] == f"{rows[0]['date']}T08:00:00+01:00"  # the timetable's zone, Paris in winter
    assert {r["room"] for r in rows if r["week"] == "2026-W49" and r["day"] == "Wednesday" and r["name"] == "Maths 7A"} == {"102"}
    assert "'=1+1" in {r["note"] for r in rows}  # a spreadsheet shows it as text, not a formula
    assert "internal_note" not in rows[0] and "staff_status" not in rows[0]  # private parameters are not for visitors
    assert "Call the parents" not in client.get("/t/export.csv?from=2026-W48&to=2026-W48").get_data(as_text=True)


def test_viewers_see_every_parameter_and_filters_work_as_on_the_week_page(client, auth, school):
    create_user("reader", "password-1234", grants={school["timetable"].id: SCHEDULER})
    with write_transaction():
        paint(school["timetable"], "slot", school["lessons"][0], "staff_status", week(48), week(48), "sick")
        paint(school["timetable"], "slot", school["lessons"][0], "substitute", week(48), week(48), school["y"])
    auth.login("reader", "password-1234")
    rows = csv_rows(client, "?week=2026-W48")
    assert set(PARAMETERS) <= set(rows[0])
    assert_same(rows, api_rows(client, 48, 48))
    by_y = csv_rows(client, f"?from=2026-W48&to=2026-W49&staff={school['y']}")
    assert [(r["week"], r["day"], r["staff"], r["substitute"], r["staff_status"]) for r in by_y] == [
        ("2026-W48", "Monday", "X", "Y", "sick")]
    in_lab = csv_rows(client, f"?from=2026-W48&to=2026-W49&room={school['r3']}")
    assert_same(in_lab, api_rows(client, 48, 49, room=school["r3"]))
    assert {r["name"] for r in in_lab} == {"Physics 7A"}


def test_bad_ranges_are_refused_naming_the_field(client, school):
    for query, field in (("?from=2026-W99", "from"), ("?from=2026-W48&to=nope", "to"), ("?from=2026-W48&to=2026-W40", "to"),
                         ("?from=2026-W01&to=2027-W40", "to"), ("?staff=x", "staff")):
        response = client.get(f"/t/export.csv{query}")
        assert response.status_code == 400, query
        assert field in response.get_data(as_text=True), query


def test_an_unpublished_timetable_is_not_exported_to_visitors(client, school):
    with write_transaction():
        school["timetable"].published = False
    assert client.get("/t/export.csv?week=2026-W48").status_code == 404


def test_the_csv_command_writes_the_same_rows_as_the_page(client, runner, school, tmp_path):
    out = tmp_path / "t.csv"
    result = runner.invoke(args=["timetables", "export", "t", "--format", "csv", "--from-week", "2026-W48", "--to-week", "2026-W49",
                                 "--room", str(school["r1"]), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_csv(out.read_bytes())
    create_user("admin", "password-1234", is_admin=True)
    assert len(rows) == 9 and {r["room"] for r in rows} == {"101"}  # ten Maths lessons, one of them in 102 in W49
    refused = runner.invoke(args=["timetables", "export", "t", "--format", "csv", "--from-week", "W48"])
    assert refused.exit_code != 0 and "--from-week" in refused.output


def test_the_json_export_is_for_administrators(client, auth, school, editor):
    assert client.get("/api/timetables/t/export.json").status_code == 401
    auth.login()
    response = client.get("/api/timetables/t/export.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["format"] == "timetable/1" and document["timetable"]["slug"] == "t"
    assert len(document["slots"]) == 6 and len(document["history"]) == school["setup_changes"]
    assert "/api/timetables/{slug}/export.json" in client.get("/api/openapi.json").get_json()["paths"]


def test_the_week_pages_link_to_the_csv_of_the_week_with_their_filters(client, auth, school, editor):
    import re

    page = client.get(f"/t?week=2026-W48&room={school['r1']}").get_data(as_text=True)
    [link] = re.findall(r'href="([^"]+)" data-testid="export-csv"', page)
    link = link.replace("&amp;", "&")
    assert link.startswith("/t/export.csv?") and "week=2026-W48" in link and f"room={school['r1']}" in link
    assert {r["room"] for r in csv_rows(client, link.removeprefix("/t/export.csv"))} == {"101"}
    auth.login()
    editor_page = client.get("/t/edit?week=2026-W49").get_data(as_text=True)
    assert re.search(r'href="/t/export.csv\?week=2026-W49[^"]*"\s+data-testid="export-csv"', editor_page)
