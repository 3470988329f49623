"""Powers: enforcement fields and the dated lists of powers delegated to townships."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowersConfig(AppConfig):
    name = "powers"
    label = "powers"
    verbose_name = _("Delegated powers")
    default_auto_field = "django.db.models.BigAutoField"
