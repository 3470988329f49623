"""Laws: statutes by version, their articles, and what the platform's material cites."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LawsConfig(AppConfig):
    name = "laws"
    label = "laws"
    verbose_name = _("Laws and citations")
    default_auto_field = "django.db.models.BigAutoField"
