"""The project's Celery app with a delay injected into each reminder, for the kill tests.

`celery -A tests.faults.worker_app worker` runs the real tasks of `config.celery`. The
only addition: after a `ReminderSent` row is inserted, still inside the transaction that
also writes the notification, the pool process sleeps FAULTS_REMINDER_DELAY seconds. The
daily reminder task then takes seconds instead of a fraction of one, so a kill lands in
the middle of it, often inside a reminder's transaction.
"""

import os
import time

from django.db.models.signals import post_save

from config.celery import app

__all__ = ["app"]

DELAY = float(os.environ.get("FAULTS_REMINDER_DELAY", "0"))


def _slow_down(**kwargs) -> None:
    if kwargs.get("created"):
        time.sleep(DELAY)


if DELAY > 0:
    post_save.connect(_slow_down, sender="certification.ReminderSent", weak=False)
