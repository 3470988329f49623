"""The acceptance-interface functions of people/ (DESIGN.md §5) and their rules."""

from django.core.exceptions import ValidationError

import pytest

from people.models import Employment, Role, RoleAssignment, UnitKind, User
from people.services import officer_create, role_assign, unit_create


@pytest.mark.django_db
class TestUnitCreate:
    def test_builds_the_tree_with_generated_codes(self):
        city = unit_create(name="濮阳市", kind="city")
        county = unit_create(name="濮阳县", kind="county", parent=city)
        township = unit_create(name="城关镇", kind="township", parent=county)
        subdistrict = unit_create(name="胜利路街道", kind="subdistrict", parent=county)

        assert township.get_parent() == county
        assert county.get_parent() == city
        assert {u.pk for u in county.get_children()} == {township.pk, subdistrict.pk}
        assert len({city.code, county.code, township.code, subdistrict.code}) == 4
        assert township.code.startswith(county.code)

    def test_keeps_a_given_code(self):
        city = unit_create(name="濮阳市", kind="city", code="PY")
        assert city.code == "PY"

    @pytest.mark.parametrize(
        ("kind", "parent_kind"),
        [("township", "city"), ("county", None), ("city", "county"), ("court", "township")],
    )
    def test_refuses_a_unit_under_the_wrong_kind_of_parent(self, kind, parent_kind):
        city = unit_create(name="市", kind="city")
        parents = {"city": city, "county": unit_create(name="县", kind="county", parent=city)}
        parents["township"] = unit_create(name="镇", kind="township", parent=parents["county"])
        with pytest.raises(ValidationError):
            unit_create(name="x", kind=kind, parent=parents.get(parent_kind))

    def test_refuses_unknown_kind_and_duplicate_code(self):
        unit_create(name="市", kind="city", code="C1")
        with pytest.raises(ValidationError):
            unit_create(name="市", kind="province")
        with pytest.raises(ValidationError):
            unit_create(name="另一市", kind="city", code="C1")


@pytest.mark.django_db
class TestOfficerCreate:
    def test_creates_an_officer_holding_the_officer_role(self, city):
        officer = officer_create(
            username="zhang", full_name="张三", unit=city["township11"], established=False
        )
        assert officer.full_name == "张三"
        assert officer.unit == city["township11"]
        assert officer.established is False
        assert officer.employment == Employment.CONTRACT
        assert officer.enforcement_post is True
        assert not officer.has_usable_password()
        assert RoleAssignment.objects.filter(
            user=officer, role=Role.OFFICER, unit=city["township11"]
        ).exists()

    def test_defaults_to_an_established_enforcement_post(self, city):
        officer = officer_create(username="li", full_name="李四", unit=city["subdistrict1"])
        assert officer.established is True
        assert officer.enforcement_post is True

    def test_only_townships_and_subdistricts_have_officers(self, city):
        with pytest.raises(ValidationError):
            officer_create(username="w", full_name="王五", unit=city["county1"])
        assert not User.objects.filter(username="w").exists()

    def test_refuses_a_taken_username(self, city):
        officer_create(username="dup", full_name="甲", unit=city["township11"])
        with pytest.raises(ValidationError):
            officer_create(username="dup", full_name="乙", unit=city["township12"])


@pytest.mark.django_db
class TestRoleAssign:
    def test_admin_roles_join_their_wagtail_group(self, city):
        user = User.objects.create(username="t1")
        role_assign(user=user, role=Role.TRAINER, unit=city["department1"])
        assert user.has_perm("wagtailadmin.access_admin")

    def test_officers_get_no_admin_access(self, city):
        officer = officer_create(username="o1", full_name="甲", unit=city["township11"])
        assert not officer.has_perm("wagtailadmin.access_admin")

    def test_a_role_is_held_only_at_a_fitting_unit(self, city):
        user = User.objects.create(username="t2")
        with pytest.raises(ValidationError):
            role_assign(user=user, role=Role.JUSTICE_BUREAU, unit=city["township11"])
        with pytest.raises(ValidationError):
            role_assign(user=user, role=Role.CITY_ADMIN, unit=city["county1"])

    def test_assigning_twice_keeps_one_assignment(self, city):
        user = User.objects.create(username="t3")
        role_assign(user=user, role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
        role_assign(user=user, role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
        assert user.roles.count() == 1


def test_identity_number_is_masked():
    user = User(id_number="410922199001011234")
    assert user.id_number_masked == "410***********1234"
    assert "19900101" not in user.id_number_masked


@pytest.mark.django_db
def test_unit_kinds_match_the_design():
    assert set(UnitKind.values) == {
        "city",
        "county",
        "township",
        "subdistrict",
        "department",
        "court",
        "justice_bureau",
    }
