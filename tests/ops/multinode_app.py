"""The project's Celery app with one extra beat entry, for the multi-node test's beat.

`celery -A tests.ops.multinode_app beat` runs the real beat of `config.celery`, with the
worker heartbeat scheduled every MULTINODE_BEAT_SECONDS seconds (production's entries
run every minute or once a day, too seldom for a test). Workers keep `-A config`.
"""

import os

from config.celery import app

__all__ = ["app"]

app.conf.beat_schedule = {
    "multinode-heartbeat": {
        "task": "ops.worker_heartbeat",
        "schedule": float(os.environ.get("MULTINODE_BEAT_SECONDS", "1")),
        "args": ["beat"],
    }
}
