"""Every response carries a same-origin CSP; signed-in pages are never cached."""

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
