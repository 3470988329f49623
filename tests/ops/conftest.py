"""Fixtures for tests that need this machine's services (Redis, PostgreSQL).

With REQUIRE_SERVICES=1 (as in CI) a missing service fails the test; otherwise it skips,
so the suite still runs on a laptop without Redis or PostgreSQL.
"""

import os

import pytest
import redis

REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def service_missing(reason: str) -> None:
    """Fail when CI requires the service, skip otherwise."""
    if services_required():
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1, so this is a failure, not a skip)")
    pytest.skip(f"{reason}; set REQUIRE_SERVICES=1 to make this a failure")


@pytest.fixture
def redis_server() -> dict:
    """Redis on 127.0.0.1:6379, answering PING; yields its host and port."""
    client = redis.Redis(
        host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=2, socket_timeout=2
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        service_missing(f"Redis not reachable on {REDIS_HOST}:{REDIS_PORT} ({exc})")
    finally:
        client.close()
    return {"host": REDIS_HOST, "port": REDIS_PORT}
