"""Writing to the training-hours ledger (DESIGN.md §5: `training_record_create`)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import Max, Model, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import User

from ..models.ledger import HourCategory, HoursTotal, TrainingRecord, TrainingSource

__all__ = [
    "training_record_create",
    "training_record_reverse",
    "hours_validate",
    "external_hours_import",
    "hours_totals_rebuild",
]

MAX_HOURS_PER_RECORD = Decimal("200")


def hours_validate(hours) -> Decimal:
    """Hours as a Decimal in half-hour steps, greater than zero; a clear error otherwise."""
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(_("Hours must be a number.")) from error
    if not value.is_finite() or value <= 0:
        raise ValidationError(_("Hours must be more than zero."))
    if value > MAX_HOURS_PER_RECORD:
        raise ValidationError(_("One record holds at most 200 hours."))
    if (value * 2) % 1 != 0:
        raise ValidationError(
            _("Hours are counted in half-hour steps (0.5, 1, 1.5 …); %(hours)s is not one.")
            % {"hours": value}
        )
    return value.quantize(Decimal("0.1"))


def training_record_create(
    *,
    officer: User,
    hours,
    category: str,
    completed_on: datetime.date,
    source: str,
    title: str,
    approved_by: User | None = None,
    evidence: Model | None = None,
    evidence_key: str | None = None,
    note: str = "",
) -> TrainingRecord:
    """Add approved hours to an officer's ledger.

    With `evidence_key` the call is idempotent: a second call for the same officer and key
    returns the first record instead of crediting twice (a repeated last step, a double
    click, a task that runs twice).
    """
    value = hours_validate(hours)
    if category not in HourCategory.values:
        raise ValidationError(_("Unknown hour category: %(category)s") % {"category": category})
    if source not in TrainingSource.values:
        raise ValidationError(_("Unknown training source: %(source)s") % {"source": source})
    if not isinstance(completed_on, datetime.date):
        raise ValidationError(_("The completion date is not a date."))
    if not title.strip():
        raise ValidationError(_("A training record needs a title."))
    if evidence_key is not None:
        existing = TrainingRecord.objects.filter(officer=officer, evidence_key=evidence_key).first()
        if existing is not None:
            return existing
    record = TrainingRecord(
        officer=officer,
        hours=value,
        category=category,
        source=source,
        completed_on=completed_on,
        title=title.strip()[:300],
        approved_by=approved_by,
        evidence_key=evidence_key,
        note=note,
    )
    if evidence is not None:
        record.evidence = evidence
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # Another request credited the same evidence between our check and our insert.
        if evidence_key is None:
            raise
        return TrainingRecord.objects.get(officer=officer, evidence_key=evidence_key)
    return record


@transaction.atomic
def training_record_reverse(*, record: TrainingRecord, actor: User, reason: str) -> TrainingRecord:
    """Correct a mistaken entry by appending its negative; the original stays as it was."""
    if record.is_reversal:
        raise ValidationError(_("A reversing entry cannot itself be reversed."))
    if TrainingRecord.objects.filter(reverses=record).exists():
        raise ValidationError(_("This record has already been reversed."))
    if not reason.strip():
        raise ValidationError(_("Say why the record is reversed."))
    return TrainingRecord.objects.create(
        officer=record.officer,
        hours=-record.hours,
        category=record.category,
        source=record.source,
        completed_on=record.completed_on,
        title=_("Reversal: %(title)s") % {"title": record.title},
        approved_by=actor,
        reverses=record,
        note=reason,
    )


# --- External training hours from a spreadsheet ------------------------------------------

EXTERNAL_COLUMNS = {
    "工号": "employee_number",
    "employee number": "employee_number",
    "employee_number": "employee_number",
    "姓名": "full_name",
    "name": "full_name",
    "学时": "hours",
    "hours": "hours",
    "类别": "category",
    "学时类别": "category",
    "category": "category",
    "完成日期": "completed_on",
    "completed on": "completed_on",
    "completed_on": "completed_on",
    "培训名称": "title",
    "title": "title",
    "培训机构": "provider",
    "provider": "provider",
}

CATEGORY_WORDS = {
    "公共法律知识": HourCategory.PUBLIC_LAW,
    "公共法律": HourCategory.PUBLIC_LAW,
    "public_law": HourCategory.PUBLIC_LAW,
    "业务知识": HourCategory.PROFESSIONAL,
    "professional": HourCategory.PROFESSIONAL,
    "执法技能": HourCategory.SKILLS,
    "skills": HourCategory.SKILLS,
}


def _external_key(number: str, completed_on: datetime.date, title: str) -> str:
    import hashlib

    digest = hashlib.sha256(title.encode("utf-8")).hexdigest()[:16]
    return f"external:{number}:{completed_on.isoformat()}:{digest}"


def external_hours_import(*, source, filename: str, actor: User, dry_run: bool = False):
    """Import external training hours (courses taken elsewhere) from XLSX or CSV.

    Columns 工号, 学时, 类别, 完成日期, 培训名称 (required), 姓名, 培训机构. All or nothing, like
    every import (`people.tabular`): any bad row and the report lists each problem by
    row number and nothing is recorded. Only officers within the actor's area may be
    named. Importing the same file again records nothing new (each row has a stable
    evidence key: officer, date and title).
    """
    from people.selectors import officers_visible_to
    from people.tabular import ImportReport, TableError, read_rows

    report = ImportReport()
    try:
        rows = read_rows(
            source,
            filename=filename,
            aliases=EXTERNAL_COLUMNS,
            required=["employee_number", "hours", "category", "completed_on", "title"],
        )
    except TableError as error:
        report.add_problem(1, str(error))
        return report
    if not rows:
        report.add_problem(1, _("The file has a header but no rows."))
        return report
    visible = {
        u.employee_number: u
        for u in officers_visible_to(actor).filter(
            employee_number__in=[r.get("employee_number") for r in rows]
        )
    }
    today = timezone.localdate()
    planned = []
    seen: dict[str, int] = {}
    for row in rows:
        before = len(report.problems)
        number = row.get("employee_number")
        officer = visible.get(number)
        if not number:
            report.add_problem(row.number, _("the employee number is empty"))
        elif officer is None:
            report.add_problem(
                row.number,
                _("no officer in your area has the employee number “%(number)s”")
                % {"number": number},
            )
        elif row.get("full_name") and row.get("full_name") != officer.full_name:
            report.add_problem(
                row.number,
                _("employee number %(number)s belongs to %(name)s, not %(given)s")
                % {"number": number, "name": officer.full_name, "given": row.get("full_name")},
            )
        hours = None
        try:
            hours = hours_validate(row.get("hours"))
        except ValidationError as error:
            report.add_problem(row.number, " ".join(error.messages))
        category = CATEGORY_WORDS.get(row.get("category").lower())
        if category is None:
            report.add_problem(
                row.number,
                _("category “%(value)s” is not one of 公共法律知识, 业务知识, 执法技能")
                % {"value": row.get("category")},
            )
        completed_on = None
        try:
            completed_on = datetime.date.fromisoformat(row.get("completed_on").replace("/", "-"))
        except ValueError:
            report.add_problem(
                row.number,
                _("the completion date “%(value)s” is not a date (YYYY-MM-DD)")
                % {"value": row.get("completed_on")},
            )
        if completed_on and completed_on > today:
            report.add_problem(row.number, _("the completion date is in the future"))
        title = row.get("title")
        if not title:
            report.add_problem(row.number, _("the training title is empty"))
        if len(report.problems) > before:
            continue
        key = _external_key(number, completed_on, title)
        if key in seen:
            report.add_problem(
                row.number,
                _("the same training already appears on row %(row)s") % {"row": seen[key]},
            )
            continue
        seen[key] = row.number
        planned.append((officer, hours, category, completed_on, title, row.get("provider"), key))
    if report.problems:
        return report
    existing = set(
        TrainingRecord.objects.filter(evidence_key__in=[p[-1] for p in planned]).values_list(
            "evidence_key", flat=True
        )
    )
    with transaction.atomic():
        for officer, hours, category, completed_on, title, provider, key in planned:
            if key in existing:
                report.unchanged += 1
                continue
            report.created += 1
            if not dry_run:
                training_record_create(
                    officer=officer,
                    hours=hours,
                    category=category,
                    completed_on=completed_on,
                    source=TrainingSource.EXTERNAL,
                    title=title,
                    approved_by=actor,
                    evidence_key=key,
                    note=provider,
                )
    return report


# --- Yearly totals -----------------------------------------------------------------------


@transaction.atomic
def hours_totals_rebuild(*, officer_ids=None, using: str = "default") -> int:
    """Sum the ledger into `HoursTotal` again, for `officer_ids` or for everyone.

    For entries written in bulk, which bypass `TrainingRecord.save` (the demo's loader, a
    benchmark's COPY), and to repair what the nightly check reports. One INSERT … SELECT,
    whatever the size of the ledger. Returns the number of totals written.
    """
    records = TrainingRecord.objects.using(using).order_by()
    totals = HoursTotal.objects.using(using)
    if officer_ids is not None:
        records = records.filter(officer_id__in=officer_ids)
        totals = totals.filter(officer_id__in=officer_ids)
    totals._raw_delete(using)
    summed = (
        records.annotate(year=ExtractYear("completed_on"))
        .values_list("officer_id", "year", "category")
        .annotate(total=Sum("hours"), latest=Max("completed_on"))
    )
    select_sql, params = summed.query.sql_with_params()
    connection = connections[using]
    table = connection.ops.quote_name(HoursTotal._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (officer_id, year, category, hours, latest_on) "  # noqa: S608
            f"SELECT s.officer_id, s.year, s.category, s.total, s.latest FROM ({select_sql}) s",
            params,
        )
        return cursor.rowcount
