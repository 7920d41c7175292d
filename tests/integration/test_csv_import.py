"""CSV import of lessons end to end, through `flask timetables import FILE --format csv`: a school from an
empty database, names refused or created, week ranges, re-import by ref, and bad files that write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from timetable.database import write_transaction
from timetable.extensions import db
from timetable.imports.lessons_csv import MAX_CSV_BYTES
from timetable.models import ChangeSet, Course, Group, Room, Slot, SlotRule, Staff, Timetable
from timetable.rules import add_weeks, format_week, parse_week
from timetable.services.creation import create_timetable
from timetable.services.editing import EditRequest, apply_undo, list_history, plan_undo, record_requests
from timetable.services.occurrence_csv import build_csv
from timetable.services.resolution import WeekFilter, load_directory, resolve_week
from timetable.services.resources import add_resource

FROM = "2027-W02"
W = {n: add_weeks(parse_week(FROM), n) for n in range(30)}

SCHOOL = """weekday,start,end,course,title,groups,staff,room,ref
Monday,08:00,08:55,Maths,,9A,A. Moreau,101,m1
mon,09:00,09:45,Physics,Lab work,9A|9B,A. Moreau|C. Ito,Lab,p1
Tuesday,10:00,10:50,French,,9B,C. Ito,102,f1
lundi,14:00,15:30,,Chess club,9A|9B,B. Dupont,,c1
"""


def counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Timetable, Staff, Room, Group, Course, Slot, SlotRule, ChangeSet)}


def write(tmp_path, text: str, name: str = "lessons.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(runner, path, *options, slug: str = "hill", week: str = FROM):
    result = runner.invoke(args=["timetables", "import", str(path), "--slug", slug, "--from-week", week, *options])
    return result


def timetable(slug: str = "hill") -> Timetable:
    return db.session.scalar(select(Timetable).where(Timetable.slug == slug))


def seen(slug: str, week: int) -> list[tuple]:
    """(weekday, start, end, title or course, groups, staff, room) of a week's occurrences, resources by name."""
    found = timetable(slug)
    directory = load_directory(found.id)
    return sorted((o.weekday, o.start, o.end, o.title(directory), frozenset(directory.group[g] for g in o.group_ids),
                   frozenset(directory.staff[s] for s in o.staff_ids), directory.name("room", o.values["room"]))
                  for o in resolve_week(found, week))


@pytest.fixture
def bearer(app_ctx):
    from timetable.services.accounts import create_user
    from timetable.services.api_tokens import create_token

    admin = create_user("head", "head-teacher-1234", "Head teacher", is_admin=True)
    _row, token = create_token(admin.id, "csv test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_a_school_from_an_empty_database_is_one_change_the_week_api_shows_and_one_undo_removes(
        runner, app_ctx, client, bearer, tmp_path):
    path = write(tmp_path, SCHOOL)
    empty = counts()
    preview = run(runner, path, "--create-missing")
    assert preview.exit_code == 0, preview.output
    assert "(a new timetable)" in preview.output and "Slots to create: 4" in preview.output
    assert "Resources to create, staff (3): A. Moreau, B. Dupont, C. Ito" in preview.output
    assert "Resources to create, rooms (3): 101, 102, Lab" in preview.output
    assert "Nothing was written" in preview.output
    assert counts() == empty

    applied = run(runner, path, "--create-missing", "--apply")
    assert applied.exit_code == 0, applied.output
    assert "Applied as change" in applied.output and "… Read 4 lessons" in applied.output
    hill = timetable()
    [change] = list_history(hill)
    assert change.kind == "import" and change.summary.startswith("Import of lessons.csv: 4 new, 0 changed, 0 closed slots")

    response = client.get(f"/api/timetables/hill/weeks/{format_week(W[0])}", headers=bearer)
    assert response.status_code == 200, response.get_json()
    occurrences = {(o["weekday"], o["start"]): o for o in response.get_json()["occurrences"]}
    assert sorted(occurrences) == [(1, "08:00"), (1, "09:00"), (1, "14:00"), (2, "10:00")]
    physics = occurrences[(1, "09:00")]
    directory = load_directory(hill.id)
    assert physics["end"] == "09:45" and physics["title"] == "Lab work" and physics["date"] == "2027-01-11"
    parameters = physics["parameters"]
    assert {directory.staff[i] for i in parameters["staff"]} == {"A. Moreau", "C. Ito"}  # sets, as lists
    assert {directory.group[i] for i in parameters["group"]} == {"9A", "9B"}
    assert directory.name("room", parameters["room"]) == "Lab" and physics["labels"]["room"] == "Lab"
    assert directory.name("course", parameters["course"]) == "Physics"
    chess = occurrences[(1, "14:00")]
    assert chess["parameters"]["room"] is None and chess["title"] == "Chess club" and chess["end"] == "15:30"
    assert occurrences[(2, "10:00")]["labels"] == {"course": "French", "group": "9B", "room": "102", "staff": "C. Ito"}
    assert seen("hill", W[9]) == seen("hill", W[0])  # every week from --from-week on
    assert seen("hill", add_weeks(W[0], -1)) == []

    undo = plan_undo(hill, change.id, W[0])
    apply_undo(hill, change.id, undo.token, None)
    assert resolve_week(hill, W[0]) == [] and resolve_week(hill, W[9]) == []
    assert len(list_history(hill)) == 2


