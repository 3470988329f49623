"""The header's admin link: shown to whoever may open the admin, and an officer's pages
(an exam's above all) decide it without the two permission queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from people.factories import OfficerFactory, StaffFactory
from people.models import Role

pytestmark = pytest.mark.django_db

ADMIN = reverse("wagtailadmin_home")


def _permission_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return sum("auth_permission" in q["sql"] for q in queries.captured_queries)


def test_an_officer_sees_no_admin_link_and_costs_no_permission_query(client, city):
    client.force_login(OfficerFactory(unit=city["township11"]))
    assert f'href="{ADMIN}"' not in client.get(reverse("home")).content.decode()
    assert _permission_queries(client, reverse("certification:notifications")) == 0


@pytest.mark.parametrize("role", [Role.TRAINER, Role.JUSTICE_BUREAU, Role.CITY_ADMIN])
def test_staff_with_admin_access_see_the_link(client, city, role):
    unit = {Role.TRAINER: "department1", Role.JUSTICE_BUREAU: "bureau1", Role.CITY_ADMIN: "city"}
    client.force_login(StaffFactory(role=role, unit=city[unit[role]]))
    assert f'href="{ADMIN}"' in client.get(reverse("home")).content.decode()


def test_a_township_supervisor_without_admin_access_sees_no_link(client, city):
    client.force_login(StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"]))
    assert f'href="{ADMIN}"' not in client.get(reverse("home")).content.decode()
