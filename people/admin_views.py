"""Wagtail admin view for importing officers from a spreadsheet."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from .forms import OfficerImportForm
from .services import officers_import


def officer_import(request):
    if not request.user.has_perm("people.import_officers"):
        raise PermissionDenied
    report = None
    if request.method == "POST":
        form = OfficerImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = officers_import(
                source=upload,
                filename=upload.name,
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
            for warning in report.warnings:
                messages.warning(request, warning)
    else:
        form = OfficerImportForm()
    return render(
        request,
        "people/admin/officer_import.html",
        {"form": form, "report": report, "page_title": _("Import officers")},
    )
