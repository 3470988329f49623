"""Authoring in Wagtail: county page permissions, the moderation workflow, role-following groups,
a module of each kind built and published in the admin, and modules flagged for withdrawn powers."""

import datetime

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Page, WorkflowPage
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

import pytest

import courses.hooks_training  # noqa: F401  (connects the role_assigned receiver)
from courses.factories import lesson_create, module_create, site_root, training_index
from courses.models import LessonPage, ModuleKind, TrainingModulePage
from courses.selectors.training import modules_needing_review
from courses.services import county_section_ensure, moderation_workflow_ensure
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from powers.factories import PowerFactory


@pytest.fixture
def setup(city):
    index = training_index()
    moderation_workflow_ensure(root=site_root())
    section1 = county_section_ensure(county=city["county1"], index=index)
    section2 = county_section_ensure(county=city["county2"], index=index)
    trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
    reviewer = StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"])
    return {
        "index": index,
        "section1": section1,
        "section2": section2,
        "trainer": trainer,
        "reviewer": reviewer,
    }


def module_form(kind: str, title: str, slug: str, **extra) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "kind": kind,
            "credit_hours": "2.0",
            "category": "public_law",
            "summary": "乡镇常见违法行为的查处要点",
            "body": streamfield(
                [("text", rich_text("<p>《行政处罚法》第五章规定了行政处罚的决定程序。</p>"))]
            ),
            "assessment_quiz": "",
            **extra,
        }
    )


@pytest.mark.django_db
class TestPermissionsAndGroups:
    def test_role_assignment_puts_staff_in_their_county_groups(self, city, setup):
        county = city["county1"]
        assert setup["trainer"].groups.filter(name=f"county:{county.code}:trainers").exists()
        assert setup["reviewer"].groups.filter(name=f"county:{county.code}:reviewers").exists()

    def test_trainers_author_only_in_their_county_and_cannot_publish(self, setup):
        own = setup["section1"].permissions_for_user(setup["trainer"])
        other = setup["section2"].permissions_for_user(setup["trainer"])
        assert own.can_add_subpage()
        assert not own.can_publish_subpage()
        assert not other.can_add_subpage()

    def test_county_reviewers_publish(self, setup):
        assert setup["section1"].permissions_for_user(setup["reviewer"]).can_publish_subpage()

    def test_the_workflow_covers_the_site_root_and_county_sections(self, city, setup):
        root = site_root()
        assert WorkflowPage.objects.filter(page=root).exists()
        module = module_create(parent=setup["section1"], title="森林草原防火")
        workflow = module.get_workflow()
        assert workflow is not None
        task = workflow.workflow_tasks.first().task.specific
        reviewers = Group.objects.get(name=f"county:{city['county1'].code}:reviewers")
        assert reviewers in task.groups.all()
        assert Page.objects.get(pk=root.pk).get_workflow() is not None


@pytest.mark.django_db
class TestAdminAuthoring:
    @pytest.mark.parametrize(
        "kind", [ModuleKind.COVERAGE, ModuleKind.OBSERVATION, ModuleKind.FIELD_PRACTICE]
    )
    def test_trainer_submits_and_reviewer_publishes_a_module_of_each_kind(
        self, client, setup, kind
    ):
        section = setup["section1"]
        client.force_login(setup["trainer"])
        url = reverse("wagtailadmin_pages:add", args=("courses", "trainingmodulepage", section.pk))
        assert client.get(url).status_code == 200
        data = module_form(kind, f"模块 {kind}", f"module-{kind}".replace("_", "-"))
        data["action-submit"] = "Submit"
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        module = TrainingModulePage.objects.get(slug=data["slug"])
        assert not module.live
        state = module.current_workflow_task_state
        assert state is not None

        client.force_login(setup["reviewer"])
        response = client.post(
            reverse("wagtailadmin_pages:workflow_action", args=(module.pk, "approve", state.pk)),
            {"comment": ""},
        )
        assert response.status_code in (200, 302)
        module.refresh_from_db()
        assert module.live
        assert module.kind == kind

    def test_trainer_adds_a_lesson_under_a_coverage_module_only(self, client, setup):
        coverage = module_create(parent=setup["section1"], title="行政处罚法的程序")
        observation = module_create(parent=setup["section1"], kind=ModuleKind.OBSERVATION)
        assert LessonPage.can_create_at(coverage)
        assert not LessonPage.can_create_at(observation)
        client.force_login(setup["trainer"])
        url = reverse("wagtailadmin_pages:add", args=("courses", "lessonpage", coverage.pk))
        data = nested_form_data(
            {
                "title": "简易程序",
                "slug": "simple-procedure",
                "min_study_minutes": "15",
                "required": "on",
                "body": streamfield([("text", rich_text("<p>当场作出行政处罚决定。</p>"))]),
            }
        )
        data["action-submit"] = "Submit"
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert LessonPage.objects.filter(slug="simple-procedure").exists()

    def test_officers_cannot_reach_the_admin(self, client, city, setup):
        client.force_login(OfficerFactory(unit=city["township11"]))
        response = client.get(reverse("wagtailadmin_home"))
        assert response.status_code in (302, 403)


