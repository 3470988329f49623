"""Wagtail's user admin (/admin/users/), scoped to the viewer's part of the organisation tree.

Wagtail's own user views list and open every user for anyone holding a user permission,
and a county justice bureau holds `people.view_user` for its own county only. Here every
view finds users through the user model's permission policy (registered by
`people.wagtail_users.UsersAppConfig`): the listing (and its export) holds only users whose
unit lies in `units_visible_to(viewer)`, and a user outside that area is a 404 on every
page that names one (edit, delete, history, usage). Within the area, Wagtail's own
permission checks still decide (a bureau may look, not edit).

Wagtail's user bulk actions need the add, change or delete permission, which no role's
group holds (people/roles.py): they remain for superusers, who see everyone anyway.
"""

from wagtail.admin.views.generic.usage import UsageView as BaseUsageView
from wagtail.users.views import users as wagtail_users


class ScopedUsersMixin:
    """The users a view may find at all: those of the viewer's area."""

    def scoped_users(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["add", "change", "delete", "view"]
        )


class IndexView(ScopedUsersMixin, wagtail_users.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(pk__in=self.scoped_users().values("pk"))


class EditView(ScopedUsersMixin, wagtail_users.EditView):
    def get_queryset(self):
        return self.scoped_users()


class DeleteView(ScopedUsersMixin, wagtail_users.DeleteView):
    def get_queryset(self):
        return self.scoped_users()


class HistoryView(ScopedUsersMixin, wagtail_users.HistoryView):
    def get_base_object_queryset(self):
        return self.scoped_users()


class UsageView(ScopedUsersMixin, BaseUsageView):
    def get_base_object_queryset(self):
        return self.scoped_users()


class UserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView
    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
    usage_view_class = UsageView
