"""Wagtail hooks of the training area, and the signal receivers that keep it in step.

- Home panels (`home_panels`, collected by `people.views.home`): an officer's year of
  training; supervisors' and trainers' shortcuts.
- Wagtail admin: snippets for lectures, placements and the evaluation checklist; the
  external-hours import; "Modules to review" (modules teaching a withdrawn power), also
  shown on the admin dashboard.
- Receivers: `people.signals.role_assigned` keeps county groups in step with roles;
  `quizzes.signals.attempt_graded` credits a module whose last missing piece was a quiz.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.permissions import register_permission_policy
from wagtail.signals import page_published, page_unpublished
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from people.admin_menu import PermissionMenuItem
from people.models import Role
from people.policies import CityOwnedPolicy, ScopedSnippetViewSet, UnitScopedPolicy
from people.roles import SUPERVISORY_ROLES
from people.signals import role_assigned
from quizzes.signals import attempt_graded

from .models import ChecklistItem, Lecture, Placement
from .templatetags.nav_tags import content_nav_forget

# --- Home panels -----------------------------------------------------------------------


@hooks.register("home_panels")
def officer_training_panel(*, request, roles):
    """An officer's hours this year against the requirement, and what to do next."""
    if Role.OFFICER not in roles:
        return None
    from .selectors.training import my_training_summary

    return {
        "template": "components/courses/officer_panel.html",
        "context": {"summary": my_training_summary(officer=request.user)},
        "order": 10,
    }


@hooks.register("home_panels")
def staff_training_panel(*, request, roles):
    """Supervisors see their officers' hours; trainers and hosts their training tasks."""
    if not (roles & (SUPERVISORY_ROLES | {Role.HOST}) or request.user.is_superuser):
        return None
    return {
        "template": "components/courses/staff_panel.html",
        "context": {
            "is_supervisor": bool(roles & SUPERVISORY_ROLES) or request.user.is_superuser,
            "is_trainer": Role.TRAINER in roles or request.user.is_superuser,
            "is_host": Role.HOST in roles,
        },
        "order": 30,
    }


# --- Wagtail admin: snippets -------------------------------------------------------------


# Each model's policy is registered before its view set: Wagtail resolves the policy once.
register_permission_policy(Lecture, UnitScopedPolicy(Lecture, unit_field="county"))
register_permission_policy(Placement, UnitScopedPolicy(Placement, unit_field="host_unit"))
register_permission_policy(ChecklistItem, CityOwnedPolicy(ChecklistItem))


class LectureViewSet(ScopedSnippetViewSet):
    model = Lecture
    icon = "group"
    menu_label = _("Lectures")
    list_display = ["title", "starts_at", "place", "lecturer_name", "capacity"]
    list_filter = ["county"]


class PlacementViewSet(ScopedSnippetViewSet):
    model = Placement
    icon = "view"
    menu_label = _("Observation placements")
    list_display = ["title", "held_on", "host_unit", "observe_kind", "capacity"]


class ChecklistItemViewSet(ScopedSnippetViewSet):
    model = ChecklistItem
    icon = "list-ul"
    menu_label = _("Evaluation checklist")
    list_display = ["label", "code", "sort_order", "active"]


class TrainingViewSetGroup(SnippetViewSetGroup):
    items = (LectureViewSet, PlacementViewSet, ChecklistItemViewSet)
    menu_icon = "clipboard-list"
    menu_label = _("Training")
    menu_name = "training"


register_snippet(TrainingViewSetGroup)


# --- Wagtail admin: external hours, modules to review --------------------------------------


@hooks.register("register_admin_urls")
def register_training_admin_urls():
    from .views import admin as training_admin

    return [
        path(
            "training/external-hours/",
            training_admin.external_hours_import_view,
            name="courses_external_hours_import",
        ),
        path(
            "training/modules-to-review/",
            training_admin.modules_to_review_view,
            name="courses_modules_to_review",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_external_hours_menu_item():
    return PermissionMenuItem(
        _("Import external hours"),
        reverse("courses_external_hours_import"),
        icon_name="upload",
        order=910,
        permission="people.import_officers",
    )


@hooks.register("register_admin_menu_item")
def register_modules_to_review_menu_item():
    return MenuItem(
        _("Modules to review"),
        reverse("courses_modules_to_review"),
        icon_name="warning",
        order=905,
    )


class ModulesToReviewPanel(Component):
    name = "modules_to_review"
    order = 120
    template_name = "components/courses/admin_review_panel.html"

    def get_context_data(self, parent_context):
        from .selectors.training import modules_needing_review

        return {"modules": list(modules_needing_review()[:10])}


@hooks.register("construct_homepage_panels")
def add_modules_to_review_panel(request, panels):
    panels.append(ModulesToReviewPanel())


@hooks.register("after_create_page")
def county_section_permissions(request, page):
    """A county section made in the admin gets its groups, permissions and workflow."""
    from .models import CountySectionPage, TrainingIndexPage
    from .services.training import county_section_ensure

    specific = page.specific
    if isinstance(specific, CountySectionPage):
        index = TrainingIndexPage.objects.ancestor_of(page).first()
        if index is not None:
            county_section_ensure(county=specific.county, index=index)


# --- Signal receivers --------------------------------------------------------------------


def _role_assigned(sender, assignment, created, **kwargs):
    from .services.training import county_groups_follow_role

    county_groups_follow_role(assignment=assignment)


def _attempt_graded(sender, attempt, **kwargs):
    """A passed quiz may be the last piece of a module the officer is working through."""
    if not attempt.passed:
        return
    from .models import LessonProgress, TrainingModulePage
    from .services.training import module_credit_if_complete

    lesson_paths = set(
        LessonProgress.objects.filter(officer=attempt.user).values_list("lesson__path", flat=True)
    )
    parent_paths = {p[: -TrainingModulePage.steplen] for p in lesson_paths}
    for module in TrainingModulePage.objects.live().filter(path__in=parent_paths):
        module_credit_if_complete(officer=attempt.user, module=module)


role_assigned.connect(_role_assigned, dispatch_uid="courses_training_role_assigned")
attempt_graded.connect(_attempt_graded, dispatch_uid="courses_training_attempt_graded")

# The header's content links are cached; any change to what is live refreshes them.
page_published.connect(content_nav_forget, dispatch_uid="courses_nav_published")
page_unpublished.connect(content_nav_forget, dispatch_uid="courses_nav_unpublished")
