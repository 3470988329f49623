"""Read-only JSON API for the provincial supervision platform (django-ninja, OpenAPI at /certificate/api/openapi.json).

Token authentication (`Authorization: Bearer <key>`; keys from `manage.py api_token`),
and the same scoping as the pages: a token acts as its user, who sees only their area.
"""

import datetime
import re
from typing import Annotated, Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer
from pydantic import BeforeValidator, WithJsonSchema

from people.selectors import officers_visible_to, units_visible_to

from .models import ApiToken
from .selectors import DATE_EARLIEST, DATE_LATEST, credential_status, readiness_summary


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = (
            ApiToken.objects.filter(key_hash=ApiToken.hash(token), revoked_at__isnull=True)
            .select_related("user")
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        return row.user


api = NinjaAPI(
    title="Enforcement Academy certification API",
    version="1",
    description="Certificate status of officers and readiness of units, read-only.",
    urls_namespace="certification:api",
    auth=TokenAuth(),
    docs_url=None,
)


#: The dates `?on=` may ask about (see `DATE_EARLIEST` in selectors.status).
ON_EARLIEST = DATE_EARLIEST
ON_LATEST = DATE_LATEST
_ON_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _on_date(value: object) -> datetime.date:
    """`YYYY-MM-DD` between ON_EARLIEST and ON_LATEST, nothing else.

    pydantic on its own would also read "0" as 1970-01-01 (a Unix timestamp) and take
    date-times, which the schema does not promise and a client would not expect.
    """
    day = None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        day = value
    elif isinstance(value, str) and _ON_SHAPE.fullmatch(value):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None or not ON_EARLIEST <= day <= ON_LATEST:
        raise ValueError(f"Expected a date from {ON_EARLIEST} to {ON_LATEST} as YYYY-MM-DD.")
    return day


OnDate = Annotated[
    datetime.date,
    BeforeValidator(_on_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            # Years 1900 to 2099, as `_on_date` accepts them.
            "pattern": r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            "description": f"The date asked about, {ON_EARLIEST} to {ON_LATEST}; today when omitted.",
        }
    ),
]


def _key(value: str) -> str:
    """A path value to look a row up by: no employee number or unit code holds a NUL
    character (PostgreSQL cannot store one, and fails a query that compares with one), so
    such a value names nobody."""
    if "\x00" in value:
        raise Http404
    return value


class ErrorOut(Schema):
    """What django-ninja answers for a missing or unknown token (401) and an unknown or
    unseen officer or unit (404)."""

    detail: str


class ValidationErrorOut(Schema):
    """What django-ninja answers for a malformed parameter (422): one entry per problem."""

    detail: list[dict[str, Any]]


#: Answers every operation documents besides its 200, so clients (and the schema tests)
#: know a 401, 404 or 422 is part of the contract, not a fault.
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class ReasonOut(Schema):
    code: str
    message: str
    message_zh: str
    message_en: str
    deadline: datetime.date | None = None


class OfficerStatusOut(Schema):
    employee_number: str | None
    name: str
    unit: str
    on: datetime.date
    code: str
    reasons: list[ReasonOut]
    fields: list[str]
    certificate_number: str | None = None
    expires_on: datetime.date | None = None


class ReadinessOut(Schema):
    unit: str
    code: str
    on: datetime.date
    counts: dict[str, int]
    total: int


@api.get(
    "/officers/{employee_number}/status",
    response={200: OfficerStatusOut, **ERRORS},
    summary="An officer's certificate status",
)
def officer_status(request, employee_number: str, on: OnDate | None = None):
    officer = get_object_or_404(
        officers_visible_to(request.auth).select_related("unit"),
        employee_number=_key(employee_number),
    )
    status = credential_status(officer=officer, on=on or timezone.localdate())
    return {
        "employee_number": officer.employee_number,
        "name": officer.full_name,
        "unit": officer.unit.name if officer.unit else "",
        "on": status.on,
        "code": status.code,
        "reasons": [
            {
                "code": r.code,
                "message": r.message,
                "message_zh": r.message_zh,
                "message_en": r.message_en,
                "deadline": r.deadline,
            }
            for r in status.reasons
        ],
        "fields": status.fields,
        "certificate_number": status.credential.number if status.credential else None,
        "expires_on": status.credential.expires_on if status.credential else None,
    }


@api.get(
    "/units/{code}/readiness",
    response={200: ReadinessOut, **ERRORS},
    summary="Counts by status of a unit's officers",
)
def unit_readiness(request, code: str, on: OnDate | None = None):
    unit = get_object_or_404(units_visible_to(request.auth), code=_key(code))
    on = on or timezone.localdate()
    summary = readiness_summary(unit=unit, on=on)
    return {
        "unit": unit.name,
        "code": unit.code,
        "on": on,
        "counts": dict(summary),
        "total": summary.total,
    }