@pytest.mark.django_db
class TestWithdrawnPowers:
    def test_a_module_teaching_a_withdrawn_power_is_flagged_until_retagged(self, client, setup):
        today = timezone.localdate()
        withdrawn = PowerFactory(name="对擅自占用城市绿地的行政处罚", withdrawn_on=today)
        kept = PowerFactory(name="对非法占用耕地的行政处罚")
        module = module_create(
            parent=setup["section1"], title="城市绿化执法", powers=[withdrawn, kept]
        )
        safe = module_create(parent=setup["section1"], title="耕地保护", powers=[kept])
        flagged = list(modules_needing_review(on=today))
        assert flagged == [module]
        assert list(modules_needing_review(on=today - datetime.timedelta(days=1))) == []
        assert safe not in flagged

        admin = StaffFactory(role=Role.CITY_ADMIN, unit=setup["section1"].county.get_parent())
        client.force_login(admin)
        response = client.get(reverse("courses_modules_to_review"))
        assert "城市绿化执法" in response.content.decode()
        assert "对擅自占用城市绿地的行政处罚" in response.content.decode()

        module.powers.set([kept])
        module.save()
        assert list(modules_needing_review(on=today)) == []

    def test_lessons_pages_render_for_previews(self, client, setup):
        module = module_create(parent=setup["section1"])
        lesson = lesson_create(module=module)
        client.force_login(setup["trainer"])
        response = client.get(reverse("wagtailadmin_pages:view_draft", args=(lesson.pk,)))
        assert response.status_code == 200


@pytest.mark.django_db
def test_module_hours_that_are_not_a_half_hour_step_are_refused_in_the_admin(client, setup):
    client.force_login(setup["trainer"])
    section = setup["section1"]
    url = reverse("wagtailadmin_pages:add", args=("courses", "trainingmodulepage", section.pk))
    data = module_form(ModuleKind.COVERAGE, "学时有误的模块", "bad-hours")
    data["credit_hours"] = "1.3"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "half-hour" in response.content.decode() or "1.3" in response.content.decode()
    assert not TrainingModulePage.objects.filter(slug="bad-hours").exists()


@pytest.mark.django_db
def test_a_new_module_previews_before_it_is_saved(client, setup):
    """The admin's live preview of a module that has no primary key yet renders its page."""
    client.force_login(setup["trainer"])
    section = setup["section1"]
    url = reverse(
        "wagtailadmin_pages:preview_on_add", args=("courses", "trainingmodulepage", section.pk)
    )
    data = module_form(ModuleKind.COVERAGE, "预览中的新模块", "preview-new")
    posted = client.post(url, data)
    assert posted.status_code == 200
    assert posted.json()["is_valid"] is True
    response = client.get(url)
    assert response.status_code == 200
    assert "预览中的新模块" in response.content.decode()
    assert not TrainingModulePage.objects.filter(slug="preview-new").exists()
