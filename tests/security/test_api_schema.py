"""The certification API tested against its own OpenAPI schema with schemathesis.

The schema is read from the Django application in-process (no server), and every operation
is called with generated parameters, valid and malformed, as a county justice bureau's token:
no answer may be a server error, every answer must be documented in the schema (status code,
content type, body), every protected operation answers 401 without a valid token, and no
answer shows an officer or a unit outside the token user's area.
"""

import datetime

from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation

from certification.api import ON_EARLIEST, ON_LATEST
from certification.factories import certificate, fields_create, hours_add
from certification.models import ApiToken
from certification.services import credential_cancel, credential_revoke, credential_suspend
from people.factories import OfficerFactory, StaffFactory, UnitFactory
from people.models import Role, UnitKind
from people.selectors import officers_visible_to, units_visible_to

SCHEMA_PATH = "/certificate/api/openapi.json"
#: schemathesis calls the WSGI application with this host name.
HOST = "localhost"

#: The key of the token the world issues to county A's justice bureau (stored hashed, as any
#: key is). Known in advance, so schemathesis fills the schema's bearer scheme with it and
#: knows which requests it sends without one on purpose.
API_KEY = "county-bureau-test-key"

#: Employee numbers and unit codes of the world below: the token user's county (清丰县), and
#: the other county (濮阳县) and the city, which the token user must not see.
VISIBLE_NUMBERS = ["QF0001", "QF0002", "QF0003", "QF0004", "QF0005", "QF0006", "QF0007", "QF0008"]
HIDDEN_NUMBERS = ["PY0001", "PY0002"]
VISIBLE_CODES = ["410922", "410922100", "410922101", "410922001", "410922900"]
HIDDEN_CODES = ["4109", "410928", "410928100", "410928900"]
#: Values that name nobody, with the one character a database may choke on.
NAMELESS_NUMBERS = ["QF\x000001"]
NAMELESS_CODES = ["410922\x00"]

CONFIG = {
    "auth": {"openapi": {"TokenAuth": {"bearer": API_KEY}}},
    # Generated strings almost never name an officer or a unit, so without these the API
    # would answer 404 to nearly everything and the status rules would never run; a NUL
    # character is the one a database may choke on. The dates are the first and last the
    # schema allows (where the rules reach over the calendar's edge) and today;
    # schemathesis draws every other date itself.
    "dictionaries": {
        "officers": {"values": [*VISIBLE_NUMBERS, *HIDDEN_NUMBERS, *NAMELESS_NUMBERS]},
        "units": {"values": [*VISIBLE_CODES, *HIDDEN_CODES, *NAMELESS_CODES]},
        "dates": {
            "values": [
                ON_EARLIEST.isoformat(),
                ON_LATEST.isoformat(),
                timezone.localdate().isoformat(),
            ]
        },
    },
    "parameters": {
        "path.employee_number": {"dictionary": "officers", "probability": 0.6},
        "path.code": {"dictionary": "units", "probability": 0.6},
        "query.on": {"dictionary": "dates", "probability": 0.4},
    },
}

with override_settings(ALLOWED_HOSTS=[HOST]):
    schema = schemathesis.openapi.from_wsgi(
        SCHEMA_PATH, get_wsgi_application(), config=schemathesis.Config.from_dict(CONFIG)
    )

#: Bounded and reproducible: a few dozen examples per operation, the same ones every run.
#: Hypothesis runs every example of a test inside one call of the test function, so the
#: function-scoped fixtures (`db`, the world, `settings`) are shared by all of them; that is
#: safe here because the API only reads, so the health check that warns about it is off.
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


