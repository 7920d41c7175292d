"""The API keeps its published contract: Schemathesis fuzzes every operation of /api/openapi.json in-process.

All of Schemathesis's checks run (no server error, status codes, content types, response schemas
and headers, valid data accepted, invalid data rejected...), once anonymously and once as an
editor with a Bearer token. Hypothesis is derandomized and each operation gets a few examples,
so the tier is reproducible and bounded in time; the clock is the suite's pinned clock.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.conftest import build_app

pytestmark = pytest.mark.contract

# Few examples per operation: the tier must stay within a few minutes on a small CI machine.
FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def contract_app(make_database_url):
    """The demo's timetables and accounts on a database of this tier's own, which the fuzzing may write to."""
    from tests.clock import pinned
    from timetable.services.demo import load_demo
    from timetable.services.demo_accounts import ensure_demo_accounts

    app = build_app(make_database_url("contract"))
    with app.app_context(), pinned():
        load_demo()
        ensure_demo_accounts("timetable-demo")
    yield app
    with app.app_context():
        from timetable.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="module")
def editor_headers(contract_app):
    """The demo administrator's personal API token, as a Bearer header (no cookie, no CSRF token)."""
    from timetable.services.accounts import find_user
    from timetable.services.api_tokens import create_token

    with contract_app.app_context():
        _row, token = create_token(find_user("scheduler").id, "contract fuzzing")
    return {"Authorization": f"Bearer {token}"}


def fuzz(app, headers: dict[str, str] | None = None) -> None:
    """Run every operation's positive and negative cases through all checks; fail listing what broke, operation by operation."""
    from timetable.extensions import limiter

    limiter.reset()  # the booking routes' rate limits are tested elsewhere; here every request must be judged
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

        @FUZZ
        @given(case=cases)
        def check(case):
            case.call_and_validate(headers=headers)

        try:
            check()
        except BaseExceptionGroup as failure:  # what Schemathesis found, gathered over all operations
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_the_api_keeps_its_contract_for_anonymous_callers(contract_app):
    fuzz(contract_app)


def test_the_api_keeps_its_contract_for_an_editor_with_a_token(contract_app, editor_headers):
    fuzz(contract_app, editor_headers)
