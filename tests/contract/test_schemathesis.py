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
from schemathesis.specs.openapi.checks import positive_data_acceptance

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
def editor_token(contract_app):
    """The demo administrator's personal API token, sent as a Bearer header (no cookie, no CSRF token)."""
    from timetable.services.accounts import find_user
    from timetable.services.api_tokens import create_token

    with contract_app.app_context():
        _row, token = create_token(find_user("scheduler").id, "contract fuzzing")
    return token


# Where a well-formed request may still be refused for what JSON Schema cannot say, Schemathesis's "valid data is
# accepted" check is left out (every other check still runs): names taken already, values whose type depends on
# the parameter they set, weeks and times that must come in order.
STATE_OR_SEMANTICS = {
    "POST /api/timetables": "slug and name must not be taken",
    **{f"POST /api/timetables/{{slug}}/{kind}": "names are unique per kind" for kind in ("staff", "rooms", "groups", "courses")},
    "POST /api/timetables/{slug}/slots/plan": "each value's type depends on its parameter",
    "POST /api/timetables/{slug}/slots/apply": "each value's type depends on its parameter",
    "POST /api/timetables/{slug}/plan": "each value's type depends on its parameter; start <= end",
    "POST /api/timetables/{slug}/apply": "each value's type depends on its parameter; start <= end",
    "POST /api/timetables/{slug}/slots/{slot_id}/plan": "each value's type depends on its parameter; start <= end",
    "POST /api/timetables/{slug}/slots/{slot_id}/apply": "each value's type depends on its parameter; start <= end",
    "POST /api/timetables/{slug}/periods/plan": "periods must end after they start and not overlap",
    "PUT /api/timetables/{slug}/periods": "periods must end after they start and not overlap",
    "POST /api/timetables/{slug}/absences": "the staff (room, group) must be the timetable's; dates in order, not only holidays",
    "PATCH /api/timetables/{slug}/absences/{absence_id}": "the absence must exist; dates in order, not only holidays",
    "GET /api/timetables/{slug}/cover-statistics": "the term must be one of the timetable's",
    "POST /api/timetables/{slug}/imports": "the file must be a timetable FET generated (bytes no schema describes)",
    "PUT /api/timetables/{slug}/calendar": "holidays and terms must end after they start; a cycle of several weeks needs its start",
    "POST /api/timetables/{slug}/cover/plan": "absences and lessons must be the timetable's and take place that week; from <= until",
    "POST /api/timetables/{slug}/cover/apply": "the items must be a plan's, with its token; lessons must take place that week",
}


def checked(cases, excluded: list):
    """A Hypothesis test sending each case drawn and running all checks on its answer, but those excluded."""

    @FUZZ
    @given(case=cases)
    def check(case):
        case.call_and_validate(excluded_checks=excluded)

    return check


def fuzz(app, token: str | None = None) -> None:
    """Run every operation's positive and negative cases through all checks; fail listing what broke, operation by operation."""
    from timetable.extensions import limiter

    limiter.reset()  # the booking routes' rate limits are tested elsewhere; here every request must be judged
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    if token is not None:
        # Schemathesis's own auth provider, so that its auth checks know the credential and can leave it out.
        class BearerToken:
            def get(self, case, context):
                return token

            def set(self, case, data, context):
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

        schema.auth.auth(refresh_interval=None)(BearerToken)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        auth_storage = schema.auth if token is not None else None
        cases = st.one_of(*(operation.as_strategy(mode, auth_storage=auth_storage) for mode in GenerationMode))

        excluded = [positive_data_acceptance] if operation.label in STATE_OR_SEMANTICS else []
        try:
            checked(cases, excluded)()
        except BaseExceptionGroup as failure:  # what Schemathesis found, gathered over all operations
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_the_api_keeps_its_contract_for_anonymous_callers(contract_app):
    fuzz(contract_app)


def test_the_api_keeps_its_contract_for_an_editor_with_a_token(contract_app, editor_token):
    fuzz(contract_app, editor_token)
