"""Celery tasks of certification: thin, idempotent callers of services.

Beat schedule (the lead adds it to `CELERY_BEAT_SCHEDULE`): `certification.reminders_daily`
every morning. Running a task twice sends nothing twice (see `services.notices`).
"""

from django.utils import timezone

from celery import shared_task


@shared_task(name="certification.reminders_daily")
def reminders_daily() -> dict:
    """Remind officers whose status changed or who are at risk; weekly digests to supervisors."""
    from .services import reminders_send, supervisor_digests_send

    today = timezone.localdate()
    officers = reminders_send(on=today)
    digests = supervisor_digests_send(on=today)
    return {"sent": officers.sent + digests.sent, "skipped": officers.skipped + digests.skipped}


@shared_task(name="certification.law_digest_send")
def law_digest_send() -> dict:
    """Each officer's digest of last month's law changes in their fields, once a month."""
    from .services import law_digests_send

    outcome = law_digests_send(on=timezone.localdate())
    return {"month": outcome.month, "sent": outcome.sent, "skipped": outcome.skipped}


@shared_task(name="certification.status_snapshot_refresh")
def status_snapshot_refresh() -> int:
    """Each officer's status for today, stored for the area dashboards (just after midnight)."""
    from .services import status_snapshot_refresh as refresh

    return refresh(on=timezone.localdate())


@shared_task(name="certification.readiness_export")
def readiness_export(job_id: int) -> str:
    """Build a readiness XLSX for an export job; a finished job is left as it is."""
    from .exports import readiness_export_build
    from .models import ExportJob

    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return readiness_export_build(job=job)
