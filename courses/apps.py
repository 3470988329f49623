"""Courses: training modules of three kinds, the case library, the handbook and the hours ledger."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    label = "courses"
    verbose_name = _("Training")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The hook modules also connect this app's signal receivers (roles → county
        # groups, graded quizzes → module credit). Wagtail loads them lazily, on the first
        # admin or hook lookup; load them now so workers and commands get them too.
        from . import wagtail_hooks  # noqa: F401

        post_migrate.connect(
            wagtail_names_localise, sender=self, dispatch_uid="courses_wagtail_names"
        )


def wagtail_names_localise(sender, using="default", **kwargs) -> None:
    """After `migrate`: the root page and the moderation workflows carry Chinese names."""
    from .services.training import site_root_title_ensure, workflow_names_localise

    site_root_title_ensure()
    workflow_names_localise()
