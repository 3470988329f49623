"""A Redis cache that degrades to "no cache" while Redis is unreachable.

Django's RedisCache raises on a connection error, so a Redis restart turns every page
that touches the cache (the site header, Wagtail's site lookup) into a server error.
Nothing here keeps data only in the cache, so a miss is always a safe answer: while
Redis is away, reads miss and writes are dropped, each with one log line, and requests
keep being served from the database. After a failure the cache is not tried again for a
few seconds, so an outage costs one refused connection per process, not one per call.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class ResilientRedisCache(RedisCache):
    """RedisCache whose get/set/delete family answer a miss or do nothing when Redis is down.

    `incr`, `decr` and `clear` still raise: a counter or a flush that silently did nothing
    would be wrong, not merely slower. OPTIONS may set `socket_timeout` and
    `socket_connect_timeout` (seconds; default 1 each, so a Redis that hangs is treated
    as down) and `retry_after` (seconds between attempts once Redis failed; default 5).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("retry_after", 5))
        options.setdefault("socket_timeout", 1)
        options.setdefault("socket_connect_timeout", 1)
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0

    def _call(self, operation: str, fallback, method, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return method(*args, **kwargs)
        except UNREACHABLE as exc:
            self._down_until = time.monotonic() + self.retry_after
            log.warning(
                "cache unreachable, %s skipped; cache bypassed for %.0f s: %s",
                operation,
                self.retry_after,
                exc,
            )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # The keys that could not be stored, as BaseCache.set_many reports them.
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, super().delete_many, keys, version)
