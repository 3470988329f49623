"""Certification: credentials, the credential policy, status, sign-off and readiness."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    label = "certification"
    verbose_name = _("Certification")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers

        # Exam results arrive from the quiz engine by signal (quizzes never imports us).
        receivers.connect()
