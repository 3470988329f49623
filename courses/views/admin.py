"""Training views inside the Wagtail admin (registered by `courses.hooks_training`):
the external hours import and the modules waiting for review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import forms
from ..selectors.training import modules_needing_review
from ..services.ledger import external_hours_import


def external_hours_import_view(request):
    """Registered in the Wagtail admin by `courses.hooks_training`."""
    if not request.user.has_perm("people.import_officers"):
        raise PermissionDenied
    form = forms.ExternalHoursImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = external_hours_import(
            source=upload,
            filename=upload.name,
            actor=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.ok and not form.cleaned_data["dry_run"]:
            messages.success(
                request,
                _("Imported %(created)s record(s); %(unchanged)s already on the ledger.")
                % {"created": report.created, "unchanged": report.unchanged},
            )
            return redirect(reverse("courses_external_hours_import"))
    return render(
        request,
        "components/courses/admin_external_import.html",
        {"form": form, "report": report},
    )


def modules_to_review_view(request):
    """Wagtail admin: modules that teach a power withdrawn from the current list."""
    today = timezone.localdate()
    modules = list(modules_needing_review(on=today).prefetch_related("powers"))
    rows = [
        {
            "module": module,
            "withdrawn": [
                p
                for p in module.powers.all()
                if p.withdrawn_on is not None and p.withdrawn_on <= today
            ],
        }
        for module in modules
    ]
    return render(
        request, "components/courses/admin_modules_to_review.html", {"rows": rows, "today": today}
    )
