"""Cases: the case-study library (以案说法) — case pages, their search, reading and assignments.

It sits above `courses`: a case studied (read, with its quiz passed) is credited as hours
through the courses ledger.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    label = "cases"
    verbose_name = _("Case library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The hook module connects the receivers too (publish → search index, role →
        # library permissions); load it now so workers and commands get them.
        from . import wagtail_hooks  # noqa: F401
