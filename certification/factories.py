"""factory_boy helpers for certificates, exam results and hours (tests and the shell)."""

import datetime

from courses.services import training_record_create
from powers.factories import EnforcementFieldFactory
from powers.models import STANDARD_FIELDS

from .services import credential_issue, exam_result_record

FIELD_NAMES = dict(STANDARD_FIELDS)


def fields_create(*codes: str) -> list:
    """The enforcement fields named (all seven by default), created when missing."""
    return [
        EnforcementFieldFactory(code=code, name=FIELD_NAMES[code])
        for code in (codes or FIELD_NAMES)
    ]


def hours_add(
    officer,
    hours,
    *,
    on: datetime.date,
    category: str = "public_law",
    title: str = "行政处罚法精讲",
):
    """Approved hours in the ledger (split into records of at most 200 hours)."""
    return training_record_create(
        officer=officer,
        hours=hours,
        category=category,
        completed_on=on,
        source="online",
        title=title,
    )


def qualify(officer, *, fields=("natural_resources",), on=datetime.date(2020, 5, 1), score=80):
    """Pass the general-law exam and the specialised exam of each field."""
    exam_result_record(officer=officer, kind="general_law", score=score, sat_on=on)
    for code in fields:
        exam_result_record(officer=officer, kind="specialised", score=score, sat_on=on, field=code)


def certificate(officer, *, issued_on, fields=("natural_resources",), expires_on=None, actor=None):
    fields_create(*fields)
    return credential_issue(
        officer=officer,
        fields=list(fields),
        issued_on=issued_on,
        expires_on=expires_on,
        actor=actor,
    )
