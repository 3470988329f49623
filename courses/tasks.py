"""Celery tasks of the courses app: thin callers of selectors and services, safe to run twice."""

import logging

from celery import shared_task

from .selectors import hours_totals_differences

logger = logging.getLogger(__name__)


@shared_task(name="courses.tasks.hours_totals_check")
def hours_totals_check() -> int:
    """Compare the yearly hours totals with the ledger (beat: nightly); log every difference.

    A difference means an entry reached the ledger without its total (a bulk load that
    skipped `hours_totals_rebuild`, a manual change in the database). The totals are not
    repaired silently: an operator reads the log and runs `hours_totals_rebuild`.
    """
    differences = hours_totals_differences()
    for difference in differences:
        logger.error(
            "hours total differs from the ledger: officer %s, %s, %s: ledger %s, total %s",
            difference.officer_id,
            difference.year,
            difference.category,
            difference.ledger_hours,
            difference.total_hours,
        )
    if not differences:
        logger.info("hours totals match the ledger")
    return len(differences)
