"""Django admin (superusers only) for users, units and role assignments."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import OrgUnit, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["unit"]
    readonly_fields = ["granted_at", "granted_by"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "employee_number", "unit", "employment", "is_active"]
    list_filter = ["employment", "enforcement_post", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "employee_number"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Enforcement"),
            {
                "fields": (
                    "full_name",
                    "employee_number",
                    "phone",
                    "unit",
                    "enforcement_post",
                    "employment",
                    "id_number",
                )
            },
        ),
    )


@admin.register(OrgUnit)
class OrgUnitAdmin(TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