def test_unknown_names_are_refused_with_their_lines_unless_create_missing(runner, app_ctx, tmp_path):
    with write_transaction():
        hill = create_timetable("hill", "Hill school", "Europe/Paris")
    for kind, values in (("staff", {"name": "Anne Moreau", "short_name": "A. Moreau"}), ("staff", {"name": "C. Ito"}),
                         ("groups", {"name": "9A"}), ("rooms", {"name": "101"}), ("courses", {"name": "Maths"})):
        add_resource(hill, kind, values)
    db.session.commit()
    before = counts()
    path = write(tmp_path, SCHOOL)
    refused = run(runner, path, "--apply")
    assert refused.exit_code != 0
    assert "line 3: unknown group “9B”" in refused.output.replace("lines 3, 4, 5", "line 3")
    assert "lines 3, 4, 5: unknown group “9B”" in refused.output
    assert "line 3: unknown room “Lab”" in refused.output and "line 5: unknown teacher “B. Dupont”" in refused.output
    assert "add them on the Resources page or pass --create-missing" in refused.output
    assert "unknown teacher “A. Moreau”" not in refused.output  # the short name of Anne Moreau
    assert "Nothing was imported" in refused.output
    assert counts() == before

    created = run(runner, path, "--apply", "--create-missing")
    assert created.exit_code == 0, created.output
    assert "Resources to create, staff (1): B. Dupont" in created.output
    assert "Resources to create, groups (1): 9B" in created.output
    assert "Resources to create, courses (2): French, Physics" in created.output
    assert ({s for s, in db.session.execute(select(Staff.name))} == {"Anne Moreau", "C. Ito", "B. Dupont"})
    [maths] = [o for o in seen("hill", W[0]) if o[1] == 480]
    assert maths[5] == {"Anne Moreau"}


def test_a_new_timetable_without_create_missing_says_so(runner, app_ctx, tmp_path):
    result = run(runner, write(tmp_path, SCHOOL), "--apply")
    assert result.exit_code != 0
    assert "the timetable does not exist yet" in result.output and "--create-missing" in result.output
    assert set(counts().values()) == {0}


def test_a_semicolon_file_with_a_byte_order_mark_and_french_headers(runner, app_ctx, tmp_path):
    text = ("\ufeffJour;Début;Durée;Matière;Classe;Enseignant;Salle;Remarque\r\n"
            "Lun;08:00;55;Maths;9A;A. Moreau;101;first lesson\r\n"
            "\r\n"
            "JEUDI;10:00;45;Latin, grec;9A|9B;A. Moreau;101;\r\n")
    result = run(runner, write(tmp_path, text), "--create-missing", "--apply")
    assert result.exit_code == 0, result.output
    assert "column “Remarque”: not a column of the lessons format, not read" in result.output
    assert seen("hill", W[0]) == [
        (1, 480, 535, "Maths", frozenset({"9A"}), frozenset({"A. Moreau"}), "101"),
        (4, 600, 645, "Latin, grec", frozenset({"9A", "9B"}), frozenset({"A. Moreau"}), "101"),
    ]


