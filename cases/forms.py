"""Forms of the case library: the case editor's checks, the library's filters, and assigning cases."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.forms import WagtailAdminPageForm

from people.policies import choices_for, holds_city_role

__all__ = ["CasePageForm", "CaseFilterForm", "CaseAssignmentForm"]


class CasePageForm(WagtailAdminPageForm):
    """Hard checks on a case. Personal data is only *warned* about (see `cases.wagtail_hooks`):
    the editor may have a good reason, and a warning does not lose their work.

    The county and township menus offer only the editor's area, and a case saved by
    anyone below the city names a county of their area (docs/admin-scoping.md)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None:
            return
        for name in ("county", "township"):
            if name in self.fields:
                self.fields[name].queryset = choices_for(user, self.fields[name].queryset)
        if "township" in self.fields:
            township = self.fields["township"]
            township.label_from_instance = lambda unit: unit.name_with_county
            township.queryset = township.queryset.with_county()
            county = self._case_county()
            if county is not None and not self.is_bound:
                # Only the townships of the case's county; a submitted form keeps the whole
                # area, so a township of another county gets the error in `clean`.
                township.queryset = township.queryset.filter(
                    path__startswith=county.path, depth=county.depth + 1
                )
        if not holds_city_role(user) and "county" in self.fields:
            self.fields["county"].required = "township" not in self.fields

    def _case_county(self):
        """The county the case is filed under: its own, or the only county the editor may pick."""
        county = getattr(self.instance, "county", None)
        if county is not None:
            return county
        if "county" in self.fields:
            counties = list(self.fields["county"].queryset[:2])
            if len(counties) == 1:
                return counties[0]
        return None

    def clean(self):
        cleaned = super().clean()
        decided_on = cleaned.get("decided_on")
        if decided_on and decided_on > timezone.localdate():
            self.add_error("decided_on", _("The decision date cannot be in the future."))
        township = cleaned.get("township")
        county = cleaned.get("county")
        if township is not None:
            township_county = township.get_parent()
            if county is None:
                cleaned["county"] = township_county
            elif township_county is None or township_county.pk != county.pk:
                self.add_error(
                    "township",
                    _("%(township)s is not in %(county)s.")
                    % {"township": township.name_with_county, "county": county},
                )
        user = self.for_user
        if user is not None and not holds_city_role(user) and not self.errors:
            county = cleaned.get("county")
            if county is None or not choices_for(user, type(county).objects.filter(pk=county.pk)):
                self.add_error(
                    "county",
                    _("Choose the county of the case: one of your own area."),
                )
        return cleaned


class CaseFilterForm(forms.Form):
    """The library's search box and filters; every field optional, bad values reported."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False, strip=True)
    field = forms.ChoiceField(label=pgettext_lazy("enforcement field", "Field"), required=False)
    power = forms.ChoiceField(label=_("Power"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    county = forms.ChoiceField(label=_("County"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    held = forms.BooleanField(label=_("Only powers townships hold today"), required=False)

    def __init__(self, *args, facets, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["field"].choices = every + [(f.code, f.name) for f in facets.fields]
        self.fields["power"].choices = every + [
            (p.code, f"{p.name}{'（已收回）' if p.withdrawn else ''}") for p in facets.powers
        ]
        self.fields["outcome"].choices = every + list(facets.outcomes)
        self.fields["county"].choices = every + [(u.code, u.name) for u in facets.counties]
        self.fields["year"].choices = every + [(y, str(y)) for y in facets.years]

    def filters(self) -> dict:
        """The valid filters (an invalid one is dropped; its error is shown beside it)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: data.get(name)
            for name in ("q", "field", "power", "outcome", "county", "year", "held")
            if name not in self.errors
        }


class CaseAssignmentForm(forms.Form):
    """A supervisor requires a case of a unit they oversee."""

    page = forms.ModelChoiceField(label=_("Case"), queryset=None)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, cases, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["page"].queryset = cases
        self.fields["unit"].queryset = units

    def clean_due_on(self):
        due_on = self.cleaned_data.get("due_on")
        if due_on and due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date has already passed."))
        return due_on
