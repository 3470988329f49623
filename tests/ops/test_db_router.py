"""The replica router's rules (config/db_router.py), without a replica: the replica's
presence and health are stubbed, and the answers of the router are checked directly.

The multi-node test (tests/ops/test_multi_node.py) runs the same rules against a real
streaming replica.
"""

import time

from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

import pytest

from certification.models import ApiToken
from config import db_router
from config.db_router import (
    RECENT_WRITE_COOKIE,
    REPLICA,
    PrimaryReplicaRouter,
    ReplicaHealth,
    ReplicaReadMiddleware,
    reading_from_replica,
    replica_reads,
)
from people.models import OrgUnit, User

router = PrimaryReplicaRouter()


@pytest.fixture
def replica(monkeypatch):
    """A configured replica that answers; `replica.up = False` makes it unreachable."""

    class Replica:
        up = True

    state = Replica()
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    monkeypatch.setattr(db_router.replica_health, "usable", lambda: state.up)
    return state


def test_without_a_replica_every_read_goes_to_the_primary():
    # The test settings name no replica, as a single-machine install.
    assert REPLICA not in db_router.settings.DATABASES
    with replica_reads():
        assert router.db_for_read(User) is None
    assert router.db_for_write(User) is None
    with pytest.raises(MiddlewareNotUsed):
        ReplicaReadMiddleware(lambda request: HttpResponse())


def test_reads_go_to_the_replica_only_inside_a_replica_read_scope(replica):
    assert router.db_for_read(User) == DEFAULT_DB_ALIAS
    with replica_reads():
        assert router.db_for_read(User) == REPLICA
        assert router.db_for_read(OrgUnit) == REPLICA
    assert router.db_for_read(User) == DEFAULT_DB_ALIAS


def test_rows_loaded_from_the_replica_do_not_pull_later_reads_back_to_it(replica):
    # Django sends a read through a relation to the database its row came from, unless a
    # router names one: outside the scope (or with the replica down) the router must.
    user = User(username="read-on-replica")
    user._state.db = REPLICA
    assert router.db_for_read(OrgUnit, instance=user) == DEFAULT_DB_ALIAS
    replica.up = False
    with replica_reads():
        assert router.db_for_read(OrgUnit, instance=user) == DEFAULT_DB_ALIAS


def test_sessions_sign_in_records_and_api_tokens_are_read_from_the_primary(replica):
    from axes.models import AccessAttempt

    with replica_reads():
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_read(AccessAttempt) == DEFAULT_DB_ALIAS
        assert router.db_for_read(ApiToken) == DEFAULT_DB_ALIAS


def test_writes_and_migrations_go_to_the_primary_only(replica):
    with replica_reads():
        assert router.db_for_write(User) == DEFAULT_DB_ALIAS
    # A row read from the replica is saved to the primary.
    user = User(username="read-on-replica")
    user._state.db = REPLICA
    assert router.db_for_write(User, instance=user) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "people") is True
    assert router.allow_migrate(REPLICA, "people") is False


def test_an_unreachable_replica_sends_reads_to_the_primary(replica):
    replica.up = False
    with replica_reads():
        assert router.db_for_read(User) == DEFAULT_DB_ALIAS


def test_replica_health_is_checked_at_most_once_per_interval(settings):
    settings.DATABASE_REPLICA_CHECK_SECONDS = 5
    now = [100.0]
    probes = []
    health = ReplicaHealth(clock=lambda: now[0])
    health.probe = lambda: probes.append(now[0]) or True
    assert health.usable() is True
    now[0] += 4.9
    assert health.usable() is True
    assert probes == [100.0]
    now[0] += 0.2
    assert health.usable() is True
    assert len(probes) == 2
    # A failure seen by a request counts as a check: down until the next interval.
    health.mark_down()
    assert health.usable() is False
    assert len(probes) == 2
    now[0] += 5
    assert health.usable() is True
    assert len(probes) == 3


