"""Wagtail admin for the powers catalogue: fields, lists and powers as snippets."""

from django.db.models import BooleanField, Case, Value, When
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from people.policies import CityOwnedPolicy, ScopedSnippetViewSet

from .models import EnforcementField, Power, PowerList
from .selectors import powers_basis_repealed_ids

# The catalogue is the city's: everyone with access reads it, only the city writes it.
for _model in (EnforcementField, Power, PowerList):
    register_permission_policy(_model, CityOwnedPolicy(_model))


class EnforcementFieldViewSet(ScopedSnippetViewSet):
    model = EnforcementField
    icon = "tag"
    list_display = ["name", "code", "sort_order"]


class BasisRepealedColumn(Column):
    """Flags a power whose cited legal basis a law version in force has repealed."""

    def get_value(self, instance):
        return getattr(instance, "basis_repealed", False)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["value"] = (
            format_html(
                '<span class="w-status w-status--label">{}</span>', _("Legal basis repealed")
            )
            if self.get_value(instance)
            else ""
        )
        return context


class PowerViewSet(ScopedSnippetViewSet):
    model = Power
    icon = "doc-full"
    list_display = [
        "code",
        "name",
        "field",
        "applies_from",
        "transition_ends",
        "withdrawn_on",
        BasisRepealedColumn("basis_repealed", label=_("Legal basis")),
    ]
    list_filter = ["field", "withdrawn_on"]
    search_fields = ["name", "code"]
    list_per_page = 50

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        repealed = powers_basis_repealed_ids(on=timezone.localdate())
        if not repealed:
            return queryset.annotate(basis_repealed=Value(False, output_field=BooleanField()))
        return queryset.annotate(
            basis_repealed=Case(
                When(pk__in=repealed, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )


class PowerListViewSet(ScopedSnippetViewSet):
    model = PowerList
    icon = "list-ul"
    list_display = ["name", "document_number", "applies_to", "effective_from"]


class PowersGroup(SnippetViewSetGroup):
    menu_label = _("Delegated powers")
    menu_icon = "doc-full-inverse"
    menu_order = 300
    items = (PowerListViewSet, PowerViewSet, EnforcementFieldViewSet)


register_snippet(PowersGroup)
