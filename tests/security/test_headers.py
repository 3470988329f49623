"""Security headers on every response of every view, for every role.

- A page shown to a signed-in user carries personal data: `Cache-Control: no-store`.
- Every HTML response has a Content-Security-Policy, and it names no external origin
  (government intranets have no CDN; the product loads nothing from elsewhere).
- Every response says `X-Content-Type-Options: nosniff`.
"""

import re

from django.urls import reverse

import pytest

from people.models import Role

from .conftest import ROLES, ROUTES, route_url

#: A scheme or a protocol-relative host in a policy means an origin outside the site.
EXTERNAL = re.compile(r"\bhttps?:|\bwss?:|(?<![\w'])//[\w\[]|(?:^|\s)\*(?:\s|;|$)", re.IGNORECASE)


def _check(response, *, signed_in: bool, where: str) -> None:
    assert response.get("X-Content-Type-Options") == "nosniff", where
    if signed_in:
        assert "no-store" in response.get("Cache-Control", ""), where
    if response.get("Content-Type", "").startswith("text/html"):
        policy = response.get("Content-Security-Policy")
        assert policy, f"{where}: HTML without a Content-Security-Policy"
        assert not EXTERNAL.search(policy), f"{where}: external origin in {policy!r}"
        assert "default-src 'self'" in policy or "default-src 'none'" in policy, where


def test_the_external_origin_pattern_catches_what_it_should():
    for bad in ("img-src https://cdn.example.org", "script-src //cdn.example", "img-src *;"):
        assert EXTERNAL.search(bad), bad
    assert not EXTERNAL.search("default-src 'self'; img-src 'self' data: blob:")


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_view_sends_the_security_headers(world, as_role, route):
    url = route_url(route, world)
    for role in ROLES:
        response = as_role(world, role).get(url)
        _check(response, signed_in=role != "anonymous", where=f"{role} GET {url}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/images/", "/admin/pages/", "/no-such-page/", "/training/me/?page=x"],
)
def test_admin_and_error_pages_send_them_too(world, as_role, url):
    for role in ("anonymous", Role.TRAINER, Role.CITY_ADMIN, Role.OFFICER):
        response = as_role(world, role).get(url)
        assert response.status_code < 500, (role, url)
        _check(response, signed_in=role != "anonymous", where=f"{role} GET {url}")


@pytest.mark.django_db
def test_personal_downloads_are_not_stored(world, as_role):
    response = as_role(world, Role.TRAINER).get(
        reverse("courses:supervisor_hours") + "?format=xlsx"
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_login_page_is_public_yet_framed_by_nobody_else(world, client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy or "frame-ancestors 'none'" in policy
    assert response.get("X-Frame-Options") in ("DENY", "SAMEORIGIN")


def test_the_favicon_is_there_on_first_load(client):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("favicon.ico")
    found = finders.find("favicon.ico")
    assert found is not None
    with open(found, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
