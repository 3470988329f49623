"""Reads of dashboards, exports and the API from a PostgreSQL replica; everything else from the primary.

Switched on by one setting: `DATABASE_REPLICA_URL` names a streaming replica, which the
settings add as `DATABASES["replica"]`. Without it this module changes nothing (the
middleware removes itself at start-up and the router never answers "replica").

The rules (docs/scaling.md):

- Every write goes to the primary, and so does every read outside a replica-read scope.
- `ReplicaReadMiddleware` opens a replica-read scope for a GET or HEAD request whose URL
  name is in `REPLICA_READ_VIEWS` (the readiness dashboards, export progress and
  download, the read-only JSON API) and closes it when the response is done.
- A user who has just written reads from the primary: any request that may have written
  (not GET, HEAD, OPTIONS) sets a signed cookie `recent_write_until`, and for the next
  `DATABASE_REPLICA_STICKY_SECONDS` that user's requests stay on the primary, so they
  see what they just saved although the replica may be a moment behind.
- Sessions, sign-in records and API tokens are always read from the primary: a session
  made a moment ago, or a token just revoked, must not depend on replication lag.
- A replica that cannot be reached costs nothing but speed: the router asks
  `replica_health` (one short connection attempt, at most every few seconds per
  process) before sending a read there, and a request whose replica connection fails
  mid-way is answered again from the primary (the views listed only read, so running
  one again is safe).
"""

import contextlib
import logging
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signing import BadSignature
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"

#: URL names (`namespace:name`) whose GET requests may read from the replica, and URL
#: name prefixes (the JSON API). They only read: running one twice is harmless.
REPLICA_READ_VIEWS = frozenset(
    {
        "certification:dashboard",
        "certification:dashboard_unit",
        "certification:export_status",
        "certification:export_download",
    }
)
REPLICA_READ_PREFIXES = ("certification:api:",)

#: Models always read from the primary, by app label or `app_label.model_name`.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes"})
PRIMARY_ONLY_MODELS = frozenset({"certification.apitoken"})

RECENT_WRITE_COOKIE = "recent_write_until"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def replica_reads(enabled: bool = True):
    """Within this block, reads the router may send to the replica go there."""
    token = _replica_reads.set(enabled)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reading_from_replica() -> bool:
    return _replica_reads.get()


class ReplicaHealth:
    """Whether the replica answers, checked at most every `interval` seconds per process.

    A check is one connection with a short connect timeout and `SELECT 1`, made by the
    first request that finds the answer stale (others keep the old answer meanwhile).
    `mark_down()` records a failure seen by a request, so the next requests go to the
    primary at once instead of trying the replica again.
    """

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._up = False
        self._checked_at: float | None = None

    @property
    def interval(self) -> float:
        return float(getattr(settings, "DATABASE_REPLICA_CHECK_SECONDS", 5))

    def probe(self) -> bool:
        """One connection attempt to the replica; True when it answers."""
        import psycopg

        params = connections[REPLICA].get_connection_params()
        params["connect_timeout"] = max(1, int(self.interval))
        try:
            with psycopg.connect(**params) as conn:
                conn.execute("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - whatever the failure, use the primary
            logger.warning("database replica unreachable, reading from the primary: %s", exc)
            return False
        return True

    def usable(self) -> bool:
        now = self.clock()
        if self._checked_at is not None and now - self._checked_at < self.interval:
            return self._up
        if not self._lock.acquire(blocking=False):
            return self._up  # another thread is checking; keep the last answer
        try:
            self._up = self.probe()
            self._checked_at = self.clock()
        finally:
            self._lock.release()
        return self._up

    def mark_down(self) -> None:
        self._up = False
        self._checked_at = self.clock()

    def reset(self) -> None:
        self._up = False
        self._checked_at = None


replica_health = ReplicaHealth()


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry: replica for reads inside a replica-read scope, else primary."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        # The primary is named outright: left to Django, a read through a relation of a
        # row loaded from the replica would follow that row back to the replica.
        if not _replica_reads.get():
            return DEFAULT_DB_ALIAS
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS:
            return DEFAULT_DB_ALIAS
        if not replica_health.usable():
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        # Named outright, so a row read from the replica is saved to the primary.
        return DEFAULT_DB_ALIAS if replica_configured() else None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        databases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica is read-only: it receives the schema by replication.
        return db != REPLICA


def _recent_writer(request) -> bool:
    try:
        until = request.get_signed_cookie(RECENT_WRITE_COOKIE, salt=RECENT_WRITE_COOKIE)
        return float(until) > time.time()
    except (KeyError, BadSignature, ValueError):
        return False


def _replica_view(request) -> bool:
    match = request.resolver_match
    if match is None or request.method not in ("GET", "HEAD"):
        return False
    name = match.view_name
    return name in REPLICA_READ_VIEWS or name.startswith(REPLICA_READ_PREFIXES)


class ReplicaReadMiddleware:
    """Opens the replica-read scope for the read-only views, and marks recent writers.

    Removed at start-up when no replica is configured.
    """

    def __init__(self, get_response):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.sticky_seconds = int(getattr(settings, "DATABASE_REPLICA_STICKY_SECONDS", 10))

    def __call__(self, request):
        token = _replica_reads.set(False)
        try:
            response = self.get_response(request)
        finally:
            _replica_reads.reset(token)
        if request.method not in _SAFE_METHODS:
            response.set_signed_cookie(
                RECENT_WRITE_COOKIE,
                str(time.time() + self.sticky_seconds),
                salt=RECENT_WRITE_COOKIE,
                max_age=self.sticky_seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _replica_view(request) and not _recent_writer(request):
            _replica_reads.set(True)
        return None

    def process_exception(self, request, exception):
        """The replica failed during a read-only view: answer the request from the primary."""
        if not _replica_reads.get() or not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "database replica failed during %s; answering from the primary", request.path
        )
        replica_health.mark_down()
        with contextlib.suppress(Exception):
            connections[REPLICA].close()
        _replica_reads.set(False)
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
