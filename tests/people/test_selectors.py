"""Scoping: who sees which units and officers (DESIGN.md §2)."""

import pytest

from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from people.selectors import officers_visible_to, unit_county, units_visible_to


@pytest.fixture
def staffed_city(city):
    officers = {
        key: OfficerFactory(unit=city[key])
        for key in ("township11", "township12", "township21", "township22", "subdistrict1")
    }
    staff = {
        "city_admin": StaffFactory(role=Role.CITY_ADMIN, unit=city["city"]),
        "bureau1": StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]),
        "trainer1": StaffFactory(role=Role.TRAINER, unit=city["department1"]),
        "supervisor11": StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"]),
        "head11": StaffFactory(role=Role.TOWNSHIP_HEAD, unit=city["township11"]),
        "host1": StaffFactory(role=Role.HOST, unit=city["department1"]),
    }
    return city, officers, staff


@pytest.mark.django_db
class TestOfficersVisibleTo:
    def test_city_admin_sees_every_officer(self, staffed_city):
        _city, officers, staff = staffed_city
        assert set(officers_visible_to(staff["city_admin"])) == set(officers.values())

    def test_county_roles_see_their_county_only(self, staffed_city):
        _city, officers, staff = staffed_city
        county1 = {officers[k] for k in ("township11", "township12", "subdistrict1")}
        assert set(officers_visible_to(staff["bureau1"])) == county1
        assert set(officers_visible_to(staff["trainer1"])) == county1

    def test_township_roles_see_their_township_only(self, staffed_city):
        _city, officers, staff = staffed_city
        assert list(officers_visible_to(staff["supervisor11"])) == [officers["township11"]]
        assert list(officers_visible_to(staff["head11"])) == [officers["township11"]]

    def test_an_officer_sees_only_themself(self, staffed_city):
        _city, officers, _staff = staffed_city
        me = officers["township12"]
        assert list(officers_visible_to(me)) == [me]

    def test_a_host_sees_no_officers(self, staffed_city):
        _city, _officers, staff = staffed_city
        assert not officers_visible_to(staff["host1"]).exists()

    def test_an_anonymous_visitor_sees_nobody(self, staffed_city):
        from django.contrib.auth.models import AnonymousUser

        assert not officers_visible_to(AnonymousUser()).exists()
        assert not units_visible_to(AnonymousUser()).exists()

    def test_scoping_costs_a_fixed_number_of_queries(
        self, staffed_city, django_assert_max_num_queries
    ):
        _city, _officers, staff = staffed_city
        with django_assert_max_num_queries(3):
            list(officers_visible_to(staff["trainer1"]))


@pytest.mark.django_db
class TestUnitsVisibleTo:
    def test_county_role_sees_the_county_subtree(self, staffed_city):
        city, _officers, staff = staffed_city
        visible = set(units_visible_to(staff["bureau1"]))
        assert city["township11"] in visible
        assert city["county1"] in visible
        assert city["township21"] not in visible
        assert city["city"] not in visible

    def test_township_supervisor_sees_own_township(self, staffed_city):
        city, _officers, staff = staffed_city
        assert list(units_visible_to(staff["supervisor11"])) == [city["township11"]]

    def test_unit_county(self, city):
        assert unit_county(city["township21"]) == city["county2"]
        assert unit_county(city["county1"]) == city["county1"]
        assert unit_county(city["city"]) is None
