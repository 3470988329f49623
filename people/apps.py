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
        from . import policies, receivers, roles  # noqa: F401 (policies registers its check)

        # Permissions of later apps exist only once their own post_migrate ran, so sync
        # after every app; the sync is idempotent and cheap.
        image_decoding_limit_set()
        post_migrate.connect(roles.role_groups_sync_on_migrate, dispatch_uid="role_groups_sync")
        receivers.connect()


def image_decoding_limit_set() -> None:
    """Make Pillow refuse, when it reads the header, any image larger than uploads may be.

    Wagtail checks an upload's pixel count only after Willow has decoded it, so without
    this an image just under Pillow's own bomb limit would be decoded in full (hundreds of
    MB) before being refused. Pillow warns at this limit and refuses at twice it.
    """
    from django.conf import settings

    from PIL import Image

    limit = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", None)
    if limit:
        Image.MAX_IMAGE_PIXELS = limit // 2
