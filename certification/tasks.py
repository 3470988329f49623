"""Celery tasks of certification: thin, idempotent callers of services.

Beat schedule (the lead adds it to `CELERY_BEAT_SCHEDULE`): `certification.reminders_daily`
every morning. Running a task twice sends nothing twice (see `services.notices`).
"""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from celery import shared_task
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


@shared_task(name="certification.reminders_daily")
def reminders_daily() -> dict:
    """Remind officers whose status changed or who are at risk; weekly digests to supervisors."""
    from .services import reminders_send, supervisor_digests_send

    today = timezone.localdate()
    officers = reminders_send(on=today)
    digests = supervisor_digests_send(on=today)
    return {"sent": officers.sent + digests.sent, "skipped": officers.skipped + digests.skipped}


@shared_task(name="certification.readiness_export")
def readiness_export(job_id: int) -> str:
    """Build a readiness XLSX for an export job; a finished job is left as it is."""
    from .exports import readiness_export_build
    from .models import ExportJob

    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return readiness_export_build(job=job)


def readiness_export_queue(*, job_id: int) -> None:
    """Queue the export of a job once its row is committed (called from a request).

    When the broker (Redis) cannot be reached, the job is marked failed with a message the
    dashboard shows, instead of the request failing: the user can ask again later.
    """
    transaction.on_commit(partial(_readiness_export_send, job_id))


def _readiness_export_send(job_id: int) -> None:
    from .models import ExportJob, ExportState

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
