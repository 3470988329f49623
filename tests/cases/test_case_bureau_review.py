"""A county justice bureau reviews and publishes a trainer's case; another county's bureau cannot."""

from django.urls import reverse

import pytest

from cases.demo import _trainer_permissions
from cases.factories import CaseLibraryPageFactory
from cases.models import CasePage
from courses.factories import site_root, training_index
from courses.services import county_section_ensure, moderation_workflow_ensure
from people.factories import StaffFactory
from people.models import Role
from powers.factories import EnforcementFieldFactory, PowerFactory

from .test_cases_moderation import case_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(city):
    moderation_workflow_ensure(root=site_root())
    index = training_index()
    for county in ("county1", "county2"):
        county_section_ensure(county=city[county], index=index)
    library = CaseLibraryPageFactory()
    trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
    _trainer_permissions(library)
    return {
        "library": library,
        "trainer": trainer,
        "bureau": StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]),
        "other_bureau": StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau2"]),
    }


def _submitted_case(client, city, site) -> CasePage:
    field = EnforcementFieldFactory(code="natural_resources", name="自然资源")
    power = PowerFactory(name="对非法占地建房的行政处罚", field=field)
    client.force_login(site["trainer"])
    data = case_form(field, power)
    data["county"] = city["county1"].pk
    data["action-submit"] = "Submit for moderation"
    add_url = reverse("wagtailadmin_pages:add", args=["cases", "casepage", site["library"].pk])
    response = client.post(add_url, data)
    assert response.status_code == 302, response.context["form"].errors
    client.get(reverse("wagtailadmin_home"))  # shows (and so clears) the "submitted" message
    return CasePage.objects.get(slug="zhandi-jianfang")


def test_the_county_bureau_approves_and_the_case_is_published(client, city, site):
    case = _submitted_case(client, city, site)
    state = case.current_workflow_state
    client.force_login(site["bureau"])
    dashboard = client.get(reverse("wagtailadmin_home"))
    assert case.title in dashboard.content.decode()
    approve = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[case.pk, "approve", state.current_task_state.pk],
    )
    response = client.post(approve, {"comment": "同意发布"})
    assert response.status_code in (200, 302), response.status_code
    case.refresh_from_db()
    assert case.live


def test_another_countys_bureau_neither_sees_nor_approves_the_case(client, city, site):
    case = _submitted_case(client, city, site)
    state = case.current_workflow_state
    client.force_login(site["other_bureau"])
    dashboard = client.get(reverse("wagtailadmin_home"))
    assert case.title not in dashboard.content.decode()
    approve = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[case.pk, "approve", state.current_task_state.pk],
    )
    client.post(approve, {"comment": "越权"})
    case.refresh_from_db()
    state.refresh_from_db()
    assert not case.live
    assert state.status == "in_progress"
    assert client.get(reverse("wagtailadmin_pages:edit", args=[case.pk])).status_code in (302, 403)


def test_a_site_from_an_earlier_release_moves_to_the_county_task(city):
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

    from courses.models import CountyApprovalTask
    from courses.services.training import ROOT_WORKFLOW_NAME

    old_task = GroupApprovalTask.objects.create(name="old approval")
    workflow = Workflow.objects.create(name=ROOT_WORKFLOW_NAME)
    WorkflowTask.objects.create(workflow=workflow, task=old_task, sort_order=0)
    moderation_workflow_ensure(root=site_root())
    tasks = [link.task.specific for link in WorkflowTask.objects.filter(workflow=workflow)]
    assert len(tasks) == 1 and isinstance(tasks[0], CountyApprovalTask)
    old_task.refresh_from_db()
    assert not old_task.active
