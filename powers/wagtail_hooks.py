"""Wagtail admin for the powers catalogue: fields, lists and powers as snippets."""

from django.utils.translation import gettext_lazy as _

from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from people.policies import CityOwnedPolicy, ScopedSnippetViewSet

from .models import EnforcementField, Power, PowerList

# The catalogue is the city's: everyone with access reads it, only the city writes it.
for _model in (EnforcementField, Power, PowerList):
    register_permission_policy(_model, CityOwnedPolicy(_model))


class EnforcementFieldViewSet(ScopedSnippetViewSet):
    model = EnforcementField
    icon = "tag"
    list_display = ["name", "code", "sort_order"]


class PowerViewSet(ScopedSnippetViewSet):
    model = Power
    icon = "doc-full"
    list_display = ["code", "name", "field", "applies_from", "transition_ends", "withdrawn_on"]
    list_filter = ["field", "withdrawn_on"]
    search_fields = ["name", "code"]
    list_per_page = 50


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
