"""Journey: a trainer writes a case study in the Wagtail admin, it goes through moderation,
and an officer finds it in the case library by a Chinese word."""

import re

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.urls import reverse

from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

import pytest

from cases.factories import CaseLibraryPageFactory
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from powers.factories import EnforcementFieldFactory

from .case_editor import case_write_and_submit, footer_action
from .conftest import assert_accessible, login

pytestmark = [
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_site"),
]


PASSWORD = "case-pass-2026"
TITLE = "某村村民未经批准占地建房案"
FACTS = "当事人未经批准擅自占用耕地建房，占地面积约一百八十平方米。"


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def moderation(city):
    """The library with one review step: case authors write, case moderators publish."""
    cache.clear()  # the library caches its filter choices
    library = CaseLibraryPageFactory()
    admin_access = Permission.objects.get(codename="access_admin")
    authors = Group.objects.create(name="case authors")
    authors.permissions.add(admin_access)
    for permission in ("add", "change"):
        GroupPagePermission.objects.create(group=authors, page=library, permission_type=permission)
    moderators = Group.objects.create(name="case moderators")
    moderators.permissions.add(admin_access)
    for permission in ("add", "change", "publish"):
        GroupPagePermission.objects.create(
            group=moderators, page=library, permission_type=permission
        )
    task = GroupApprovalTask.objects.create(name="法制审核")
    task.groups.add(moderators)
    workflow = Workflow.objects.create(name="案例审核")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=library)

    trainer = _with_password(StaffFactory(role=Role.TRAINER, unit=city["county1"]))
    trainer.groups.add(authors)
    reviewer = _with_password(StaffFactory(role=Role.CITY_ADMIN, unit=city["city"]))
    reviewer.groups.add(moderators)
    officer = _with_password(OfficerFactory(unit=city["township11"]))
    EnforcementFieldFactory(code="natural_resources", name="自然资源")
    return {
        "library": library,
        "trainer": trainer,
        "reviewer": reviewer,
        "officer": officer,
        "county": city["county1"],
    }


def test_trainer_case_goes_through_moderation_and_an_officer_finds_it(desktop, moderation):
    page = desktop
    library = moderation["library"]

    # The trainer writes the case and submits it for review.
    login(page, moderation["trainer"].username, PASSWORD)
    case = case_write_and_submit(
        page,
        library=library,
        title=TITLE,
        case_number="濮县某镇综执罚〔2024〕7号",
        decided_on="2024-05-20",
        field="自然资源",
        facts=FACTS,
        penalty="责令退还土地，限期拆除",
        county=moderation["county"],
    )
    assert not case.live
    assert case.current_workflow_state is not None

    # Not yet published: the officer cannot find it.
    page.context.clear_cookies()
    login(page, moderation["officer"].username, PASSWORD)
    page.goto(f"{library.url}?q=占地")
    assert_accessible(page)
    assert page.locator(f"main a:has-text('{TITLE}')").count() == 0

    # The reviewer approves it in the admin.
    page.context.clear_cookies()
    login(page, moderation["reviewer"].username, PASSWORD)
    page.goto(reverse("wagtailadmin_pages:edit", args=[case.pk]))
    assert_accessible(page)
    footer_action(
        page,
        "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])",
        "action-workflow-action",
    )
    assert_accessible(page)
    case.refresh_from_db()
    assert case.live

    # The officer searches the library in Chinese and opens the case.
    page.context.clear_cookies()
    login(page, moderation["officer"].username, PASSWORD)
    page.goto(library.url)
    assert_accessible(page)
    page.fill("input[name=q]", "占地")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(re.compile(r"\?q="))
    assert_accessible(page)
    hit = page.locator(f"main a:has-text('{TITLE}')")
    assert hit.count() == 1
    assert page.locator("main mark", has_text="占地").count() >= 1
    hit.click()
    page.wait_for_load_state()
    assert FACTS in page.inner_text("main")
    assert_accessible(page)
