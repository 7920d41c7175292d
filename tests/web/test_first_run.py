"""The front page on a new installation: how to make the first administrator, then the first timetable."""

from __future__ import annotations

from tests.conftest import AuthActions

PASSWORD = "password-1234"


def test_an_empty_database_explains_how_to_create_the_first_administrator(client):
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="first-run"' in page
    assert "flask --app timetable users create NAME --admin" in page


def test_with_an_administrator_but_no_timetable_the_administrator_is_offered_to_create_one(app, client, runner):
    result = runner.invoke(args=["users", "create", "root", "--admin", "--password", PASSWORD])
    assert result.exit_code == 0 and "Created the administrator “root”" in result.output
    anonymous = client.get("/").get_data(as_text=True)
    assert "first-run" not in anonymous and "Create your first timetable" not in anonymous
    AuthActions(client).login("root", PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert '<a class="button" href="/admin/timetables/new">Create your first timetable</a>' in page


def test_an_account_without_rights_is_not_offered_to_create_a_timetable(app, client, runner):
    runner.invoke(args=["users", "create", "root", "--admin", "--password", PASSWORD])
    runner.invoke(args=["users", "create", "plain", "--password", PASSWORD])
    AuthActions(client).login("plain", PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert "/admin/timetables/new" not in page and "an administrator grants them to you" in page


def test_a_viewer_reads_an_unpublished_timetable_granted_to_them_and_nobody_else_does(app):
    from timetable.database import write_transaction
    from timetable.services.access import VIEWER
    from timetable.services.accounts import create_user
    from timetable.services.creation import create_timetable

    with app.app_context():
        with write_transaction():
            draft = create_timetable("draft", "Draft timetable", "Europe/Paris", published=False)
            other = create_timetable("other", "Other draft", "Europe/Paris", published=False)
        create_user("vera", PASSWORD, grants={draft.id: VIEWER})
        assert other.id
    vera = app.test_client()
    AuthActions(vera).login("vera", PASSWORD)
    home = vera.get("/").get_data(as_text=True)
    assert "Draft timetable" in home and "Other draft" not in home and 'href="/draft/edit"' not in home
    assert vera.get("/api/timetables/draft/weeks/2026-W48").status_code == 200
    assert vera.get("/api/timetables/other/weeks/2026-W48").status_code == 404
    assert vera.get("/draft/edit").status_code == 403
    page = vera.get("/draft?week=2026-W48")
    assert page.status_code == 200 and "Not published: only people granted it see this" in page.get_data(as_text=True)
    assert vera.get("/other").status_code == 404 and app.test_client().get("/draft").status_code == 404
    assert app.test_client().get("/api/timetables/draft/weeks/2026-W48").status_code == 404
