"""Django admin: certificates and their history are read-only here, like everywhere else."""

from django.contrib import admin

from .models import Credential, CredentialEvent, ExamResult, PolicyChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows records; nobody — superusers included — can add, change or delete them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ["number", "officer", "issued_on", "expires_on"]
    search_fields = ["number", "officer__full_name", "officer__employee_number"]


@admin.register(CredentialEvent)
class CredentialEventAdmin(ReadOnlyAdmin):
    list_display = ["credential", "kind", "effective_on", "actor", "created_at"]
    list_filter = ["kind"]


@admin.register(ExamResult)
class ExamResultAdmin(ReadOnlyAdmin):
    list_display = ["officer", "kind", "field", "score", "sat_on", "source"]
    list_filter = ["kind", "source"]


@admin.register(PolicyChange)
class PolicyChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "actor", "before", "after"]
