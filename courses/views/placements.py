"""Observation placements: officers apply, the host confirms, the officer writes a
reflection and the county bureau reviews it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from people.models import Role
from people.roles import SUPERVISORY_ROLES
from people.selectors import officers_visible_to, user_roles

from .. import forms
from ..models import (
    ApplicationStatus,
    Placement,
    PlacementApplication,
    ReflectionAttachment,
)
from ..selectors import training as sel
from ..services import training as svc
from ._common import error_text, require_officer


@never_cache
@login_required
def placement_list(request):
    require_officer(request)
    return render(
        request,
        "pages/courses/placement_list.html",
        {
            "rows": sel.placements_open_to(officer=request.user),
            "applications": PlacementApplication.objects.filter(officer=request.user)
            .select_related("placement__host_unit")
            .order_by("-placement__held_on"),
        },
    )


@require_POST
@login_required
def placement_apply(request, pk: int):
    placement = get_object_or_404(Placement, pk=pk)
    try:
        svc.placement_apply(officer=request.user, placement=placement)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Application sent; the coordinator will accept or decline it."))
    return redirect("courses:placement_list")


@never_cache
@login_required
def placement_manage(request, pk: int):
    placement = get_object_or_404(Placement.objects.select_related("host_unit", "module"), pk=pk)
    can_coordinate = sel.placement_can_coordinate(user=request.user, placement=placement)
    if not can_coordinate:
        raise Http404
    return render(
        request,
        "pages/courses/placement_manage.html",
        {
            "placement": placement,
            "applications": placement.applications.select_related("officer__unit"),
            "can_host": sel.placement_can_host(user=request.user, placement=placement),
            "today": timezone.localdate(),
        },
    )


@never_cache
@login_required
def placement_manage_list(request):
    """Placements the user coordinates or hosts."""
    placements = [
        p
        for p in Placement.objects.select_related("host_unit").order_by("-held_on")[:200]
        if sel.placement_can_coordinate(user=request.user, placement=p)
    ]
    if not placements and not (user_roles(request.user) & {Role.HOST, *SUPERVISORY_ROLES}):
        raise PermissionDenied
    return render(request, "pages/courses/placement_manage_list.html", {"placements": placements})


@require_POST
@login_required
def placement_decide(request, pk: int):
    application = get_object_or_404(PlacementApplication.objects.select_related("placement"), pk=pk)
    if not sel.placement_can_coordinate(user=request.user, placement=application.placement):
        raise Http404
    try:
        svc.placement_decide(
            application=application, actor=request.user, accept=request.POST.get("accept") == "1"
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("courses:placement_manage", pk=application.placement_id)


@require_POST
@login_required
def placement_confirm(request, pk: int):
    application = get_object_or_404(PlacementApplication.objects.select_related("placement"), pk=pk)
    if not sel.placement_can_host(user=request.user, placement=application.placement):
        raise Http404
    try:
        svc.placement_attendance_confirm(application=application, actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Attendance confirmed."))
    return redirect("courses:placement_manage", pk=application.placement_id)


@never_cache
@login_required
def reflection_submit(request, pk: int):
    application = get_object_or_404(
        PlacementApplication.objects.select_related("placement__host_unit"),
        pk=pk,
        officer=request.user,
    )
    reflections = list(application.reflections.prefetch_related("reviews", "attachments"))
    form = forms.ReflectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.reflection_submit(
                application=application,
                officer=request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(request, _("Reflection submitted for review."))
            return redirect("courses:my_training")
    return render(
        request,
        "pages/courses/reflection_form.html",
        {
            "application": application,
            "reflections": reflections,
            "form": form,
            "can_submit": application.status
            in (ApplicationStatus.ATTENDED, ApplicationStatus.RETURNED),
        },
    )


@never_cache
@login_required
def review_list(request):
    if not (
        request.user.is_superuser or user_roles(request.user) & {Role.TRAINER, Role.CITY_ADMIN}
    ):
        raise PermissionDenied
    applications = (
        PlacementApplication.objects.filter(
            status=ApplicationStatus.SUBMITTED,
            officer__in=officers_visible_to(request.user).values("pk"),
        )
        .select_related("placement", "officer__unit")
        .order_by("applied_at")
    )
    return render(request, "pages/courses/review_list.html", {"applications": applications})


@never_cache
@login_required
def reflection_review(request, pk: int):
    application = get_object_or_404(
        PlacementApplication.objects.select_related("placement__host_unit", "officer__unit"), pk=pk
    )
    if not sel.application_can_review(user=request.user, application=application):
        raise Http404
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.reflection_review(
                application=application,
                reviewer=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("courses:review_list")
    return render(
        request,
        "pages/courses/review_form.html",
        {
            "application": application,
            "reflections": application.reflections.prefetch_related("reviews", "attachments"),
            "form": form,
        },
    )


@never_cache
@login_required
def reflection_attachment(request, pk: int, filename: str):
    """An attachment of a reflection, for the officer who filed it, the host and the reviewers.

    Attachments are never linked as public media files (the web server refuses
    /media/reflections/); this view is the only way to them, and anyone else gets a 404.
    """
    attachment = get_object_or_404(
        ReflectionAttachment.objects.select_related(
            "reflection__application__placement", "reflection__application__officer"
        ),
        pk=pk,
    )
    application = attachment.reflection.application
    user = request.user
    allowed = (
        application.officer_id == user.pk
        or sel.application_can_review(user=user, application=application)
        or sel.placement_can_host(user=user, placement=application.placement)
    )
    if not allowed or filename != attachment.filename:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.filename
    )