def test_week_ranges_are_painted_over_their_weeks_only_clamped_to_from_week(runner, app_ctx, tmp_path):
    text = ("\ufeffJour;Debut;Duration;Subject;Class;Teacher;Room;First week;Last week\r\n"
            "Lun;08:00;55;Maths;9A;A. Moreau;101;;\r\n"
            "MERCREDI;10:00;45;Latin;9A;A. Moreau;101;2027-W05;2027-W08\r\n"
            "wed;11:00;45;Art;9A;A. Moreau;101;2026-W40;2027-W03\r\n")
    result = run(runner, write(tmp_path, text), "--create-missing", "--apply")
    assert result.exit_code == 0, result.output

    def starts(n):
        return [(o[0], o[1], o[3]) for o in seen("hill", W[n])]

    assert starts(0) == [(1, 480, "Maths"), (3, 660, "Art")]
    assert starts(1) == [(1, 480, "Maths"), (3, 660, "Art")]  # 2027-W03, its last week
    assert starts(2) == [(1, 480, "Maths")]
    assert starts(3) == starts(6) == [(1, 480, "Maths"), (3, 600, "Latin")]  # 2027-W05 to W08
    assert starts(7) == [(1, 480, "Maths")]
    assert seen("hill", add_weeks(W[0], -1)) == []  # not before --from-week, though Art's first week is earlier


def test_a_reimport_by_ref_changes_one_row_from_its_week_and_keeps_the_rest(runner, app_ctx, tmp_path):
    assert run(runner, write(tmp_path, SCHOOL), "--create-missing", "--apply").exit_code == 0
    hill = timetable()
    slots = dict(db.session.execute(select(Slot.external_ref, Slot.id)).all())
    record_requests(hill, [EditRequest("slot", (slots["f1"],), "note", W[6], W[6], "Exam week")], "note", None)
    db.session.commit()
    newer = SCHOOL.replace("Tuesday,10:00,10:50,French,,9B,C. Ito,102,f1", "Thursday,11:00,11:50,French,,9B,C. Ito,Lab,f1")
    newer = newer.replace("lundi,14:00,15:30,,Chess club,9A|9B,B. Dupont,,c1\n", "")
    newer += "Friday,08:00,08:45,Maths,,9B,A. Moreau,101,\n"
    path = write(tmp_path, newer, "newer.csv")
    rules = counts()["slot_rules"]

    preview = run(runner, path, week=format_week(W[4]))
    assert preview.exit_code == 0, preview.output
    assert f"ref f1 (slot {slots['f1']}): weekday, start, room" in preview.output
    assert f"ref c1 (slot {slots['c1']}): not in the new file" in preview.output
    assert "Slots to create: 1" in preview.output and "Slots unchanged: 2" in preview.output
    assert counts()["slot_rules"] == rules

    applied = run(runner, path, "--apply", week=format_week(W[4]))
    assert applied.exit_code == 0, applied.output
    assert len(list_history(hill)) == 3

    def french(n):
        return [(o[0], o[1], o[6]) for o in seen("hill", W[n]) if o[3] == "French"]

    assert french(3) == [(2, 600, "102")] and french(4) == [(4, 660, "Lab")]
    notes = {o.slot_id: o.values["note"] for o in resolve_week(hill, W[6])}
    assert notes[slots["f1"]] == "Exam week"  # a one-week edit of what the new file does not change is kept
    assert [o[3] for o in seen("hill", W[3])].count("Chess club") == 1
    assert [o[3] for o in seen("hill", W[4])].count("Chess club") == 0
    assert [(o[0], o[3]) for o in seen("hill", W[4])].count((5, "Maths")) == 1
    assert [(o[0], o[3]) for o in seen("hill", W[3])].count((5, "Maths")) == 0

    # The rows with a ref are unchanged the next time; the row without one is a new slot each time.
    again = run(runner, path, week=format_week(W[4]))
    assert "Slots unchanged: 3" in again.output and "Slots to create: 1" in again.output
    assert "Slots to close from 2027-W06: 0" in again.output


