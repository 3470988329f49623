"""Done when: a trainer publishes a case through moderation; an officer finds it by a word and by its field."""

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
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from cases.factories import CaseLibraryPageFactory
from cases.models import CasePage
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from powers.factories import EnforcementFieldFactory, PowerFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The library caches its filter choices; every test starts without them."""
    cache.clear()


@pytest.fixture
def moderation(db):
    """A one-step review by a group of moderators on the library (the site's own workflow is
    set up elsewhere; this test brings its own)."""
    library = CaseLibraryPageFactory()
    admin_access = Permission.objects.get(codename="access_admin")
    authors = Group.objects.create(name="case authors")
    authors.permissions.add(admin_access)
    for permission in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=authors, page=library, permission_type=permission.split("_")[0]
        )
    moderators = Group.objects.create(name="case moderators")
    moderators.permissions.add(admin_access)
    for permission in ("add", "change", "publish"):
        GroupPagePermission.objects.create(
            group=moderators, page=library, permission_type=permission
        )
    task = GroupApprovalTask.objects.create(name="Legal review")
    task.groups.add(moderators)
    workflow = Workflow.objects.create(name="Case review")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=library)
    return {"library": library, "authors": authors, "moderators": moderators}


def case_form(field, power):
    return nested_form_data(
        {
            "title": "某村村民违法占地建房案",
            "slug": "zhandi-jianfang",
            "case_number": "濮县某镇综执罚〔2024〕7号",
            "decided_on": "2024-05-20",
            "field": field.pk,
            "powers": [power.pk],
            "outcome": "penalty",
            "facts": rich_text("当事人未经批准擅自占用耕地建房，占地面积约180平方米。"),
            "legal_questions": rich_text(""),
            "legal_basis": streamfield(
                [
                    (
                        "provision",
                        {
                            "law": "《中华人民共和国土地管理法》",
                            "article": "第七十八条",
                            "quote": "",
                        },
                    )
                ]
            ),
            "procedure": streamfield([("filing", {"date": "2024-03-01", "note": "立案"})]),
            "evidence": streamfield([]),
            "decision": rich_text("责令退还非法占用的土地，限期拆除。"),
            "penalty": "责令退还土地，限期拆除",
            "review_outcome": rich_text(""),
            "lessons": streamfield([("point", "先核实用地审批手续。")]),
            "document_templates": streamfield([]),
            "related_modules": streamfield([]),
            "study_hours": "1",
            "hours_category": "professional",
            "comments": inline_formset([]),
        }
    )


@pytest.mark.django_db
def test_a_trainer_publishes_a_case_through_moderation_and_an_officer_finds_it(
    client, city, moderation
):
    field = EnforcementFieldFactory(code="natural_resources", name="自然资源")
    power = PowerFactory(name="对农村村民未经批准非法占用土地建住宅的行政处罚", field=field)
    trainer = StaffFactory(role=Role.TRAINER, unit=city["county1"])
    trainer.groups.add(moderation["authors"])
    reviewer = StaffFactory(role=Role.CITY_ADMIN, unit=city["city"])
    reviewer.groups.add(moderation["moderators"])
    officer = OfficerFactory(unit=city["township11"])
    library = moderation["library"]

    client.force_login(trainer)
    add_url = reverse("wagtailadmin_pages:add", args=["cases", "casepage", library.pk])
    data = case_form(field, power)
    data["county"] = city["county1"].pk  # staff below the city file cases under their county
    data["action-submit"] = "Submit for moderation"
    response = client.post(add_url, data)
    assert response.status_code == 302, response.context["form"].errors
    case = CasePage.objects.get(slug="zhandi-jianfang")
    assert not case.live
    state = case.current_workflow_state
    assert state is not None and state.status == "in_progress"

    client.force_login(officer)
    assert client.get(library.url, {"q": "占地"}).context["results"].total == 0

    client.force_login(reviewer)
    approve = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[case.pk, "approve", state.current_task_state.pk],
    )
    response = client.post(approve, {"comment": "法律依据准确，同意发布"})
    assert response.status_code in (200, 302)
    case.refresh_from_db()
    assert case.live

    client.force_login(officer)
    by_word = client.get(library.url, {"q": "占地"})
    assert [h.page.pk for h in by_word.context["results"].hits] == [case.pk]
    assert "<mark>占地</mark>" in by_word.text
    by_field = client.get(library.url, {"field": "natural_resources"})
    assert [h.page.pk for h in by_field.context["results"].hits] == [case.pk]
    page = client.get(case.url)
    assert "第七十八条" in page.text
