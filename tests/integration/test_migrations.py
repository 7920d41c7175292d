"""The schema comes from the migrations, and the models agree with them."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import TEST_DATABASE_URL, build_app


@pytest.fixture
def empty_app(make_database_url):
    from timetable import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": make_database_url("migrations")})
    yield app
    with app.app_context():
        from timetable.extensions import db

        db.engine.dispose()


def test_upgrading_an_empty_database_creates_every_table_and_no_drift(empty_app):
    runner = empty_app.test_cli_runner()
    with empty_app.app_context():
        upgrade()
        from timetable.extensions import db

        tables = set(inspect(db.engine).get_table_names())
    assert {"timetables", "slots", "slot_rules", "course_rules", "courses", "staff", "rooms", "groups", "users", "terms"} <= tables
    result = runner.invoke(args=["db", "check"])
    # `db check` exits non-zero when autogenerate finds any difference between models and schema.
    assert result.exit_code == 0, result.output


def test_downgrade_to_base_and_upgrade_again(empty_app):
    with empty_app.app_context():
        from timetable.extensions import db

        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "slot_rules" in inspect(db.engine).get_table_names()


@pytest.mark.postgres_only
def test_postgresql_refuses_overlapping_rules_of_one_stripe(make_database_url):
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL only: run with TEST_DATABASE_URL (scripts/test does)")
    app = build_app(make_database_url("exclusion"))
    with app.app_context():
        from timetable.extensions import db

        add_rule = text("INSERT INTO slot_rules (slot_id, timetable_id, param, start_week, end_week, value)"
                        " VALUES (1, 1, :param, :start, :end, :value)")
        with db.engine.connect() as conn:
            conn.execute(text("INSERT INTO timetables (id, slug, name, time_zone, published, shown_weekdays, day_start, day_end,"
                              " created_at) VALUES (1, 'x', 'X', 'UTC', true, '1', 0, 60, now())"))
            conn.execute(text("INSERT INTO slots (id, timetable_id, created_at) VALUES (1, 1, now())"))
            conn.execute(add_rule, {"param": "room", "start": 202601, "end": 202610, "value": "1"})
            # Another parameter, or touching weeks, are fine.
            conn.execute(add_rule, {"param": "staff", "start": 202605, "end": None, "value": "1"})
            conn.execute(add_rule, {"param": "room", "start": 202611, "end": None, "value": "2"})
            conn.commit()
            conn.execute(add_rule, {"param": "room", "start": None, "end": 202601, "value": "3"})
            with pytest.raises(IntegrityError, match="ex_slot_rules_no_overlap"):
                conn.commit()
        db.engine.dispose()
