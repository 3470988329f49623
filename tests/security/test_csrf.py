"""CSRF on every state change: a POST from a signed-in browser without the token is refused.

Which endpoints change state is discovered, not listed: every URL pattern is tried with a
POST that carries a valid token; an endpoint that answers 405 takes no POST, and every other
one must then refuse the same POST without a token (and with a forged one).
"""

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

import pytest

from people.models import Role

from .conftest import ROUTES, route_url
from .csrf_failure import MARKER


@pytest.fixture(autouse=True)
def plain_csrf_failure(settings):
    settings.CSRF_FAILURE_VIEW = "tests.security.csrf_failure.csrf_failure"


def _signed_in(world, role):
    client = Client(enforce_csrf_checks=True)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    # The browser holds a CSRF cookie, as it would after any page with a form.
    client.cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)
    return client


def _post(client, url, *, token: str | None):
    headers = {} if token is None else {"X-CSRFToken": token}
    if url.endswith("/answer/"):
        return client.post(url, '{"q": 1, "a": [0], "seq": 1}', "application/json", headers=headers)
    return client.post(url, {"shown": "1", "q1": "0", "text": "x"}, headers=headers)


def _refused_by_csrf(response) -> bool:
    return response.status_code == 403 and MARKER in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OFFICER, Role.CITY_ADMIN])
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_post_without_a_token_is_refused(world, route, role):
    url = route_url(route, world)
    # Without a token first: the refusal must come before the view runs.
    client = _signed_in(world, role)
    missing = _post(client, url, token=None)
    forged = _post(client, url, token="x" * 32)
    # With the token: discovers whether this endpoint takes a POST at all.
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    allowed = _post(client, url, token=token)
    if allowed.status_code == 405:
        assert not _refused_by_csrf(allowed)
        return
    assert not _refused_by_csrf(allowed), f"{url}: refused even with a valid token"
    assert allowed.status_code < 500, f"{role} POST {url}: {allowed.status_code}"
    assert _refused_by_csrf(missing), f"{role} POST {url} without a token: {missing.status_code}"
    assert _refused_by_csrf(forged), f"{role} POST {url} with a forged token: {forged.status_code}"


@pytest.mark.django_db
def test_some_endpoints_take_posts(world):
    """Guards the discovery: the known state-changing endpoints answer a POST (not 405)."""
    client = _signed_in(world, Role.OFFICER)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    names = ["quizzes:attempt_answer", "quizzes:start", "courses:lecture_signup", "logout"]
    for name in names:
        route = next(r for r in ROUTES if r.name == name)
        response = _post(client, route_url(route, world), token=token)
        assert response.status_code != 405, name
        client = _signed_in(world, Role.OFFICER)
        token = client.cookies[settings.CSRF_COOKIE_NAME].value


@pytest.mark.django_db
def test_login_without_a_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "viewer_officer", "password": "x"})
    assert _refused_by_csrf(response)