#: The answers every generated request is held to (besides the scoping property).
SCHEMA_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def wsgi_calls(settings):
    """Let schemathesis's WSGI client reach the application as Django's test client would.

    Django's test client disconnects `close_old_connections` from `request_started` while it
    runs a request; a plain WSGI call does not, and on PostgreSQL that would close the
    connection that holds the test's transaction.
    """
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db):
    """A small demo-like city: two counties, officers of every status, a county token.

    The token belongs to county A's justice bureau (县司法局), whose area is county A; an
    officer of county B's 城关镇 shares a township name with one of county A's, and must stay
    unseen.
    """
    today = timezone.localdate()
    ago = lambda days: today - datetime.timedelta(days=days)  # noqa: E731
    fields_create()
    city = UnitFactory(name="濮阳市", kind=UnitKind.CITY, code="4109")
    qingfeng = UnitFactory(name="清丰县", kind=UnitKind.COUNTY, parent=city, code="410922")
    chengguan = UnitFactory(
        name="城关镇", kind=UnitKind.TOWNSHIP, parent=qingfeng, code="410922100"
    )
    mazhuangqiao = UnitFactory(
        name="马庄桥镇", kind=UnitKind.TOWNSHIP, parent=qingfeng, code="410922101"
    )
    street = UnitFactory(
        name="城关街道", kind=UnitKind.SUBDISTRICT, parent=qingfeng, code="410922001"
    )
    bureau = UnitFactory(
        name="清丰县司法局", kind=UnitKind.JUSTICE_BUREAU, parent=qingfeng, code="410922900"
    )
    puyang = UnitFactory(name="濮阳县", kind=UnitKind.COUNTY, parent=city, code="410928")
    other_chengguan = UnitFactory(
        name="城关镇", kind=UnitKind.TOWNSHIP, parent=puyang, code="410928100"
    )
    UnitFactory(name="濮阳县司法局", kind=UnitKind.JUSTICE_BUREAU, parent=puyang, code="410928900")

    def officer(number, unit, name, **kwargs):
        return OfficerFactory(unit=unit, full_name=name, employee_number=number, **kwargs)

    valid = officer("QF0001", chengguan, "王建国")
    certificate(valid, issued_on=ago(40), fields=("water", "urban"))
    hours_add(valid, 60, on=today)
    expiring = officer("QF0002", chengguan, "李秀英")
    certificate(expiring, issued_on=ago(40), expires_on=today + datetime.timedelta(days=30))
    hours_add(expiring, 60, on=today)
    expired = officer("QF0003", mazhuangqiao, "张伟")
    certificate(expired, issued_on=ago(6 * 365), expires_on=ago(20))
    revoked = officer("QF0004", mazhuangqiao, "刘洋")
    credential_revoke(
        credential=certificate(revoked, issued_on=ago(400)),
        reason="违法执法",
        actor=None,
        effective_on=ago(10),
    )
    suspended = officer("QF0005", street, "陈静")
    credential_suspend(
        credential=certificate(suspended, issued_on=ago(40)),
        reason="涉嫌违纪",
        actor=None,
        effective_on=ago(5),
    )
    officer("QF0006", street, "赵敏")  # not qualified: no certificate
    cancelled = officer("QF0007", chengguan, "周杰")
    credential_cancel(
        credential=certificate(cancelled, issued_on=ago(400)),
        reason="调离执法岗位",
        actor=None,
        effective_on=ago(3),
    )
    officer("QF0008", chengguan, "吴芳", established=False)  # contract staff
    officer(None, chengguan, "郑无号")  # no employee number: not reachable by the API
    outsider = officer("PY0001", other_chengguan, "孙外县")
    certificate(outsider, issued_on=ago(40))
    hours_add(outsider, 60, on=today)
    officer("PY0002", other_chengguan, "钱外县")

    user = StaffFactory(role=Role.JUSTICE_BUREAU, unit=bureau, full_name="卫司法")
    ApiToken.objects.create(user=user, name="省监督平台", key_hash=ApiToken.hash(API_KEY))
    revoked, revoked_key = ApiToken.issue(user=user, name="旧平台")
    revoked.revoked_at = timezone.now()
    revoked.save(update_fields=["revoked_at"])
    former = StaffFactory(
        role=Role.JUSTICE_BUREAU, unit=bureau, full_name="褚离职", is_active=False
    )
    _token, former_key = ApiToken.issue(user=former, name="离职人员的平台")
    return {
        "user": user,
        "key": API_KEY,
        "not_valid": {
            "no token": {},
            "unknown token": bearer("not-a-token"),
            "empty token": {"Authorization": "Bearer "},
            "basic scheme": {"Authorization": "Basic YWRtaW46YWRtaW4="},
            "revoked token": bearer(revoked_key),
            "inactive user's token": bearer(former_key),
        },
    }