def _through_middleware(request, view=None):
    """Run `request` through the middleware as Django's handler does; returns the
    response and whether the view read from the replica."""
    request.resolver_match = resolve(request.path_info)
    seen = {}

    def get_response(req):
        match = req.resolver_match
        middleware.process_view(req, match.func, match.args, match.kwargs)
        try:
            seen["replica"] = reading_from_replica()
            if view is not None:
                return view(req)
            return HttpResponse()
        except Exception as exc:  # as BaseHandler: process_exception, else re-raise
            response = middleware.process_exception(req, exc)
            if response is None:
                raise
            return response

    middleware = ReplicaReadMiddleware(get_response)
    response = middleware(request)
    assert reading_from_replica() is False  # the scope ends with the request
    return response, seen["replica"]


def test_dashboards_exports_and_api_reads_use_the_replica(replica):
    factory = RequestFactory()
    for path in (
        "/certificate/readiness/",
        "/certificate/readiness/T1/",
        "/certificate/exports/3/",
        "/certificate/exports/3/download/",
        "/certificate/api/units/T1/readiness",
        "/certificate/api/officers/E1/status",
    ):
        assert _through_middleware(factory.get(path))[1] is True, path


def test_other_pages_and_writes_use_the_primary(replica):
    factory = RequestFactory()
    assert _through_middleware(factory.get("/certificate/"))[1] is False
    assert _through_middleware(factory.get("/quizzes/"))[1] is False
    # Starting an export writes: never the replica, even on a dashboard URL.
    assert _through_middleware(factory.post("/certificate/readiness/T1/export/"))[1] is False
    assert _through_middleware(factory.post("/certificate/readiness/T1/"))[1] is False


def test_a_user_who_just_wrote_reads_from_the_primary(replica, settings):
    settings.DATABASE_REPLICA_STICKY_SECONDS = 10
    factory = RequestFactory()
    response, _ = _through_middleware(factory.post("/quizzes/"))
    cookie = response.cookies[RECENT_WRITE_COOKIE]
    assert cookie["max-age"] == 10
    request = factory.get("/certificate/readiness/T1/")
    request.COOKIES[RECENT_WRITE_COOKIE] = cookie.value
    assert _through_middleware(request)[1] is False
    # A GET leaves the mark alone; a forged or expired mark is ignored.
    assert RECENT_WRITE_COOKIE not in _through_middleware(factory.get("/quizzes/"))[0].cookies
    forged = factory.get("/certificate/readiness/T1/")
    forged.COOKIES[RECENT_WRITE_COOKIE] = str(time.time() + 60)
    assert _through_middleware(forged)[1] is True
    expired = factory.get("/certificate/readiness/T1/")
    expired.COOKIES[RECENT_WRITE_COOKIE] = signing.get_cookie_signer(
        salt=RECENT_WRITE_COOKIE + RECENT_WRITE_COOKIE
    ).sign(str(time.time() - 1))
    assert _through_middleware(expired)[1] is True


def test_a_replica_failing_mid_request_is_answered_from_the_primary(replica, monkeypatch):
    marked = []
    monkeypatch.setattr(db_router.replica_health, "mark_down", lambda: marked.append(1))
    calls = []

    def view(request, **kwargs):
        calls.append(reading_from_replica())
        if reading_from_replica():
            raise OperationalError("connection to server at 127.0.0.1 failed")
        return HttpResponse("from the primary")

    request = RequestFactory().get("/certificate/readiness/T1/")
    request.resolver_match = resolve(request.path_info)
    monkeypatch.setattr(request.resolver_match, "func", view)
    response, _ = _through_middleware_with_match(request, view)
    assert response.content == b"from the primary"
    assert calls == [True, False]
    assert marked == [1]


def _through_middleware_with_match(request, view):
    """As `_through_middleware`, keeping the resolver match already on the request."""
    match = request.resolver_match
    seen = {}

    def get_response(req):
        middleware.process_view(req, match.func, match.args, match.kwargs)
        seen["replica"] = reading_from_replica()
        try:
            return view(req)
        except Exception as exc:
            response = middleware.process_exception(req, exc)
            if response is None:
                raise
            return response

    middleware = ReplicaReadMiddleware(get_response)
    return middleware(request), seen["replica"]


def test_other_errors_are_not_retried(replica):
    def view(request):
        raise ValueError("a bug, not the replica")

    request = RequestFactory().get("/certificate/readiness/T1/")
    request.resolver_match = resolve(request.path_info)
    with pytest.raises(ValueError):
        _through_middleware_with_match(request, view)
