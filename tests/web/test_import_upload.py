"""The import upload page and `POST /api/timetables/<slug>/imports`: rights, preview writes nothing, apply is one change
with the plan's token (409 when stale), bad and oversized files are refused and write nothing."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import HTMX, AuthActions, csrf_token_from
from tests.fet_generation import SMALL_SCHOOL, generate_fet, needs_fet
from timetable.extensions import db
from timetable.models import ChangeSet, Slot, SlotRule, Staff, Timetable

pytestmark = needs_fet

PASSWORD = "password-1234"
FROM = "2027-W02"
PLAN, APPLY, API = "/c/edit/import/plan", "/c/edit/import/apply", "/api/timetables/c/imports"
TOKEN = re.compile(r'name="token" value="([0-9a-f]{64})"')


@pytest.fixture(scope="module")
def fet_bytes(tmp_path_factory) -> bytes:
    return generate_fet(SMALL_SCHOOL, tmp_path_factory.mktemp("fet")).read_bytes()


@pytest.fixture
def people(clinic, school):
    """Accounts on the clinic ("c"): its scheduler, a viewer, the school's scheduler, an administrator."""
    from timetable.services.access import SCHEDULER, VIEWER
    from timetable.services.accounts import create_user

    tid = clinic["timetable"].id
    create_user("clinic-scheduler", PASSWORD, grants={tid: SCHEDULER})
    create_user("clinic-viewer", PASSWORD, grants={tid: VIEWER})
    create_user("school-scheduler", PASSWORD, grants={school["timetable"].id: SCHEDULER})
    create_user("admin", PASSWORD, is_admin=True)
    return clinic


def call(app, fn):
    """A request of another client, in an app context of its own: `g` (the logged-in user) is not shared."""
    with app.app_context():
        return fn(app.test_client())


def written():
    """What an import could write (read afresh: other requests' app contexts committed it)."""
    db.session.rollback()
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {"changes": count(ChangeSet), "slots": count(Slot), "rules": count(SlotRule), "staff": count(Staff),
            "timetables": count(Timetable)}


def login(client, username="clinic-scheduler") -> str:
    """Log in; the CSRF token of the import page."""
    assert AuthActions(client).login(username, PASSWORD).status_code == 303
    return csrf_token_from(client.get("/c/edit/import").get_data(as_text=True))


def form(data: bytes, csrf: str, name="small-school_data_and_timetable.fet", **fields):
    return {"csrf_token": csrf, "file": (io.BytesIO(data), name), "format": "auto", "from_week": FROM, "periods": "",
            "days_per_week": "", **fields}


def preview(client, data, csrf, **fields):
    return client.post(PLAN, data=form(data, csrf, **fields), headers=HTMX, content_type="multipart/form-data")


