"""Forms of the training area: thin shells that collect input for `courses.services`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from people.models import User
from people.tabular import upload_validate
from powers.models import Power

from .models import (
    REFLECTION_MIN_CHARS,
    ChecklistItem,
    HourCategory,
    ModuleKind,
    TrainingModulePage,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class CheckinForm(forms.Form):
    code = forms.CharField(label=_("Attendance code"), max_length=8)


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label=_("Reflection (观摩心得)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("At least %(min)s characters.") % {"min": REFLECTION_MIN_CHARS},
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    ALLOWED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".doc")

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        for upload in files:
            if upload.size > self.MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(_("Each attachment may be at most 10 MB."))
            if not upload.name.lower().endswith(self.ALLOWED_SUFFIXES):
                raise forms.ValidationError(_("Attach PDF, Word or image files only."))
        return files


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return with a comment"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=pgettext_lazy("evaluation", "Comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class FieldSessionForm(forms.Form):
    module = forms.ModelChoiceField(
        label=_("Module"),
        queryset=TrainingModulePage.objects.none(),
        required=False,
    )
    power = forms.ModelChoiceField(label=_("Power"), queryset=Power.objects.none())
    case_reference = forms.CharField(label=_("Case reference"), max_length=100)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200)
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1, initial=4)
    category = forms.ChoiceField(
        label=_("Hour category"), choices=HourCategory.choices, initial=HourCategory.SKILLS
    )
    officers = forms.ModelMultipleChoiceField(
        label=_("Officers"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    specialists = forms.ModelMultipleChoiceField(
        label=_("Other specialists"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, officers, specialists, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["module"].queryset = TrainingModulePage.objects.live().filter(
            kind=ModuleKind.FIELD_PRACTICE
        )
        self.fields["power"].queryset = Power.objects.in_force_on(today).select_related("field")
        self.fields["officers"].queryset = officers
        self.fields["specialists"].queryset = specialists
        self.fields["held_on"].initial = today


class EvaluationForm(forms.Form):
    """One rating (1–5) and one comment per checklist item in use."""

    RATINGS = [(str(n), str(n)) for n in range(1, 6)]

    def __init__(self, *args, items: list[ChecklistItem], initial_ratings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        initial_ratings = initial_ratings or {}
        for item in items:
            rating, comment = initial_ratings.get(item.pk, (None, ""))
            self.fields[f"rating_{item.pk}"] = forms.TypedChoiceField(
                label=item.label,
                choices=[("", "—"), *self.RATINGS],
                coerce=int,
                required=False,
                initial=rating,
            )
            self.fields[f"comment_{item.pk}"] = forms.CharField(
                label=pgettext_lazy("evaluation", "Comment"),
                required=False,
                max_length=500,
                initial=comment,
            )

    def rows(self):
        return [
            (item, self[f"rating_{item.pk}"], self[f"comment_{item.pk}"]) for item in self.items
        ]

    def ratings(self) -> dict[int, tuple[int, str]]:
        """Only the items actually rated, so the service can name the missing ones."""
        result = {}
        for item in self.items:
            value = self.cleaned_data.get(f"rating_{item.pk}")
            if value not in (None, ""):
                result[item.pk] = (value, self.cleaned_data.get(f"comment_{item.pk}", ""))
        return result


class SignForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to sign"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ExternalHoursImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)

    def clean_file(self):
        return upload_validate(self.cleaned_data["file"])
