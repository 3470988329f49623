"""Units named with their county wherever a list spans counties (many counties have a 城关镇)."""

from django.urls import reverse
from django.utils import translation

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from cases.models import CasePage
from people.factories import StaffFactory, UnitFactory
from people.models import OrgUnit, Role, UnitKind
from powers.factories import EnforcementFieldFactory, PowerFactory
from tests.cases.test_cases_moderation import case_form


@pytest.fixture
def chengguan(city):
    """Two counties, each with a township named 城关镇."""
    return {
        1: UnitFactory(name="城关镇", kind=UnitKind.TOWNSHIP, parent=city["county1"]),
        2: UnitFactory(name="城关镇", kind=UnitKind.TOWNSHIP, parent=city["county2"]),
    }


@pytest.mark.django_db
def test_a_township_is_named_with_its_county_and_a_county_plainly(city, chengguan, english):
    assert chengguan[1].name_with_county == f"城关镇 ({city['county1'].name})"
    with translation.override("en"):
        assert city["county1"].name_with_county == city["county1"].name
        assert city["city"].name_with_county == city["city"].name


@pytest.mark.django_db
def test_a_list_with_county_names_costs_one_query(
    city, chengguan, english, django_assert_num_queries
):
    with django_assert_num_queries(1):
        names = [u.name_with_county for u in OrgUnit.objects.grassroots().with_county()]
    assert f"城关镇 ({city['county1'].name})" in names
    assert f"城关镇 ({city['county2'].name})" in names


def _case_form(user, instance, data=None):
    form_class = CasePage.get_edit_handler().get_form_class()
    return form_class(data, instance=instance, for_user=user, parent_page=instance.get_parent())


@pytest.mark.django_db
def test_the_case_editor_offers_only_townships_of_the_cases_county(city, chengguan, english):
    case = CasePageFactory(parent=CaseLibraryPageFactory(), county=city["county1"])
    admin = StaffFactory(role=Role.CITY_ADMIN, unit=city["city"])
    form = _case_form(admin, case)
    labels = [label for value, label in form.fields["township"].choices if value]
    assert f"城关镇 ({city['county1'].name})" in labels
    assert not any(city["county2"].name in label for label in labels)
    assert (
        len(labels)
        == OrgUnit.objects.grassroots().filter(path__startswith=city["county1"].path).count()
    )


@pytest.mark.django_db
def test_a_township_of_another_county_is_refused_in_chinese(city, chengguan):
    field = EnforcementFieldFactory(code="natural_resources", name="自然资源")
    power = PowerFactory(field=field)
    case = CasePageFactory(parent=CaseLibraryPageFactory(), county=city["county1"], field=field)
    admin = StaffFactory(role=Role.CITY_ADMIN, unit=city["city"])
    data = case_form(field, power)
    data.update(county=city["county1"].pk, township=chengguan[2].pk)
    with translation.override("zh-hans"):
        form = _case_form(admin, case, data)
        assert not form.is_valid()
        errors = [str(e) for e in form.errors["township"]]
    # The township is named with its county, so the editor sees which 城关镇 they picked.
    assert len(errors) == 1 and "不属于" in errors[0]
    assert errors[0].startswith("城关镇") and city["county2"].name in errors[0]
    assert errors[0].endswith(f"{city['county1'].name}。")


@pytest.mark.django_db
def test_the_city_dashboard_names_each_township_with_its_county(client, city, chengguan, english):
    admin = StaffFactory(role=Role.CITY_ADMIN, unit=city["city"])
    client.force_login(admin)
    page = client.get(reverse("certification:dashboard_unit", args=[city["city"].code]))
    text = page.content.decode()
    assert f"城关镇 ({city['county1'].name})" in text
    assert f"城关镇 ({city['county2'].name})" in text


@pytest.mark.django_db
def test_a_scoped_admin_menu_of_units_names_each_with_its_county(city, chengguan, english):
    from people.models import User
    from people.policies import ScopedAdminForm

    class UnitForm(ScopedAdminForm):
        class Meta:
            model = User
            fields = ["unit"]

    admin = StaffFactory(role=Role.CITY_ADMIN, unit=city["city"])
    labels = [label for value, label in UnitForm(for_user=admin).fields["unit"].choices if value]
    assert f"城关镇 ({city['county1'].name})" in labels
    assert f"城关镇 ({city['county2'].name})" in labels
    assert city["county1"].name in labels  # a county keeps its plain name
