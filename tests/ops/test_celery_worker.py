"""A real Celery worker process on this machine's Redis runs a real task.

The worker is a subprocess (`celery -A config worker`) with the project's own Celery app
and dev settings pointed at Redis, exactly as `make worker` and the systemd unit start it.
The test sends `ops.worker_heartbeat` by name through a separate Celery client, waits for
the result and reads the heartbeat the worker wrote into the Redis cache.

No Django test database is used (no `db` fixture): the task touches only the cache.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.utils.module_loading import import_string

import environ
import pytest
import redis
from celery import Celery

from config.tasks import HEALTH_CACHE_KEY

REPO_ROOT = Path(__file__).resolve().parents[2]
BROKER_URL = "redis://127.0.0.1:6379/15"
CACHE_URL = "redis://127.0.0.1:6379/14"
RESULT_TIMEOUT = 60


def _redis_cache(url: str):
    """Django's own Redis cache backend for `url` (the settings wrap it in
    `config.cache.ResilientRedisCache`; this test wants a missing heartbeat to fail loudly)."""
    config = environ.Env.cache_url_config(url)
    backend = import_string(config["BACKEND"])
    return backend(config["LOCATION"], {"KEY_PREFIX": config.get("KEY_PREFIX", "")})


def _stop(proc: subprocess.Popen) -> None:
    """Stop the worker and anything it started: TERM the group, KILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def _forget_queue(queue: str) -> None:
    """Remove the queue and the routing entries kombu keeps for it in Redis."""
    client = redis.Redis.from_url(BROKER_URL, socket_timeout=5)
    try:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    finally:
        client.close()


@pytest.fixture
def celery_worker(redis_server, tmp_path):
    """A real worker process consuming a queue of its own; yields (queue, log path)."""
    queue = f"ops-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    worker_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "CACHE_URL": CACHE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_RESULT_BACKEND": BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
        "-Q",
        queue,
        "-n",
        f"{queue}@localhost",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so teardown can kill it all
        )
    try:
        yield queue, log_path
    finally:
        _stop(proc)
        _forget_queue(queue)


def test_real_worker_runs_heartbeat_task(celery_worker):
    queue, log_path = celery_worker
    cache = _redis_cache(CACHE_URL)
    cache.delete(HEALTH_CACHE_KEY)
    # Not set as current: other tests keep the project's app (eager, in-process tasks).
    client = Celery("ops-test-client", broker=BROKER_URL, backend=BROKER_URL, set_as_current=False)
    client.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )
    token = uuid.uuid4().hex
    started = time.monotonic()
    result = client.send_task("ops.worker_heartbeat", args=[token], queue=queue)
    try:
        try:
            beat = result.get(timeout=RESULT_TIMEOUT)
        except Exception as exc:
            log = log_path.read_text(errors="replace")[-4000:]
            pytest.fail(
                f"no result from the worker after {time.monotonic() - started:.1f}s "
                f"({type(exc).__name__}: {exc}); worker log tail:\n{log}"
            )
        assert beat["token"] == token
        assert beat["at"]
        # The worker wrote the heartbeat into the shared Redis cache, not a local one.
        assert cache.get(HEALTH_CACHE_KEY) == beat
    finally:
        result.forget()
        cache.delete(HEALTH_CACHE_KEY)
        cache.close()
        client.close()
