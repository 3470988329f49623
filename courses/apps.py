"""Courses: training modules of three kinds, the case library, the handbook and the hours ledger."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    label = "courses"
    verbose_name = _("Training")
    default_auto_field = "django.db.models.BigAutoField"
