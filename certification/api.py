"""Read-only JSON API for the provincial supervision platform (django-ninja, OpenAPI at /certificate/api/openapi.json).

Token authentication (`Authorization: Bearer <key>`; keys from `manage.py api_token`),
and the same scoping as the pages: a token acts as its user, who sees only their area.
"""

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone

from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from people.selectors import officers_visible_to, units_visible_to

from .models import ApiToken
from .selectors import credential_status, readiness_summary


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
    response=OfficerStatusOut,
    summary="An officer's certificate status",
)
def officer_status(request, employee_number: str, on: datetime.date | None = None):
    officer = get_object_or_404(
        officers_visible_to(request.auth).select_related("unit"), employee_number=employee_number
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
    response=ReadinessOut,
    summary="Counts by status of a unit's officers",
)
def unit_readiness(request, code: str, on: datetime.date | None = None):
    unit = get_object_or_404(units_visible_to(request.auth), code=code)
    on = on or timezone.localdate()
    summary = readiness_summary(unit=unit, on=on)
    return {
        "unit": unit.name,
        "code": unit.code,
        "on": on,
        "counts": dict(summary),
        "total": summary.total,
    }
