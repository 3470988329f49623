"""An officer's own training: the *My training* page and the lesson progress calls."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..models import (
    LessonPage,
)
from ..selectors import training as sel
from ..services import training as svc
from ..templatetags.training_tags import hours as hours_text
from ._common import error_text, require_officer


@never_cache
@login_required
def my_training(request):
    require_officer(request)
    summary = sel.my_training_summary(officer=request.user)
    return render(
        request,
        "pages/courses/my_training.html",
        {
            "summary": summary,
            "lectures_open": sel.lectures_open_to(officer=request.user)[:10],
            "placements_open": sel.placements_open_to(officer=request.user)[:10],
            "index_url": sel.training_index_url(request),
        },
    )


@require_POST
@login_required
def lesson_complete(request, pk: int):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=pk)
    require_officer(request)
    credited_before = sel.lesson_module_credit(officer=request.user, lesson=lesson) is not None
    try:
        svc.lesson_complete(officer=request.user, lesson=lesson)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(lesson.url)
    credit = (
        None if credited_before else sel.lesson_module_credit(officer=request.user, lesson=lesson)
    )
    if credit is None:
        messages.success(request, _("Lesson complete."))
    else:
        messages.success(
            request,
            _("Module complete: %(hours)s hours credited; %(total)s of %(required)s this year.")
            % {
                "hours": hours_text(credit.hours),
                "total": hours_text(credit.year_total),
                "required": hours_text(credit.required),
            },
        )
    return redirect(lesson.url)


@require_POST
@login_required
def lesson_heartbeat(request, pk: int):
    """The open lesson page reports in while it is in front of the officer; the answer tells
    its countdown how long is left (the server's clock, docs/study-clock.md)."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=pk)
    require_officer(request)
    now = timezone.now()
    try:
        progress = svc.lesson_heartbeat(officer=request.user, lesson=lesson, now=now)
    except ValidationError as error:
        return JsonResponse({"error": error_text(error)}, status=409)
    remaining = sel.lesson_study_remaining(progress=progress, lesson=lesson, now=now)
    return JsonResponse(
        {
            "completed": progress.completed_at is not None,
            "remaining_seconds": int(remaining.total_seconds()),
        }
    )
