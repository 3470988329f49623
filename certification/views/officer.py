"""An officer's own certificate, a supervisor's view of one officer, transcripts and
notifications."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from courses.selectors import training_hours
from people.models import User
from people.selectors import officers_visible_to

from ..models import (
    Credential,
    CredentialEvent,
    Notification,
    ReinstatementRequest,
    ReinstatementState,
    StatusCode,
)
from ..selectors import (
    credential_status,
    exam_standing,
)
from ..services import (
    may_suspend_or_reinstate,
    reinstatement_eligibility,
    verification_token_for,
)
from ._common import _date_param, _require_supervisor, _today


def _officer_page_context(officer: User, on: datetime.date) -> dict:
    status = credential_status(officer=officer, on=on)
    hours = training_hours(officer=officer, year=on.year)
    standing = exam_standing(officer=officer, on=on)
    events = (
        CredentialEvent.objects.filter(credential__officer=officer)
        .select_related("credential", "actor")
        .order_by("-effective_on", "-pk")
    )
    credentials = list(
        Credential.objects.filter(officer=officer).prefetch_related("fields").order_by("-issued_on")
    )
    from ..selectors.status import policy_current, required_hours

    policy = policy_current()
    required = (
        required_hours(
            amount=policy.annual_hours, issued_on=status.credential.issued_on, year=on.year
        )
        if status.credential
        else policy.annual_hours
    )
    return {
        "officer": officer,
        "status": status,
        "on": on,
        "hours": hours,
        "required": required,
        "hours_percent": min(100, int(hours["total"] * 100 / required)) if required else 100,
        "categories": [
            ("public_law", _("Public law knowledge")),
            ("professional", _("Professional knowledge")),
            ("skills", _("Enforcement skills")),
        ],
        "exam_results": standing.results,
        "over_limit": standing.over_limit,
        "pass_mark": policy.pass_mark,
        "events": events,
        "credentials": credentials,
    }


def _reinstatement_context(officer: User, status) -> dict:
    """For a suspended officer: may they ask for reinstatement (or why not), and their requests."""
    latest = (
        ReinstatementRequest.objects.filter(officer=officer).select_related("decided_by").first()
    )
    context = {"reinstatement_latest": latest}
    if status.code != StatusCode.SUSPENDED:
        return context
    pending = latest is not None and latest.status == ReinstatementState.PENDING
    eligibility = None if pending else reinstatement_eligibility(officer=officer, on=_today())
    context.update(
        {
            "reinstatement_pending": pending,
            "reinstatement_eligibility": eligibility,
        }
    )
    return context


@never_cache
@login_required
def my_certificate(request):
    """The officer's own page: status, reasons, next step, hours, exams, history."""
    context = _officer_page_context(request.user, _date_param(request))
    context["is_self"] = True
    context.update(_reinstatement_context(request.user, context["status"]))
    return render(request, "pages/certification/officer.html", context)


@never_cache
@login_required
def officer_detail(request, pk: int):
    """A supervisor's view of one officer (the last level of the drill-down)."""
    _require_supervisor(request)
    officer = get_object_or_404(officers_visible_to(request.user).select_related("unit"), pk=pk)
    context = _officer_page_context(officer, _date_param(request))
    context["is_self"] = officer.pk == request.user.pk
    context["can_suspend"] = context["status"].code in (
        StatusCode.VALID,
        StatusCode.AT_RISK,
    ) and may_suspend_or_reinstate(actor=request.user, officer=officer)
    context["today"] = _today()
    return render(request, "pages/certification/officer.html", context)


def _transcript_response(request, officer: User) -> HttpResponse:
    from ..pdf import transcript_pdf

    status = credential_status(officer=officer)
    verify_url = ""
    if status.credential is not None:
        token = verification_token_for(credential=status.credential, actor=request.user)
        verify_url = request.build_absolute_uri(reverse("verify", args=[token.token]))
    data = transcript_pdf(officer=officer, verify_url=verify_url)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="transcript-{officer.username}.pdf"'
    return response


@never_cache
@login_required
def my_transcript(request):
    return _transcript_response(request, request.user)


@never_cache
@login_required
def officer_transcript(request, pk: int):
    _require_supervisor(request)
    officer = get_object_or_404(officers_visible_to(request.user), pk=pk)
    return _transcript_response(request, officer)


@never_cache
@login_required
def notifications(request):
    notices = list(Notification.objects.filter(user=request.user)[:100])
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(request, "pages/certification/notifications.html", {"notices": notices})
