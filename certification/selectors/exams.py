"""Exam standing and the prerequisites of an application (DESIGN.md §4 "Qualification", "Eligibility").

A certificate needs a general-law exam score at or above the pass mark and a
specialised exam at or above it for each field it covers. Only the first sitting and
the allowed retakes of an exam in a calendar year count (one retake by default): a
third sitting in the same year is recorded but cannot qualify anyone.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from people.models import User

from ..models import CredentialPolicy, ExamKind, ExamResult, StatusCode

__all__ = [
    "ExamStanding",
    "exam_standing",
    "exam_standings",
    "officer_prerequisites",
    "applicant_lacks",
]


@dataclass
class ExamStanding:
    general_passed: bool = False
    fields_passed: set[str] = field(default_factory=set)
    results: list[ExamResult] = field(default_factory=list)
    # results that did not count: sittings beyond the retakes allowed in their year
    over_limit: set[int] = field(default_factory=set)


def _standing(results: list[ExamResult], policy: CredentialPolicy) -> ExamStanding:
    standing = ExamStanding(results=results)
    sittings: dict[tuple, int] = defaultdict(int)
    for result in sorted(results, key=lambda r: (r.sat_on, r.pk)):
        field_code = result.field.code if result.field_id else ""
        key = (result.kind, field_code, result.sat_on.year)
        sittings[key] += 1
        if sittings[key] > 1 + policy.retakes_allowed:
            standing.over_limit.add(result.pk)
            continue
        if result.score < policy.pass_mark:
            continue
        if result.kind == ExamKind.GENERAL_LAW:
            standing.general_passed = True
        elif field_code:
            standing.fields_passed.add(field_code)
    return standing


def exam_standings(
    *, officer_ids: Iterable[int], on: datetime.date | None = None
) -> dict[int, ExamStanding]:
    """Exam standing on `on` of each officer, in one query."""
    from .status import policy_current

    on = on or timezone.localdate()
    policy = policy_current()
    grouped: dict[int, list[ExamResult]] = defaultdict(list)
    ids = list(officer_ids)
    for result in ExamResult.objects.filter(officer_id__in=ids, sat_on__lte=on).select_related(
        "field"
    ):
        grouped[result.officer_id].append(result)
    return {pk: _standing(grouped.get(pk, []), policy) for pk in ids}


def exam_standing(*, officer: User, on: datetime.date | None = None) -> ExamStanding:
    return exam_standings(officer_ids=[officer.pk], on=on)[officer.pk]


def _prerequisite_lacks(officer: User, standing: ExamStanding, policy: CredentialPolicy) -> list:
    from .status import _reason

    lacks = []
    if not officer.established:
        lacks.append(_reason("not_established"))
    if not officer.enforcement_post:
        lacks.append(_reason("not_enforcement_post"))
    if not standing.general_passed:
        lacks.append(_reason("general_law_exam", pass_mark=policy.pass_mark))
    if not standing.fields_passed:
        lacks.append(_reason("specialised_exam", pass_mark=policy.pass_mark))
    return lacks


def officer_prerequisites(*, officer: User, on: datetime.date | None = None) -> list:
    """What the officer lacks to be issued a certificate (employment, post, exams); [] if nothing."""
    from .status import policy_current

    return _prerequisite_lacks(officer, exam_standing(officer=officer, on=on), policy_current())


def applicant_lacks(
    *, officers: list[User], on: datetime.date | None = None
) -> dict[int, tuple[list, ExamStanding]]:
    """For each officer: what stops them being put on an application list, and their exams.

    Beyond the prerequisites, an officer whose certificate is good and not expiring
    needs no new one, and one that is suspended, revoked or cancelled must be resolved
    first. A certificate at risk only because it expires soon may be renewed.
    """
    from .status import _reason, policy_current, statuses_for

    on = on or timezone.localdate()
    policy = policy_current()
    standings = exam_standings(officer_ids=[o.pk for o in officers], on=on)
    statuses = statuses_for(officers, on=on) if officers else {}
    result = {}
    for officer in officers:
        standing = standings[officer.pk]
        lacks = _prerequisite_lacks(officer, standing, policy)
        code, reasons, facts = statuses[officer.pk]
        expiring = any(r.code == "expiring_soon" for r in reasons)
        if code == StatusCode.VALID or (code == StatusCode.AT_RISK and not expiring):
            lacks.append(_reason("holds_certificate", expires=facts.expires_on))
        elif code in (StatusCode.SUSPENDED, StatusCode.REVOKED):
            lacks.append(_reason("certificate_blocked", status=StatusCode(code).label))
        result[officer.pk] = (lacks, standing)
    return result