def test_the_page_is_for_the_timetables_schedulers_and_linked_from_the_overview_and_the_grid(app, client, people):
    assert client.get("/c/edit/import").status_code == 302  # anonymous: to the login page
    for username, status in (("clinic-viewer", 403), ("school-scheduler", 403), ("clinic-scheduler", 200), ("admin", 200)):
        def page(other, username=username):
            AuthActions(other).login(username, PASSWORD)
            return other.get("/c/edit/import").status_code
        assert call(app, page) == status, username
    login(client)
    page = client.get("/c/edit/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="from_week" value="2026-W48"' in page  # next week by default
    assert "js/import.js" in page and "<script>" not in page and "at most 16 MiB" in page
    for url in ("/c/edit", "/c/edit?view=grid"):
        assert 'href="/c/edit/import"' in client.get(url).get_data(as_text=True), url


def test_the_preview_lists_the_plan_and_writes_nothing(client, people, fet_bytes):
    csrf = login(client)
    before = written()
    response = preview(client, fet_bytes, csrf)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert html.lstrip().startswith("<title>") and 'id="import-result"' in html and "<html" not in html  # the fragment
    assert "<strong>25</strong> slots to create" in html
    assert "Staff to create" in html and "<details" in html  # 25 slots: folded
    assert "Bell times to add" in html and "13:30–14:30" in html
    assert TOKEN.search(html)
    # Without JavaScript: the whole page, the form kept, the plan below it.
    whole = client.post(PLAN, data=form(fet_bytes, csrf, days_per_week="1"), content_type="multipart/form-data")
    page = whole.get_data(as_text=True)
    assert whole.status_code == 200 and "<html" in page and 'id="import-form"' in page and 'name="days_per_week" value="1"' in page
    assert "Choose the same file again above" in page and TOKEN.search(page)
    assert written() == before


def test_apply_with_the_plans_token_is_one_change_with_history_and_undo(client, people, fet_bytes):
    csrf = login(client)
    before = written()
    token = TOKEN.search(preview(client, fet_bytes, csrf).get_data(as_text=True))[1]
    response = client.post(APPLY, data=form(fet_bytes, csrf, token=token), headers=HTMX, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert 'data-testid="import-applied"' in html and "Import of small-school_data_and_timetable.fet: 25 new" in html
    [change] = db.session.scalars(select(ChangeSet).where(ChangeSet.id > 0).order_by(ChangeSet.id.desc()).limit(1))
    assert change.kind == "import" and f"/c/edit/changes/{change.id}/undo/plan" in html and 'href="/c/edit/history"' in html
    after = written()
    assert after["changes"] == before["changes"] + 1 and after["slots"] == before["slots"] + 25
    # The same token again: the timetable changed (by the import itself), so nothing more is written.
    again = client.post(APPLY, data=form(fet_bytes, csrf, token=token), headers=HTMX, content_type="multipart/form-data")
    assert again.status_code == 409 and "preview again" in again.get_data(as_text=True)
    assert written() == after
    # "Undo this import…" is a plain form: the editor's undo preview, as a whole page.
    undo = client.post(f"/c/edit/changes/{change.id}/undo/plan", data={"csrf_token": csrf, "week": FROM})
    assert undo.status_code == 200 and f"Undo change {change.id}" in undo.get_data(as_text=True)


def test_a_stale_token_is_refused_with_409_and_writes_nothing(client, people, fet_bytes, make_slot):
    csrf = login(client)
    token = TOKEN.search(preview(client, fet_bytes, csrf).get_data(as_text=True))[1]
    make_slot(people["timetable"], 202702, weekday=3, start=600, duration=60, title="Meanwhile")
    before = written()
    response = client.post(APPLY, data=form(fet_bytes, csrf, token=token), headers=HTMX, content_type="multipart/form-data")
    assert response.status_code == 409
    assert "The timetable or the file changed since the preview: preview again" in response.get_data(as_text=True)
    assert written() == before
    # Another file, or other options, under a fresh preview's token: also refused.
    token = TOKEN.search(preview(client, fet_bytes, csrf).get_data(as_text=True))[1]
    changed_file = fet_bytes.replace(b"<Comments>", b"<Comments>changed ", 1)
    for data, fields in ((changed_file, {}), (fet_bytes, {"from_week": "2027-W03"})):
        response = client.post(APPLY, data=form(data, csrf, token=token, **fields), headers=HTMX, content_type="multipart/form-data")
        assert response.status_code == 409, fields
    assert written() == before


def _unplaced(fet_bytes: bytes) -> bytes:
    return re.sub(rb"<ConstraintActivityPreferredStartingTime>.*?</ConstraintActivityPreferredStartingTime>", b"", fet_bytes, flags=re.S)


def _untimed(fet_bytes: bytes) -> bytes:
    """The hours renamed "Period 1"… (no times) wherever they are named."""
    names = list(dict.fromkeys(re.findall(rb">(\d+\.\d+ - \d+\.\d+)<", fet_bytes)))
    for number, name in enumerate(names, start=1):
        fet_bytes = fet_bytes.replace(b">" + name + b"<", b">Period %d<" % number)
    return fet_bytes


@pytest.mark.parametrize(("case", "status", "message"), [
    ("malformed", 400, "the XML is malformed"),
    ("unplaced", 400, "no activity is placed"),
    ("untimed", 400, "give --periods"),
    ("bad periods", 400, "periods: period 1 “8-9” is not a time range"),
    ("unknown extension", 400, "cannot tell the format of “lessons.txt”"),
    ("csv unknown day", 400, "line 2, column weekday: unknown day “Funday”"),
    ("bad week", 400, "from week"),
    ("empty", 400, "choose the file to import"),
])
def test_bad_files_and_options_get_a_message_and_write_nothing(client, people, fet_bytes, case, status, message):
    csrf = login(client)
    data, name, fields = fet_bytes, "small-school_data_and_timetable.fet", {}
    if case == "malformed":
        data = fet_bytes[: len(fet_bytes) // 2]
    elif case == "unplaced":
        data = _unplaced(fet_bytes)
    elif case == "untimed":
        data = _untimed(fet_bytes)
    elif case == "bad periods":
        fields = {"periods": "8-9"}
    elif case == "unknown extension":
        name = "lessons.txt"
    elif case == "csv unknown day":
        data, name = b"weekday,start,end,course\nFunday,08:00,09:00,Maths\n", "lessons.csv"
    elif case == "bad week":
        fields = {"from_week": "next week"}
    elif case == "empty":
        data, name = b"", ""
    before = written()
    for url in (PLAN, APPLY):
        response = client.post(url, data=form(data, csrf, name=name, token="0" * 64, **fields), headers=HTMX,
                               content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code == status, (url, html)
        assert message in html and 'data-testid="import-problem"' in html, html
    assert written() == before


def test_the_import_routes_take_larger_bodies_than_the_rest_and_refuse_more_with_413(app, client, people, fet_bytes, monkeypatch):
    csrf = login(client)
    padded = fet_bytes.replace(b"<Comments>", b"<Comments>" + b"x" * (2 * 1024 * 1024), 1)  # 2 MiB: over the 1 MiB elsewhere
    # Encoded in memory: the test client would spool a body this large to a temporary file it never closes.
    fields = {**form(padded, csrf), "file": FileStorage(io.BytesIO(padded), "small-school_data_and_timetable.fet")}
    boundary, body = encode_multipart(fields)
    response = client.post(PLAN, data=body, headers=HTMX, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    monkeypatch.setitem(app.config, "MAX_IMPORT_BYTES", 4096)
    before = written()
    for url in (PLAN, APPLY):
        response = client.post(url, data=form(fet_bytes, csrf), headers=HTMX, content_type="multipart/form-data")
        assert response.status_code == 413
        assert "at most 4,096 bytes" in response.get_data(as_text=True)
    response = client.post(API, data=form(fet_bytes, csrf), headers={"X-CSRFToken": csrf}, content_type="multipart/form-data")
    assert response.status_code == 413 and "at most 4,096 bytes" in response.get_json()["error"]["message"]
    assert written() == before


def api_form(data: bytes, **fields):
    return {"file": (io.BytesIO(data), "small-school_data_and_timetable.fet"), "from_week": FROM, **fields}


def test_the_api_plans_then_applies_with_the_token(client, people, fet_bytes):
    csrf = login(client)
    before = written()
    planned = client.post(API, data=api_form(fet_bytes), headers={"X-CSRFToken": csrf}, content_type="multipart/form-data")
    assert planned.status_code == 200, planned.get_json()
    plan = planned.get_json()
    assert (plan["format"], plan["from_week"], plan["creates_timetable"], len(plan["create"])) == ("fet", FROM, False, 25)
    assert plan["create"][0]["description"].startswith("activity ") and plan["bell_times"][0] == {
        "name": "13.30 - 14.30", "start": "13:30", "end": "14:30"}
    assert written() == before
    applied = client.post(API, data=api_form(fet_bytes, token=plan["token"]), headers={"X-CSRFToken": csrf},
                          content_type="multipart/form-data")
    assert applied.status_code == 201, applied.get_json()
    body = applied.get_json()
    assert body["change"]["kind"] == "import" and body["plan"]["create"] and "token" not in body["plan"]
    assert written()["changes"] == before["changes"] + 1
    stale = client.post(API, data=api_form(fet_bytes, token=plan["token"]), headers={"X-CSRFToken": csrf},
                        content_type="multipart/form-data")
    assert stale.status_code == 409 and "preview again" in stale.get_json()["error"]["message"]
    # Schemathesis found it: a token holding non-ASCII characters was a 500 (compare_digest refuses such str).
    foreign = client.post(API, data=api_form(fet_bytes, token="®Z"), headers={"X-CSRFToken": csrf}, content_type="multipart/form-data")
    assert foreign.status_code == 409 and written()["changes"] == before["changes"] + 1
    bad = client.post(API, data=api_form(fet_bytes[:100]), headers={"X-CSRFToken": csrf}, content_type="multipart/form-data")
    assert bad.status_code == 400 and "the XML is malformed" in bad.get_json()["error"]["fields"]["file"][0]
    # A re-import of the same file from the same week changes nothing.
    again = client.post(API, data=api_form(fet_bytes), headers={"X-CSRFToken": csrf}, content_type="multipart/form-data").get_json()
    assert (len(again["create"]), again["unchanged"]) == (0, 25)


def test_the_api_needs_csrf_or_a_bearer_token_and_the_right_to_schedule(app, client, people, fet_bytes):
    from timetable.services.accounts import find_user
    from timetable.services.api_tokens import create_token

    before = written()
    anonymous = client.post(API, data=api_form(fet_bytes), content_type="multipart/form-data")
    assert anonymous.status_code == 401 and anonymous.is_json
    login(client)
    assert client.post(API, data=api_form(fet_bytes), content_type="multipart/form-data").status_code == 400  # no CSRF token
    _row, token = create_token(find_user("clinic-scheduler").id, "import")
    _row, viewer_token = create_token(find_user("clinic-viewer").id, "import")
    post = lambda bearer: lambda other: other.post(API, data=api_form(fet_bytes), content_type="multipart/form-data",  # noqa: E731
                                                   headers={"Authorization": f"Bearer {bearer}"})
    bearer = call(app, post(token))
    assert bearer.status_code == 200 and bearer.get_json()["token"]
    assert call(app, post(viewer_token)).status_code == 403
    assert written() == before


def test_only_an_administrator_creates_a_timetable_by_importing(app, people, fet_bytes):
    from timetable.services.accounts import find_user
    from timetable.services.api_tokens import create_token

    url = "/api/timetables/new-school/imports"
    _row, scheduler = create_token(find_user("clinic-scheduler").id, "import")
    _row, admin = create_token(find_user("admin").id, "import")

    def post(bearer, **fields):
        return lambda other: other.post(fields.pop("url", url), data=api_form(fet_bytes, **fields), content_type="multipart/form-data",
                                        headers={"Authorization": f"Bearer {bearer}"})

    refused = call(app, post(scheduler))
    assert refused.status_code == 404 and "only an administrator" in refused.get_json()["error"]["message"]
    assert call(app, post(admin, url="/api/timetables/New_School/imports")).status_code == 400
    assert written()["timetables"] == 2
    plan = call(app, post(admin, name="New school")).get_json()
    assert plan["creates_timetable"] is True
    applied = call(app, post(admin, name="New school", token=plan["token"]))
    assert applied.status_code == 201, applied.get_json()
    db.session.rollback()
    created = db.session.scalar(select(Timetable).where(Timetable.slug == "new-school"))
    assert created.name == "New school"


CSV_LESSONS = """weekday;start;end;course;groups;staff;room;ref
Monday;08:00;08:55;Maths;9A|9B;A. Moreau|C. Ito;101;m-1
mardi;10:00;10:50;French;9B;C. Ito;102;f-1
""".encode("utf-8-sig")


def test_a_csv_file_is_planned_and_applied_through_the_api_with_missing_names_created_on_request(client, people):
    csrf = login(client)
    headers = {"X-CSRFToken": csrf}
    before = written()
    refused = client.post(API, data=form(CSV_LESSONS, csrf, name="lessons.csv"), headers=headers, content_type="multipart/form-data")
    assert refused.status_code == 400 and "unknown teacher" in refused.get_json()["error"]["message"]
    fields = {"create_missing": "on"}
    planned = client.post(API, data=form(CSV_LESSONS, csrf, name="lessons.csv", **fields), headers=headers,
                          content_type="multipart/form-data")
    assert planned.status_code == 200, planned.get_data(as_text=True)
    assert written() == before
    token = planned.get_json()["token"]
    applied = client.post(API, data=form(CSV_LESSONS, csrf, name="lessons.csv", token=token, **fields), headers=headers,
                          content_type="multipart/form-data")
    assert applied.status_code == 201, applied.get_data(as_text=True)
    after = written()
    assert (after["changes"], after["slots"]) == (before["changes"] + 1, before["slots"] + 2)
    week = client.get(f"/api/timetables/c/weeks/{FROM}").get_json()["occurrences"]
    maths = next(o for o in week if o["slot_id"] and o["start"] == "08:00" and o["weekday"] == 1)
    assert len(maths["parameters"]["staff"]) == 2 and len(maths["parameters"]["group"]) == 2


def _lines(response) -> list[dict]:
    import json

    return [json.loads(line) for line in response.get_data(as_text=True).splitlines() if line]


def test_apply_streams_its_steps_as_they_happen_then_the_result_and_a_stale_one_writes_nothing(client, people, fet_bytes):
    csrf = login(client)
    streaming = {**HTMX, "Accept": "application/x-ndjson"}
    before = written()
    token = TOKEN.search(preview(client, fet_bytes, csrf).get_data(as_text=True))[1]
    response = client.post(APPLY, data=form(fet_bytes, csrf, token=token), headers=streaming, content_type="multipart/form-data")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    lines = _lines(response)
    steps, last = [line["progress"] for line in lines[:-1]], lines[-1]
    assert steps[0].startswith("Read 25 placed activities"), steps
    assert steps[-2].startswith("Writing ") and steps[-1].startswith("Recorded as change"), steps
    assert last["status"] == 200 and 'data-testid="import-applied"' in last["html"] and "25 new" in last["html"]
    after = written()
    assert after["changes"] == before["changes"] + 1 and after["slots"] == before["slots"] + 25
    # The same token again: the import changed the timetable, so the stream ends in the 409 message and writes nothing.
    again = _lines(client.post(APPLY, data=form(fet_bytes, csrf, token=token), headers=streaming, content_type="multipart/form-data"))
    assert again[-1]["status"] == 409 and "preview again" in again[-1]["html"]
    assert written() == after
    # A bad file is refused before any work starts: a plain 400 fragment, no stream.
    bad = client.post(APPLY, data=form(b"<fet", csrf, token=token), headers=streaming, content_type="multipart/form-data")
    assert bad.status_code == 400 and 'data-testid="import-problem"' in bad.get_data(as_text=True)
    assert written() == after
