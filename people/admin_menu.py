"""A Wagtail admin menu item shown only to users holding one Django permission.

Shared by every app that adds an admin screen of its own (imports, item analysis, ...).
"""

from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)
