"""Operational tasks that belong to no single domain app."""

from django.core.cache import cache
from django.utils import timezone

from celery import shared_task

HEALTH_CACHE_KEY = "ops:worker-heartbeat"


@shared_task(name="ops.worker_heartbeat")
def worker_heartbeat(token: str) -> dict:
    """Record that a worker picked up work, so monitoring (and CI) can see the queue moves.

    Idempotent: running it twice just refreshes the same cache entry.
    """
    beat = {"token": token, "at": timezone.now().isoformat()}
    cache.set(HEALTH_CACHE_KEY, beat, timeout=3600)
    return beat
