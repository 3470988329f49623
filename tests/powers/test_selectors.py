"""Which powers a unit holds on a date, and what changed between lists."""

import datetime

import pytest

from powers.factories import EnforcementFieldFactory, PowerFactory, PowerListFactory
from powers.models import AppliesTo
from powers.selectors import (
    fields_held,
    power_list_changes,
    power_list_current,
    power_list_previous,
    powers_held,
    powers_in_transition,
)
from powers.services import power_list_supersede

D = datetime.date


@pytest.fixture
def catalogue(city):
    """A 2023 list for townships and a 2026 list for townships and sub-districts."""
    land = EnforcementFieldFactory(code="natural_resources", name="自然资源")
    water = EnforcementFieldFactory(code="water", name="水利")
    fire = EnforcementFieldFactory(code="fire", name="消防救援")
    old_land = PowerFactory(field=land, applies_from=D(2023, 6, 1))
    old_water = PowerFactory(field=water, applies_from=D(2023, 6, 1))
    new_fire = PowerFactory(field=fire, applies_from=D(2026, 1, 1), transition_ends=D(2026, 12, 31))
    list_2023 = PowerListFactory(
        issuer=city["city"], effective_from=D(2023, 6, 1), powers=[old_land, old_water]
    )
    list_2025 = PowerListFactory(
        issuer=city["city"],
        effective_from=D(2026, 1, 1),
        applies_to=AppliesTo.BOTH,
        powers=[old_water, new_fire],
    )
    power_list_supersede(old=list_2023, new=list_2025, withdraw_on=D(2026, 1, 1))
    return {
        "old_land": old_land,
        "old_water": old_water,
        "new_fire": new_fire,
        "list_2023": list_2023,
        "list_2025": list_2025,
    }


@pytest.mark.django_db
class TestPowersHeld:
    def test_before_and_after_the_new_list(self, city, catalogue):
        township = city["township11"]
        before = set(powers_held(unit=township, on=D(2025, 12, 31)))
        after = set(powers_held(unit=township, on=D(2026, 1, 1)))
        assert before == {catalogue["old_land"], catalogue["old_water"]}
        assert after == {catalogue["old_water"], catalogue["new_fire"]}

    def test_nothing_is_held_before_the_first_list(self, city, catalogue):
        assert not powers_held(unit=city["township11"], on=D(2023, 5, 31)).exists()

    def test_subdistricts_hold_only_lists_that_name_them(self, city, catalogue):
        subdistrict = city["subdistrict1"]
        assert not powers_held(unit=subdistrict, on=D(2025, 1, 1)).exists()
        assert set(powers_held(unit=subdistrict, on=D(2026, 2, 1))) == {
            catalogue["old_water"],
            catalogue["new_fire"],
        }

    def test_counties_hold_no_delegated_powers(self, city, catalogue):
        assert not powers_held(unit=city["county1"], on=D(2026, 2, 1)).exists()

    def test_lists_of_another_city_do_not_apply(self, city, catalogue):
        from people.factories import city_tree

        other = city_tree(prefix="O")
        assert not powers_held(unit=other["township11"], on=D(2026, 2, 1)).exists()

    def test_fields_held_follow_the_lists(self, city, catalogue):
        township = city["township11"]
        assert {f.code for f in fields_held(unit=township, on=D(2025, 6, 1))} == {
            "natural_resources",
            "water",
        }
        assert {f.code for f in fields_held(unit=township, on=D(2026, 6, 1))} == {"water", "fire"}

    def test_transition_periods(self, city, catalogue):
        township = city["township11"]
        assert list(powers_in_transition(unit=township, on=D(2026, 12, 31))) == [
            catalogue["new_fire"]
        ]
        assert not powers_in_transition(unit=township, on=D(2027, 1, 1)).exists()
        assert catalogue["new_fire"].in_transition_on(D(2026, 3, 1))

    def test_query_count_is_fixed(self, city, catalogue, django_assert_num_queries):
        with django_assert_num_queries(1):
            list(powers_held(unit=city["township11"], on=D(2026, 2, 1)))


@pytest.mark.django_db
class TestListChanges:
    def test_added_withdrawn_unchanged(self, catalogue):
        changes = power_list_changes(old=catalogue["list_2023"], new=catalogue["list_2025"])
        assert changes.added == [catalogue["new_fire"]]
        assert changes.withdrawn == [catalogue["old_land"]]
        assert changes.unchanged == [catalogue["old_water"]]

    def test_the_first_list_adds_everything(self, catalogue):
        changes = power_list_changes(old=None, new=catalogue["list_2023"])
        assert set(changes.added) == {catalogue["old_land"], catalogue["old_water"]}
        assert changes.withdrawn == []

    def test_previous_and_current_lists(self, city, catalogue):
        assert power_list_previous(power_list=catalogue["list_2025"]) == catalogue["list_2023"]
        assert power_list_previous(power_list=catalogue["list_2023"]) is None
        township = city["township11"]
        assert power_list_current(unit=township, on=D(2025, 1, 1)) == catalogue["list_2023"]
        assert power_list_current(unit=township, on=D(2026, 1, 1)) == catalogue["list_2025"]

    def test_superseding_withdraws_what_the_new_list_leaves_off(self, catalogue):
        catalogue["old_land"].refresh_from_db()
        catalogue["old_water"].refresh_from_db()
        assert catalogue["old_land"].withdrawn_on == D(2026, 1, 1)
        assert catalogue["old_water"].withdrawn_on is None
