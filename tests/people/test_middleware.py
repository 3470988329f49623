"""Middleware: a same-origin CSP on every response, no caching of signed-in pages, Chinese first."""

import re

from django.urls import reverse

import pytest

from people.factories import OfficerFactory

EXTERNAL = re.compile(r"https?://|//[a-z0-9]", re.IGNORECASE)


@pytest.mark.django_db
class TestSecurityHeaders:
    def test_public_page_has_a_csp_without_external_origins(self, client):
        response = client.get(reverse("powers:index"))
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self';" in policy
        assert not EXTERNAL.search(policy)
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_admin_policy_names_no_external_origin_either(self, client):
        policy = client.get("/admin/login/")["Content-Security-Policy"]
        assert not EXTERNAL.search(policy)
        assert "object-src 'none'" in policy

    def test_signed_in_pages_are_not_stored(self, client, city):
        client.force_login(OfficerFactory(unit=city["township11"]))
        response = client.get(reverse("home"))
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]

    def test_a_view_that_needs_no_user_does_not_load_one(
        self, client, city, django_assert_num_queries
    ):
        """The headers are decided from the session alone: a signed-in request to a view
        that never reads the user costs the session's query and nothing more."""
        client.force_login(OfficerFactory(unit=city["township11"]))
        client.get(reverse("set_language"), headers={"accept": "application/json"})
        with django_assert_num_queries(1):
            response = client.get(reverse("set_language"), headers={"accept": "application/json"})
        assert response.status_code == 204
        assert "no-store" in response["Cache-Control"]
        client.logout()
        response = client.get(reverse("set_language"), headers={"accept": "application/json"})
        assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
class TestLanguage:
    def test_chinese_even_when_the_browser_asks_for_english(self, client):
        body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
        assert 'lang="zh-hans"' in body
        assert "登录" in body

    def test_english_once_chosen(self, client):
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        body = client.get(reverse("login")).content.decode()
        assert 'lang="en"' in body

    def test_an_unknown_language_cookie_falls_back_to_chinese(self, client, settings):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-nope"
        assert 'lang="zh-hans"' in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_the_answer_varies_with_the_language_cookie_not_the_browser(client):
    """A shared cache must keep the Chinese and the English page apart by the cookie that
    chose the language; the browser's Accept-Language changes nothing."""
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "zh-hans"
    assert "Cookie" in response["Vary"] and "Accept-Language" not in response["Vary"]
    client.cookies["django_language"] = "en"
    assert client.get(reverse("login"))["Content-Language"] == "en"
