"""People: users, the organisation tree, roles and the scoping every view relies on."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    label = "people"
    verbose_name = _("People and organisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers, roles

        # Permissions of later apps exist only once their own post_migrate ran, so sync
        # after every app; the sync is idempotent and cheap.
        post_migrate.connect(roles.role_groups_sync_on_migrate, dispatch_uid="role_groups_sync")
        receivers.connect()
