"""Counting attempts per key in fixed time windows, in the shared cache.

Used wherever guessing must stay slow: sign-in from one address, lecture check-in codes,
practice attempts. The counter lives in the cache (Redis in production, so every gunicorn
worker and host shares it). If the cache cannot count (Redis down), the limit is not
enforced and one warning is logged: refusing every officer because a counter is away
would be worse than letting a few more guesses through for a few seconds.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` hits per `window` seconds for one key of one `scope`."""

    scope: str
    limit: int
    window: int

    def _key(self, key: str) -> str:
        bucket = int(time.time() // self.window)
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"ratelimit:{self.scope}:{bucket}:{digest}"

    def hit(self, key: str) -> bool:
        """Count one attempt; True while the key is within its limit (this attempt included)."""
        cache_key = self._key(key)
        try:
            count = 1
            if not cache.add(cache_key, 1, timeout=self.window + 1):
                try:
                    count = cache.incr(cache_key)
                except ValueError:  # the window ended between add and incr: a new count
                    cache.add(cache_key, 1, timeout=self.window + 1)
        except Exception as exc:  # the cache is down or cannot count: do not lock people out
            log.warning("rate limit %s not enforced: %s", self.scope, exc)
            return True
        return count <= self.limit

    def exceeded(self, key: str) -> bool:
        """True when the key has used up its attempts in this window (nothing is counted)."""
        try:
            count = cache.get(self._key(key)) or 0
        except Exception as exc:
            log.warning("rate limit %s not read: %s", self.scope, exc)
            return False
        return count >= self.limit

    def reset(self, key: str) -> None:
        try:
            cache.delete(self._key(key))
        except Exception as exc:
            log.warning("rate limit %s not reset: %s", self.scope, exc)

    @property
    def retry_after(self) -> int:
        """Seconds until the current window ends."""
        return self.window - int(time.time()) % self.window
