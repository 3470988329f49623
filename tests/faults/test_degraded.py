"""What degrades, and how, when Redis is away: the cache backend and the export queueing.

The cache tests run `config.cache.ResilientRedisCache` against a private redis-server
that they stop and start; the export tests make the broker unreachable by making the
task's `delay` raise what Celery raises then.
"""

import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from kombu.exceptions import OperationalError

from certification import tasks
from certification.models import ExportJob, ExportState
from config.cache import ResilientRedisCache
from people.factories import StaffFactory
from people.models import Role
from tests.faults.harness import REPO_ROOT, server_env


def _cache(redis_server, **options) -> ResilientRedisCache:
    return ResilientRedisCache(
        redis_server.url(3), {"KEY_PREFIX": "faults", "OPTIONS": options, "TIMEOUT": 60}
    )


class TestResilientRedisCache:
    def test_works_as_a_redis_cache_while_redis_is_up(self, private_redis):
        cache = _cache(private_redis)
        cache.set("a", {"x": 1})
        assert cache.get("a") == {"x": 1}
        assert cache.add("a", 2) is False and cache.add("b", 2) is True
        assert cache.get_many(["a", "b", "c"]) == {"a": {"x": 1}, "b": 2}
        assert cache.set_many({"c": 3, "d": 4}) == []
        assert cache.has_key("d") and cache.incr("c") == 4
        assert cache.delete("d") is True and cache.get("d", "gone") == "gone"
        assert cache.get_or_set("e", lambda: 5) == 5 and cache.get("e") == 5

    def test_answers_a_miss_and_drops_writes_while_redis_is_down(self, private_redis, caplog):
        cache = _cache(private_redis, retry_after=0)
        cache.set("kept", "value")
        private_redis.stop()
        with caplog.at_level(logging.WARNING, logger="config.cache"):
            assert cache.get("kept") is None
            assert cache.get("kept", "default") == "default"
            assert cache.get_many(["kept", "other"]) == {}
            assert cache.has_key("kept") is False
            assert cache.add("new", 1) is False
            assert cache.touch("kept") is False
            assert cache.delete("kept") is False
            assert sorted(cache.set_many({"p": 1, "q": 2})) == ["p", "q"]
            cache.set("x", 1)
            cache.delete_many(["x", "p"])
            assert cache.get_or_set("computed", lambda: "from the database") == (
                "from the database"
            )
        assert "cache unreachable" in caplog.text
        # Counters and flushes still fail loudly: silently doing nothing would be wrong.
        with pytest.raises(Exception, match="onnect"):
            cache.incr("n")
        with pytest.raises(Exception, match="onnect"):
            cache.clear()

        private_redis.start()  # same port, empty: the cache works again
        cache.set("back", "again")
        assert cache.get("back") == "again"

    def test_after_a_failure_redis_is_left_alone_for_a_while(self, private_redis, caplog):
        cache = _cache(private_redis, retry_after=30)
        private_redis.stop()
        with caplog.at_level(logging.WARNING, logger="config.cache"):
            started = time.monotonic()
            for n in range(200):
                assert cache.get(f"k{n}") is None
            elapsed = time.monotonic() - started
        # One attempt (one log line), the other 199 calls answered without trying.
        assert caplog.text.count("cache unreachable") == 1
        assert elapsed < 2
        private_redis.start()
        assert cache.get("k0") is None  # still within the 30 s: not tried yet
        cache.set("k0", 1)
        assert cache.get("k0") is None
        assert caplog.text.count("cache unreachable") == 1

    def test_redis_cache_urls_get_the_resilient_backend(self):
        code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
        result = subprocess.run(  # noqa: S603 - our own settings
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=REPO_ROOT,
            env=server_env(CACHE_URL="redis://127.0.0.1:6399/0"),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert result.stdout.strip() == "config.cache.ResilientRedisCache"


@pytest.fixture
def supervisor(city, client):
    user = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
    client.force_login(user)
    return user


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.readiness_export, "delay", refuse)


# A real transaction, as in a request: the task is sent as soon as the job is saved, so
# the page can tell at once that it was not.
@pytest.mark.django_db(transaction=True)
def test_export_page_says_so_when_the_broker_is_down(
    city, supervisor, client, broker_down, english
):
    response = client.post(f"/certificate/readiness/{city['township11'].code}/export/")
    assert response.status_code == 302
    job = ExportJob.objects.get(user=supervisor)
    assert job.state == ExportState.FAILED and job.finished_at is not None
    assert "task queue is unreachable" in job.error
    page = client.get(response["Location"]).content.decode()
    assert "task queue is unreachable" in page
    assert "being prepared" not in page


@pytest.mark.django_db
def test_export_script_sees_a_failed_job_with_the_reason(
    city, supervisor, client, broker_down, english, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/certificate/readiness/{city['township11'].code}/export/",
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 200
    status = client.get(response.json()["progress_url"]).json()
    assert status["state"] == "failed"
    assert "task queue is unreachable" in status["error"]


@pytest.mark.django_db
def test_export_is_queued_and_built_when_the_broker_is_up(
    city, supervisor, client, english, django_capture_on_commit_callbacks
):
    # Test settings run tasks in-process: the export is built as the request commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/certificate/readiness/{city['township11'].code}/export/")
    assert response.status_code == 302
    assert ExportJob.objects.get(user=supervisor).state == ExportState.DONE
    assert "being prepared" in client.get(response["Location"]).content.decode()


def test_a_frozen_broker_fails_a_publish_within_seconds(private_redis, settings):
    """Redis that hangs (SIGSTOP: the connection stays open, nothing answers) must not hold
    a web request: with the shipped transport options the publish gives up in seconds and
    raises what `readiness_export_start` turns into a failed job with a message."""
    from celery import Celery

    app = Celery(
        "faults-frozen-broker",
        broker=private_redis.url(0),
        broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        broker_connection_retry_on_startup=False,
    )
    app.send_task("certification.readiness_export", args=[0])  # connected while Redis answers
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("socket_timeout")
    assert timeout, "without a socket timeout kombu waits on a frozen broker for ever"
    # Celery retries a publish 3 times; each try waits at most the socket timeout.
    limit = 4 * timeout + 5
    outcome = {}

    def publish():
        started = time.monotonic()
        try:
            app.send_task("certification.readiness_export", args=[1])
            outcome["raised"] = None
        except Exception as error:  # the assertion below says which
            outcome["raised"] = error
        outcome["waited"] = time.monotonic() - started

    os.kill(private_redis.proc.pid, signal.SIGSTOP)
    publisher = threading.Thread(target=publish, daemon=True)
    try:
        publisher.start()
        publisher.join(timeout=limit)  # a publish that hangs fails here, not CI's clock
        hung = publisher.is_alive()
    finally:
        os.kill(private_redis.proc.pid, signal.SIGCONT)
    publisher.join(timeout=30)
    app.close()
    assert not hung, f"the publish still waited on the frozen broker after {limit:.0f} s"
    assert isinstance(outcome["raised"], OperationalError), outcome
    assert outcome["waited"] < limit