def test_a_reimport_moving_a_rows_last_week_closes_it_after(runner, app_ctx, tmp_path):
    header = "weekday,start,duration,title,last_week,ref\n"
    assert run(runner, write(tmp_path, header + "1,08:00,45,Choir,,k\n"), "--apply").exit_code == 0
    shorter = write(tmp_path, header + "1,08:00,45,Choir,2027-W10,k\n", "shorter.csv")
    result = run(runner, shorter, "--apply")
    assert result.exit_code == 0, result.output
    assert "ref k (slot" in result.output and ": weeks" in result.output
    assert [o[3] for o in seen("hill", parse_week("2027-W10"))] == ["Choir"]
    assert seen("hill", parse_week("2027-W11")) == []
    assert "Nothing to change." in run(runner, shorter, "--apply").output


GOOD_HEADER = "weekday,start,end,title,ref\n"
BAD_FILES = {
    "malformed CSV": (GOOD_HEADER + 'mon,08:00,09:00,"Maths,1\n', "line 2: the CSV is malformed"),
    "missing column": ("weekday,end,title\nmon,09:00,Maths\n", "line 1: the header has no column start"),
    "unknown day": (GOOD_HEADER + "mon,08:00,09:00,Maths,1\nFunday,08:00,09:00,Maths,2\n",
                    "line 3, column weekday: unknown day “Funday”"),
    "unparseable time": (GOOD_HEADER + "mon,8h61,09:00,Maths,1\n", "line 2, column start: “8h61” is not a time"),
    "end before start": (GOOD_HEADER + "mon,09:00,08:00,Maths,1\n", "line 2, column end: 08:00 is not after the start 09:00"),
    "duration not a multiple of 5": ("weekday,start,duration,title\nmon,09:00,42,Maths\n",
                                     "line 2, column duration: a lesson lasts 5 to 1440 minutes in steps of 5, not 42"),
    "duplicate ref": (GOOD_HEADER + "mon,08:00,09:00,Maths,1\ntue,08:00,09:00,Maths,1\n",
                      "line 3, column ref: “1” is already the ref of line 2"),
    "not UTF-8": (None, "line 2: byte 49 is not UTF-8"),
    "too large": (GOOD_HEADER + "mon,08:00,09:00,Maths,\n" * (MAX_CSV_BYTES // 22), "at most 10,485,760 are read"),
    "last week before --from-week": ("weekday,start,end,title,last_week\nmon,08:00,09:00,Maths,2026-W50\n",
                                     "line 2, column last_week: 2026-W50 comes before the import's first week 2027-W02"),
    "unknown cycle label": ("weekday,start,end,title,cycle_weeks\nmon,08:00,09:00,Maths,C\n",
                            "line 2, column cycle_weeks: the timetable “hill” has no week cycle"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_each_bad_file_is_refused_naming_its_line_and_writes_nothing(runner, app_ctx, tmp_path, case):
    text, message = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    if text is None:
        path.write_bytes(GOOD_HEADER.encode() + "mon,08:00,09:00,Mathématiques,1\n".encode("latin-1"))
    else:
        path.write_text(text, encoding="utf-8")
    with write_transaction():
        create_timetable("hill", "Hill school", "Europe/Paris")
    before = counts()
    result = run(runner, path, "--apply", "--create-missing")
    assert result.exit_code != 0
    assert message in result.output and "Nothing was imported" in result.output
    assert counts() == before


def test_a_one_week_export_of_our_occurrence_csv_imports_back(runner, app_ctx, tmp_path):
    assert run(runner, write(tmp_path, SCHOOL), "--create-missing", "--apply").exit_code == 0
    exported = build_csv(timetable(), W[0], W[0], WeekFilter(), public=False)
    copy = write(tmp_path, exported.removeprefix("\ufeff"), "export.csv")
    result = run(runner, copy, "--create-missing", "--apply", slug="copy")
    assert result.exit_code == 0, result.output
    assert "column “slot_id”: not a column of the lessons format" in result.output
    assert seen("copy", W[0]) == seen("hill", W[0]) and len(seen("copy", W[0])) == 4


def test_the_documented_example_imports_as_it_says(runner, app_ctx, tmp_path):
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "csv-import.md").read_text(encoding="utf-8")
    example = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    result = run(runner, write(tmp_path, example), "--create-missing", "--apply")
    assert result.exit_code == 0, result.output
    assert ", a cycle of 2 weeks" in result.output and "Slots to create: 6" in result.output and "Clashes: 0" in result.output
    week_a, week_b = ([o[3] for o in seen("hill", W[n])] for n in (0, 1))
    assert "French" in week_a and "German" not in week_a and "German" in week_b and "French" not in week_b
    assert "Latin" not in week_a and "Latin" in [o[3] for o in seen("hill", parse_week("2027-W05"))]
    assert "Chess club" in [o[3] for o in seen("hill", parse_week("2027-W20"))]
    assert "Chess club" not in [o[3] for o in seen("hill", parse_week("2027-W21"))]


def test_clashes_between_rows_are_listed_only_where_their_weeks_meet(runner, app_ctx, tmp_path):
    text = ("weekday,start,duration,title,staff,room,first_week,last_week\n"
            "mon,08:00,60,Maths,A. Moreau,101,,\n"
            "mon,08:30,45,Physics,A. Moreau,102,,2027-W04\n"
            "mon,08:30,45,Latin,A. Moreau,101,2027-W10,2027-W12\n"
            "mon,08:30,45,Art,B. Dupont,103,2027-W05,2027-W09\n"
            "mon,08:30,45,Music,B. Dupont,103,2027-W10,\n")
    result = run(runner, write(tmp_path, text), "--create-missing")
    assert result.exit_code == 0, result.output
    clashes = result.output.split("Clashes: ", 1)[1].split("Not imported", 1)[0]
    assert sorted(clashes.splitlines()) == ["  room 101: lines 2 and 4 overlap on Monday",
                                            "  staff A. Moreau: lines 2 and 3 overlap on Monday",
                                            "  staff A. Moreau: lines 2 and 4 overlap on Monday", "3"]


def test_the_format_comes_from_the_extension_and_fet_options_are_refused_for_csv(runner, app_ctx, tmp_path):
    text = "weekday,start,duration,title\nmon,08:00,45,Assembly\n"
    unnamed = write(tmp_path, text, "lessons.txt")
    assert "--format fet, --format csv or --format json" in run(runner, unnamed).output
    assert run(runner, unnamed, "--format", "csv", "--apply").exit_code == 0
    refused = run(runner, write(tmp_path, text), "--periods", "08:00-08:45")
    assert refused.exit_code != 0 and "--periods and --days-per-week are for FET files" in refused.output
    missing = runner.invoke(args=["timetables", "import", str(write(tmp_path, text)), "--slug", "hill"])
    assert missing.exit_code != 0 and "A CSV import needs --from-week" in missing.output
    assert [o[3] for o in seen("hill", W[0])] == ["Assembly"]


def test_names_created_once_whatever_their_case(runner, app_ctx, tmp_path):
    text = "weekday,start,duration,title,groups,room\nmon,08:00,45,Maths,9A,Lab\ntue,08:00,45,Maths,9a,LAB\n"
    result = run(runner, write(tmp_path, text), "--create-missing", "--apply")
    assert result.exit_code == 0, result.output
    assert "Resources to create, groups (1): 9A" in result.output and "Resources to create, rooms (1): Lab" in result.output
    assert [(o[4], o[6]) for o in seen("hill", W[0])] == [(frozenset({"9A"}), "Lab")] * 2
