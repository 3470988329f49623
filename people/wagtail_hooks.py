"""Wagtail admin wiring of the people app: the officer import screen and the supervisor home panel."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wagtail import hooks

from . import admin_views
from .admin_menu import PermissionMenuItem


@hooks.register("register_admin_urls")
def register_officer_import_url():
    return [path("people/import/", admin_views.officer_import, name="people_officer_import")]


@hooks.register("register_admin_menu_item")
def register_officer_import_menu_item():
    return PermissionMenuItem(
        _("Import officers"),
        reverse("people_officer_import"),
        icon_name="group",
        order=900,
        permission="people.import_officers",
    )


@hooks.register("insert_editor_js")
def editor_field_labels_js():
    """Rich-text boxes in the editor take their field's label as their accessible name."""
    return format_html('<script src="{}"></script>', static("people/editor-labels.js"))


@hooks.register("home_panels")
def supervisor_scope_panel(*, request, roles):
    """Supervisors see the size of the area they oversee, with a link to its roster."""
    from .roles import SUPERVISORY_ROLES
    from .selectors import officers_visible_to, units_visible_to

    if not (roles & SUPERVISORY_ROLES or request.user.is_superuser):
        return None
    return {
        "template": "components/supervisor_panel.html",
        "context": {
            "unit_count": units_visible_to(request.user).grassroots().count(),
            "officer_count": officers_visible_to(request.user).count(),
        },
        "order": 20,
    }
