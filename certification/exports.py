"""Readiness exports to XLSX, built in a Celery task with progress the page can poll."""

import datetime
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kombu.exceptions import OperationalError

from people.models import OrgUnit, User
from people.spreadsheets import sheet_append, xlsx_bytes, xlsx_workbook

from .models import ExportJob, ExportState, StatusCode
from .selectors import (
    field_coverage,
    officers_under,
    officers_with_status,
    readiness_by_unit,
    readiness_summary,
)

CHUNK = 500

log = logging.getLogger(__name__)


def readiness_export_start(*, user: User, unit: OrgUnit, on: datetime.date) -> ExportJob:
    """Record an export job and queue its task once the row is committed.

    When the broker (Redis) cannot be reached, the job is marked failed with a message the
    dashboard shows, instead of the request failing: the user can ask again later.
    """
    job = ExportJob.objects.create(user=user, unit=unit, on=on)
    transaction.on_commit(lambda: _readiness_export_send(job.pk))
    return job


def _readiness_export_send(job_id: int) -> None:
    from .tasks import readiness_export

    try:
        readiness_export.delay(job_id)
    except OperationalError as exc:
        log.warning("readiness export %s not queued, broker unreachable: %s", job_id, exc)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportState.FAILED,
            error=_(
                "The export could not be started: the task queue is unreachable. "
                "Please try again in a few minutes."
            ),
            finished_at=timezone.now(),
        )


def roster_columns(year: int) -> list[str]:
    """The roster sheet's header: the columns of the dashboard's roster table, in the same
    order (templates/pages/certification/dashboard.html), then the officer's unit, which
    the page leaves out because it shows one unit at a time."""
    return [
        _("Officer"),
        _("Employee number"),
        _("Status"),
        _("Hours %(year)s") % {"year": year},
        _("Reasons"),
        _("Unit"),
    ]


def _progress(job: ExportJob, value: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(progress=value)


def readiness_export_build(*, job: ExportJob) -> str:
    """Write summary, units, field coverage and the officer roster to one workbook.

    Idempotent: a job already done is left alone; a failed or interrupted one is rebuilt.
    """
    if job.state == ExportState.DONE and job.file:
        return "done"
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.RUNNING, progress=1, error="")
    try:
        unit, on = job.unit, job.on
        book = xlsx_workbook()
        sheet = book.active
        sheet.title = "概况"
        sheet_append(sheet, [_("Unit"), unit.name, _("Status on"), on.isoformat()])
        sheet_append(sheet, [])
        sheet_append(sheet, [_("Status"), _("Officers")])
        for _code, label, count in readiness_summary(unit=unit, on=on).rows():
            sheet_append(sheet, [str(label), count])
        _progress(job, 10)
        if not unit.is_grassroots:
            units = book.create_sheet("下级单位")
            sheet_append(units, [_("Unit")] + [str(code.label) for code in StatusCode])
            for child, summary in readiness_by_unit(parent=unit, on=on):
                sheet_append(units, [child.name] + [summary[code.value] for code in StatusCode])
        _progress(job, 20)
        coverage, fields = field_coverage(parent=unit, on=on)
        cover = book.create_sheet("领域覆盖")
        sheet_append(cover, [_("Township")] + [f.name for f in fields] + [_("Flagged fields")])
        names = {f.code: f.name for f in fields}
        for row in coverage:
            sheet_append(
                cover,
                [row.unit.name]
                + [row.counts.get(f.code, 0) if f.code in row.held else "—" for f in fields]
                + ["、".join(names.get(c, c) for c in row.flagged)],
            )
        _progress(job, 30)
        roster = book.create_sheet("人员")
        sheet_append(roster, roster_columns(on.year))
        officers = officers_under(unit).order_by("pk")
        ids = list(officers.values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            chunk = officers.filter(pk__in=ids[start : start + CHUNK])
            for row in officers_with_status(chunk, on=on):
                sheet_append(
                    roster,
                    [
                        row.officer.full_name,
                        row.officer.employee_number or "",
                        str(row.label),
                        float(row.facts.hours_in(on.year)),
                        "；".join(r.message for r in row.reasons),
                        row.officer.unit.name if row.officer.unit else "",
                    ],
                )
            _progress(job, 30 + int(65 * min(len(ids), start + CHUNK) / max(len(ids), 1)))
        job.file.save(
            f"readiness-{unit.code}-{on}-{job.pk}.xlsx", ContentFile(xlsx_bytes(book)), save=False
        )
        ExportJob.objects.filter(pk=job.pk).update(
            file=job.file.name, state=ExportState.DONE, progress=100, finished_at=timezone.now()
        )
        return "done"
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(state=ExportState.FAILED, error=str(error)[:500])
        raise
