"""Wagtail's users app, with the user admin scoped to the organisation tree (people/admin_users.py).

Listed in INSTALLED_APPS in place of "wagtail.users": Wagtail builds its user admin from
the app config's `user_viewset`. Kept apart from the views because Django imports this
module while it loads the apps, before any model exists.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "people.admin_users.UserViewSet"

    def ready(self):
        from django.contrib.auth import get_user_model

        from wagtail.permissions import register_permission_policy

        from .policies import UnitScopedPolicy

        super().ready()
        # Replaces the plain model-permission policy Wagtail has just registered: a user
        # may act on the users whose unit lies in their area, and on no one else.
        user_model = get_user_model()
        register_permission_policy(user_model, UnitScopedPolicy(user_model, unit_field="unit"))