def _is_positive(case, location: ParameterLocation) -> bool:
    """Whether schemathesis generated this part of the request to be valid."""
    meta = case.meta
    if meta is None:
        return True
    component = meta.components.get(location)
    return component is None or component.mode.is_positive


def _without_authorization(case) -> None:
    """Drop an Authorization header schemathesis generated, so the test's own one counts."""
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}


def _is_the_operations_method(case) -> bool:
    """False for the probes that send another HTTP method (answered 405 before any auth)."""
    return case.method.upper() == case.operation.method.upper()


def in_scope(user):
    """A schemathesis check: an answer names only officers and units in `user`'s area."""

    def officer_and_unit_in_scope(ctx, response, case):
        if response.status_code != 200:
            return None
        body = response.json()
        if "employee_number" in case.path_parameters:
            assert body["employee_number"] == case.path_parameters["employee_number"]
            assert (
                officers_visible_to(user).filter(employee_number=body["employee_number"]).exists()
            ), f"officer {body['employee_number']} is outside the token user's area"
        else:
            assert body["code"] == case.path_parameters["code"]
            assert units_visible_to(user).filter(code=body["code"]).exists(), (
                f"unit {body['code']} is outside the token user's area"
            )
        return True

    return officer_and_unit_in_scope


@schema.parametrize()
@EXAMPLES
def test_every_answer_is_documented_and_never_a_server_error(case, api_world):
    """All of schemathesis's checks (no 5xx; status code, content type, headers and body as
    documented; malformed requests refused, valid ones accepted; unsupported methods and
    missing credentials refused), and the scoping property on every 200."""
    case.call_and_validate(additional_checks=[in_scope(api_world["user"])])


@schema.parametrize()
@EXAMPLES
def test_without_a_valid_token_every_operation_answers_401(case, api_world):
    if not _is_the_operations_method(case):
        return
    _without_authorization(case)
    for what, headers in api_world["not_valid"].items():
        response = case.call(headers=headers)
        assert response.status_code == 401, f"{what}: {response.status_code} {response.text}"
        case.validate_response(response, checks=SCHEMA_CHECKS)
        assert "employee_number" not in response.text and "counts" not in response.text


@schema.parametrize()
@schema.given(data=st.data())
@EXAMPLES
def test_answers_never_leave_the_token_users_area(case, data, api_world):
    """Ask about every officer and unit of the city: those of the user's county answer, the
    others are unknown (404), whatever else is generated beside them."""
    if not _is_the_operations_method(case):
        return
    if "employee_number" in case.path_parameters:
        name, visible_ones = "employee_number", VISIBLE_NUMBERS
        everyone = VISIBLE_NUMBERS + HIDDEN_NUMBERS + NAMELESS_NUMBERS
    else:
        name, visible_ones = "code", VISIBLE_CODES
        everyone = VISIBLE_CODES + HIDDEN_CODES + NAMELESS_CODES
    asked = data.draw(st.sampled_from(everyone), label=name)
    visible = asked in visible_ones
    case.path_parameters[name] = asked
    response = case.call()
    case.validate_response(response, checks=SCHEMA_CHECKS + [in_scope(api_world["user"])])
    expected = 200 if visible else 404
    if response.status_code == 200:
        assert visible, f"{asked} is outside the token user's area: {response.text}"
    if not _is_positive(case, ParameterLocation.HEADER):
        # Generated without (or with a garbled) Authorization header, which schemathesis may
        # keep out of the request: refused, or answered as for the token.
        assert response.status_code in (401, 422, expected), response.text
    elif not _is_positive(case, ParameterLocation.QUERY):
        # A malformed date is refused before anyone is looked up.
        assert response.status_code in (422, expected), response.text
    else:
        assert response.status_code == expected, (asked, response.text)


# --- The bugs these tests turned up, pinned as plain tests ------------------------------------

