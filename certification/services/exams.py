"""Recording qualification exam results: from this platform's exams and from the provincial system."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import User
from people.selectors import officers
from people.tabular import ImportReport, TableError, read_rows
from powers.models import EnforcementField

from ..models import ExamKind, ExamResult, ExamSource

__all__ = ["exam_result_record", "exam_result_from_attempt", "exam_results_import"]


def _field(value) -> EnforcementField | None:
    if value is None or value == "":
        return None
    if isinstance(value, EnforcementField):
        return value
    found = EnforcementField.objects.filter(Q(code=value) | Q(name=value)).first()
    if found is None:
        from .credentials import fields_by_code

        found = next(iter(fields_by_code([value])), None)
    if found is None:
        raise ValidationError(_("Unknown enforcement field: %(field)s") % {"field": value})
    return found


def exam_result_record(
    *,
    officer: User,
    kind: str,
    score,
    sat_on: datetime.date,
    field: str | EnforcementField | None = None,
    source: str = ExamSource.MANUAL,
    source_key: str | None = None,
) -> ExamResult:
    """Record one sitting of a qualification exam (`kind` general_law, or specialised with a field code).

    With `source_key` the call is idempotent: the same attempt or imported row is recorded
    once however often it arrives.
    """
    if kind not in ExamKind.values:
        raise ValidationError(_("Unknown exam: %(kind)s") % {"kind": kind})
    try:
        value = Decimal(str(score))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(_("The score must be a number.")) from error
    if not value.is_finite() or value < 0 or value > 100:
        raise ValidationError(_("The score must be between 0 and 100."))
    if not isinstance(sat_on, datetime.date):
        raise ValidationError(_("The exam date is not a date."))
    field_obj = _field(field)
    if kind == ExamKind.SPECIALISED and field_obj is None:
        raise ValidationError(_("A specialised exam needs its enforcement field."))
    if kind == ExamKind.GENERAL_LAW:
        field_obj = None
    if source_key is not None:
        existing = ExamResult.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    result = ExamResult(
        officer=officer,
        kind=kind,
        field=field_obj,
        score=value.quantize(Decimal("0.01")),
        sat_on=sat_on,
        source=source,
        source_key=source_key,
    )
    try:
        with transaction.atomic():
            result.save()
    except IntegrityError:
        if source_key is None:
            raise
        return ExamResult.objects.get(source_key=source_key)
    return result


def exam_result_from_attempt(*, attempt) -> ExamResult | None:
    """Record a graded attempt at a qualification exam of this platform (idempotent per attempt)."""
    quiz = attempt.quiz
    if quiz.kind not in (ExamKind.GENERAL_LAW, ExamKind.SPECIALISED):
        return None
    if attempt.score is None:
        return None
    finished = attempt.finished_at or timezone.now()
    field_code = quiz.field.code if quiz.field_id else None
    if quiz.kind == ExamKind.SPECIALISED and field_code is None:
        return None
    return exam_result_record(
        officer=attempt.user,
        kind=quiz.kind,
        score=attempt.score,
        sat_on=timezone.localdate(finished),
        field=field_code,
        source=ExamSource.PLATFORM,
        source_key=f"attempt:{attempt.pk}",
    )


EXAM_COLUMNS = {
    "工号": "employee_number",
    "employee number": "employee_number",
    "employee_number": "employee_number",
    "身份证号": "id_number",
    "identity number": "id_number",
    "id_number": "id_number",
    "考试类别": "kind",
    "考试类型": "kind",
    "kind": "kind",
    "exam": "kind",
    "执法领域": "field",
    "领域": "field",
    "field": "field",
    "成绩": "score",
    "分数": "score",
    "score": "score",
    "考试日期": "date",
    "日期": "date",
    "date": "date",
    "sat_on": "date",
}

KIND_WORDS = {
    "通用法律知识": ExamKind.GENERAL_LAW,
    "通用": ExamKind.GENERAL_LAW,
    "公共法律知识": ExamKind.GENERAL_LAW,
    "general_law": ExamKind.GENERAL_LAW,
    "general": ExamKind.GENERAL_LAW,
    "专门法律知识": ExamKind.SPECIALISED,
    "专业法律知识": ExamKind.SPECIALISED,
    "专门": ExamKind.SPECIALISED,
    "specialised": ExamKind.SPECIALISED,
    "specialized": ExamKind.SPECIALISED,
}


def _parse_date(text: str) -> datetime.date | None:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def exam_results_import(
    *, source: IO[bytes], filename: str, actor: User | None = None, dry_run: bool = False
) -> ImportReport:
    """Import results from the provincial exam system (XLSX or CSV), all or nothing.

    Columns: 工号 or 身份证号 (one is enough), 考试类别 (通用法律知识 / 专门法律知识),
    执法领域 (for specialised exams; code or Chinese name), 成绩, 考试日期. Each row is keyed
    by officer, exam, field and date, so importing the same file twice records nothing new.
    With `actor`, only officers in the actor's area may be named.
    """
    from people.selectors import officers_visible_to

    report = ImportReport()
    try:
        rows = read_rows(
            source,
            filename=filename,
            aliases=EXAM_COLUMNS,
            required=["kind", "score", "date"],
        )
    except TableError as error:
        report.add_problem(1, str(error))
        return report
    if not rows:
        report.add_problem(1, _("The file has a header but no results."))
        return report
    pool = officers_visible_to(actor) if actor is not None else officers()
    numbers = {r.get("employee_number") for r in rows if r.get("employee_number")}
    ids = {r.get("id_number").upper() for r in rows if r.get("id_number")}
    by_number = {u.employee_number: u for u in pool.filter(employee_number__in=numbers)}
    by_id = {u.id_number.upper(): u for u in pool.filter(id_number__in=ids)}
    fields = {}
    for item in EnforcementField.objects.all():
        fields[item.code] = item
        fields[item.name] = item
    planned = []
    for row in rows:
        before = len(report.problems)
        number, id_number = row.get("employee_number"), row.get("id_number").upper()
        officer = by_number.get(number) if number else None
        if officer is None and id_number:
            officer = by_id.get(id_number)
        if officer is None:
            if not number and not id_number:
                report.add_problem(row.number, _("give the employee number or identity number"))
            else:
                report.add_problem(
                    row.number,
                    _(
                        "no officer in your area has employee number “%(number)s” or that identity number"
                    )
                    % {"number": number or "—"},
                )
        kind = KIND_WORDS.get(row.get("kind").lower())
        if kind is None:
            report.add_problem(
                row.number,
                _("exam “%(value)s” is not 通用法律知识 or 专门法律知识")
                % {"value": row.get("kind")},
            )
        field_obj = fields.get(row.get("field")) if row.get("field") else None
        if kind == ExamKind.SPECIALISED and field_obj is None:
            report.add_problem(
                row.number,
                _("a specialised exam needs a known field, not “%(value)s”")
                % {"value": row.get("field")},
            )
        try:
            score = Decimal(row.get("score"))
            if not score.is_finite() or score < 0 or score > 100:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            report.add_problem(
                row.number,
                _("score “%(value)s” is not between 0 and 100") % {"value": row.get("score")},
            )
            score = None
        sat_on = _parse_date(row.get("date"))
        if sat_on is None:
            report.add_problem(
                row.number,
                _("date “%(value)s” is not a date like 2026-05-20") % {"value": row.get("date")},
            )
        if len(report.problems) > before:
            continue
        field_code = field_obj.code if (field_obj and kind == ExamKind.SPECIALISED) else ""
        key = f"import:{officer.pk}:{kind}:{field_code}:{sat_on.isoformat()}"
        planned.append((officer, kind, field_code or None, score, sat_on, key))
    if report.problems:
        return report
    existing = set(
        ExamResult.objects.filter(source_key__in=[p[-1] for p in planned]).values_list(
            "source_key", flat=True
        )
    )
    with transaction.atomic():
        for officer, kind, field_code, score, sat_on, key in planned:
            if key in existing:
                report.unchanged += 1
                continue
            report.created += 1
            existing.add(key)
            if not dry_run:
                exam_result_record(
                    officer=officer,
                    kind=kind,
                    score=score,
                    sat_on=sat_on,
                    field=field_code,
                    source=ExamSource.PROVINCIAL,
                    source_key=key,
                )
    return report
