"""Journey: a trainer writes a case study and submits it; the county justice bureau finds it
awaiting its review in the Wagtail admin and approves it; an officer then finds the case in
the library. (The site's own review workflow: the county approval task.)"""

import re

from django.core.cache import cache
from django.urls import reverse

import pytest

from cases.factories import CaseLibraryPageFactory
from cases.library_permissions import case_library_permissions_ensure
from courses.factories import site_root, training_index
from courses.services import county_section_ensure, moderation_workflow_ensure
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

PASSWORD = "bureau-pass-2026"
TITLE = "某镇擅自占用河道堆放砂石案"
FACTS = "当事人未经许可在河道管理范围内堆放砂石约三百立方米，影响行洪安全。"


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def site(city):
    """The site's review workflow (the county approval task), the county's section and the
    case library with the permissions the site gives it."""
    cache.clear()  # the library caches its filter choices
    moderation_workflow_ensure(root=site_root())
    county_section_ensure(county=city["county1"], index=training_index())
    library = CaseLibraryPageFactory()
    case_library_permissions_ensure(library)
    EnforcementFieldFactory(code="water", name="水利")
    return {
        "library": library,
        "county": city["county1"],
        "trainer": _with_password(StaffFactory(role=Role.TRAINER, unit=city["department1"])),
        "bureau": _with_password(StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"])),
        "officer": _with_password(OfficerFactory(unit=city["township11"])),
    }


def test_the_county_bureau_publishes_a_trainers_case(desktop, site):
    page = desktop
    library = site["library"]

    # The trainer writes the case and submits it.
    login(page, site["trainer"].username, PASSWORD)
    case = case_write_and_submit(
        page,
        library=library,
        title=TITLE,
        case_number="濮县某镇综执罚〔2025〕12号",
        decided_on="2025-04-10",
        field="水利",
        facts=FACTS,
        penalty="责令限期清除砂石，罚款人民币二万元",
        county=site["county"],
    )
    assert not case.live
    assert case.current_workflow_state.status == "in_progress"

    # The county's justice bureau sees it awaiting its review, and approves it.
    page.context.clear_cookies()
    login(page, site["bureau"].username, PASSWORD)
    page.goto(reverse("wagtailadmin_home"))
    assert_accessible(page)
    assert page.locator(f"main a:has-text('{TITLE}')").count() >= 1
    page.goto(reverse("wagtailadmin_pages:edit", args=[case.pk]))
    assert_accessible(page)
    footer_action(
        page,
        "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])",
        "action-workflow-action",
    )
    assert_accessible(page)
    # No "you do not have permission": the bureau may publish what it is asked to review.
    assert page.locator(".messages li.error").count() == 0
    case.refresh_from_db()
    assert case.live

    # An officer of the county finds it in the library.
    page.context.clear_cookies()
    login(page, site["officer"].username, PASSWORD)
    page.goto(library.url)
    assert_accessible(page)
    page.fill("input[name=q]", "砂石")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(re.compile(r"\?q="))
    assert_accessible(page)
    hit = page.locator(f"main a:has-text('{TITLE}')")
    assert hit.count() == 1
    hit.click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert FACTS in page.inner_text("main")
