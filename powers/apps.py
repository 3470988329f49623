"""Powers: enforcement fields and the dated lists of powers delegated to townships."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowersConfig(AppConfig):
    name = "powers"
    label = "powers"
    verbose_name = _("Delegated powers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import EnforcementField

        for signal in (post_save, post_delete):
            signal.connect(
                field_names_forget, sender=EnforcementField, dispatch_uid=f"fields-{signal}"
            )


def field_names_forget(sender, **kwargs) -> None:
    """A field was saved or deleted: the cached code → name map is out of date."""
    from django.core.cache import cache

    from .selectors import FIELD_NAMES_CACHE_KEY

    cache.delete(FIELD_NAMES_CACHE_KEY)
