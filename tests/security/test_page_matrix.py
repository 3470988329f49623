"""The content pages' write paths, for every page type of the project.

The suite finds the page types itself (`wagtail.models.get_page_models`), so a new page type
fails here until `SAMPLES` says how to make one outside county 1's area (in county 2's
section, in county 2's cases, or the city's own). County 1's trainer and justice bureau
must not open its editor, delete, copy, unpublish or move it, nor add a page beneath it.
The city administrator may, which shows each refusal is the area rule at work.
"""

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from wagtail.models import GroupPagePermission, Page, get_page_models

import pytest

import courses.hooks_training  # noqa: F401  (connects the role_assigned receiver)
from people.models import Role

PROJECT_PAGE_APPS = {"courses", "cases"}

PAGE_TYPES = sorted(
    (m for m in get_page_models() if m._meta.app_label in PROJECT_PAGE_APPS),
    key=lambda m: m._meta.label,
)


@pytest.fixture
def tree(city):
    from cases.factories import CaseLibraryPageFactory, CasePageFactory
    from courses.factories import handbook, lesson_create, module_create, site_root
    from courses.factories import training_index as index_create
    from courses.models import HandbookSection, HandbookSectionPage
    from courses.services import county_section_ensure, moderation_workflow_ensure
    from people.factories import StaffFactory
    from people.roles import group_name

    users = {
        Role.TRAINER: StaffFactory(role=Role.TRAINER, unit=city["department1"]),
        Role.JUSTICE_BUREAU: StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]),
        Role.CITY_ADMIN: StaffFactory(role=Role.CITY_ADMIN, unit=city["city"]),
    }
    index = index_create()
    moderation_workflow_ensure(root=site_root())
    county_section_ensure(county=city["county1"], index=index)
    section2 = county_section_ensure(county=city["county2"], index=index)
    module2 = module_create(parent=section2, title="县2模块")
    book = handbook()
    book_section = book.add_child(
        instance=HandbookSectionPage(
            title="事项清单", slug="matters", section=HandbookSection.values[0]
        )
    )
    library = CaseLibraryPageFactory()
    trainers = Group.objects.get(name=group_name(Role.TRAINER))
    for codename in ("add_page", "change_page"):  # as the demo grants: every trainer writes cases
        GroupPagePermission.objects.create(
            group=trainers, page=library, permission=Permission.objects.get(codename=codename)
        )
    return {
        "users": users,
        "pages": {
            "courses.TrainingIndexPage": index,
            "courses.CountySectionPage": section2,
            "courses.TrainingModulePage": module2,
            "courses.LessonPage": lesson_create(module=module2, title="县2课程"),
            "courses.HandbookPage": book,
            "courses.HandbookSectionPage": book_section,
            "cases.CaseLibraryPage": library,
            "cases.CasePage": CasePageFactory(
                parent=library, title="县2案例", county=city["county2"]
            ),
        },
        "city_module": module_create(parent=index, title="全市模块"),
    }


def test_every_page_type_has_a_sample(tree):
    assert PAGE_TYPES
    for model in PAGE_TYPES:
        assert model._meta.label in tree["pages"], f"add a sample of {model._meta.label}"


def _refused(response) -> bool:
    """403, 404, or Wagtail's "no permission" redirect to the dashboard or the login."""
    if response.status_code in (403, 404):
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location == "/admin/" or "login" in location


@pytest.mark.parametrize("role", [Role.TRAINER, Role.JUSTICE_BUREAU])
@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda m: m._meta.label)
def test_county_staff_cannot_write_pages_outside_their_area(client, tree, model, role):
    page = tree["pages"][model._meta.label]
    client.force_login(tree["users"][role])
    title, live = page.title, page.live
    for name in ("edit", "delete", "copy", "unpublish"):
        response = client.get(reverse(f"wagtailadmin_pages:{name}", args=[page.pk]))
        assert _refused(response), (name, response.status_code, response.get("Location"))

    client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        {"title": "越权修改", "slug": page.slug, "action-publish": "publish"},
    )
    client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))
    client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    fresh = Page.objects.filter(pk=page.pk).first()
    assert fresh is not None, "deleted"
    assert (fresh.title, fresh.live) == (title, live)
    assert not fresh.has_unpublished_changes or page.has_unpublished_changes

    for child_type in model.allowed_subpage_models():
        if child_type._meta.label == "cases.CasePage":
            continue  # a case's county is chosen in its form: see the case test below
        url = reverse(
            "wagtailadmin_pages:add",
            args=[child_type._meta.app_label, child_type._meta.model_name, page.pk],
        )
        assert _refused(client.get(url)), child_type


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda m: m._meta.label)
def test_the_city_administrator_may_open_every_page(client, tree, model):
    page = tree["pages"][model._meta.label]
    client.force_login(tree["users"][Role.CITY_ADMIN])
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200


def test_a_trainer_cannot_file_a_case_under_another_county(client, city, tree):
    from cases.models import CasePage
    from powers.factories import EnforcementFieldFactory, PowerFactory
    from tests.cases.test_cases_moderation import case_form

    library = tree["pages"]["cases.CaseLibraryPage"]
    client.force_login(tree["users"][Role.TRAINER])
    url = reverse("wagtailadmin_pages:add", args=["cases", "casepage", library.pk])
    response = client.get(url)
    assert response.status_code == 200
    counties = set(response.context["form"].fields["county"].queryset)
    assert counties == {city["county1"]}

    data = case_form(EnforcementFieldFactory(), PowerFactory())
    response = client.post(url, {**data, "county": str(city["county2"].pk)})
    assert response.status_code == 200
    assert not CasePage.objects.filter(slug="zhandi-jianfang").exists()

    # The control: the same case, filed under the trainer's own county, is saved.
    response = client.post(url, {**data, "county": str(city["county1"].pk)})
    assert response.status_code == 302
    assert CasePage.objects.get(slug="zhandi-jianfang").county == city["county1"]


def test_city_wide_module_is_the_citys(client, tree):
    module = tree["city_module"]
    client.force_login(tree["users"][Role.TRAINER])
    assert _refused(client.get(reverse("wagtailadmin_pages:edit", args=[module.pk])))


@pytest.mark.parametrize("role", [Role.TRAINER, Role.JUSTICE_BUREAU])
def test_another_countys_module_cannot_be_moved_into_ones_own_section(client, city, tree, role):
    from courses.models import CountySectionPage

    module = tree["pages"]["courses.TrainingModulePage"]
    own_section = CountySectionPage.objects.get(county=city["county1"])
    parent_before = module.get_parent().pk
    client.force_login(tree["users"][role])
    url = reverse("wagtailadmin_pages:move_confirm", args=[module.pk, own_section.pk])
    assert _refused(client.get(url))
    client.post(url)
    module.refresh_from_db()
    assert module.get_parent().pk == parent_before