STATUS = "/certificate/api/officers/{}/status"
READINESS = "/certificate/api/units/{}/readiness"


def _get(client, url, key=None, **query):
    headers = {"HTTP_HOST": HOST}
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client.get(url, query, **headers)


def test_the_world_shows_every_status_and_hides_the_other_county(client, api_world):
    """The data the properties run on is what it says: one officer per status, scoped."""
    key = api_world["key"]
    codes = {
        number: _get(client, STATUS.format(number), key).json()["code"]
        for number in VISIBLE_NUMBERS
    }
    assert codes == {
        "QF0001": "valid",
        "QF0002": "at_risk",
        "QF0003": "expired",
        "QF0004": "revoked",
        "QF0005": "suspended",
        "QF0006": "not_qualified",
        "QF0007": "cancelled",
        "QF0008": "not_qualified",
    }
    for number in HIDDEN_NUMBERS:
        assert _get(client, STATUS.format(number), key).status_code == 404
    user = api_world["user"]
    assert set(
        officers_visible_to(user)
        .exclude(employee_number=None)
        .values_list("employee_number", flat=True)
    ) == set(VISIBLE_NUMBERS)
    codes_seen = set(units_visible_to(user).values_list("code", flat=True))
    assert codes_seen >= set(VISIBLE_CODES) and not codes_seen & set(HIDDEN_CODES)
    county = _get(client, READINESS.format("410922"), key).json()
    assert county["total"] == 9 and county["counts"]["valid"] == 1
    assert _get(client, READINESS.format("410928100"), key).status_code == 404


def test_every_answer_an_operation_gives_is_in_the_schema(client, api_world):
    """Bug: only the 200 answer was documented; 401, 404 and 422 are part of the contract."""
    paths = _get(client, SCHEMA_PATH).json()["paths"]
    key = api_world["key"]
    for path, operation in paths.items():
        assert set(operation["get"]["responses"]) == {"200", "401", "404", "422"}, path
    for template, known in ((STATUS, "QF0001"), (READINESS, "410922")):
        assert _get(client, template.format(known)).json() == {"detail": "Unauthorized"}
        assert _get(client, template.format("nobody"), key).json() == {"detail": "Not Found"}
        malformed = _get(client, template.format(known), key, on="tomorrow")
        assert malformed.status_code == 422
        assert malformed.json()["detail"][0]["loc"] == ["query", "on"]


@pytest.mark.parametrize(
    "on", ["9999-12-31", "9999-07-05", "2100-01-01", "1899-12-31", "0001-01-01"]
)
def test_a_date_outside_the_years_the_api_answers_for_is_refused_not_a_crash(client, api_world, on):
    """Bug: `?on=9999-12-31` overflowed the calendar in the status rules (500)."""
    for url in (STATUS.format("QF0001"), STATUS.format("QF0006"), READINESS.format("410922")):
        response = _get(client, url, api_world["key"], on=on)
        assert response.status_code == 422, (url, response.status_code)
        assert "1900-01-01 to 2099-12-31" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("on", [ON_EARLIEST, ON_LATEST])
def test_the_first_and_last_dates_the_api_answers_for(client, api_world, on):
    for url in (STATUS.format("QF0001"), READINESS.format("410922")):
        response = _get(client, url, api_world["key"], on=on.isoformat())
        assert response.status_code == 200
        assert response.json()["on"] == on.isoformat()


@pytest.mark.parametrize("on", ["0", "86400", "2020-01-01T00:00:00", "2020-02-30", "20200101"])
def test_only_a_calendar_date_is_a_date(client, api_world, on):
    """Bug: "0" was read as 1970-01-01 (a Unix timestamp) and a date-time as its date."""
    response = _get(client, STATUS.format("QF0001"), api_world["key"], on=on)
    assert response.status_code == 422


def test_a_nul_character_in_a_path_names_nobody(client, api_world):
    """Bug (PostgreSQL only): a NUL character in an employee number or a unit code made the
    database refuse the query (500); no row can hold one, so the answer is 404."""
    for url in (STATUS.format("QF%000001"), READINESS.format("410922%00")):
        response = _get(client, url, API_KEY)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
