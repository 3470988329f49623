"""Suspension by the county justice bureau, officers' reinstatement requests and the
bureau's decisions on them, one at a time or in bulk. The rules are in
`certification.services.reinstatement`; these views only read the form and report."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from people.params import id_list_param, id_param
from people.selectors import officers_visible_to

from ..models import ReinstatementRequest, ReinstatementState
from ..selectors import officers_under
from ..services import (
    BulkOutcome,
    may_suspend_or_reinstate,
    officer_suspend,
    reinstatement_request_create,
    reinstatement_requests_decide,
)
from ._common import _bureau_county, _message, _today


def report_bulk(request, outcome: BulkOutcome, done_text: str) -> None:
    """Say how many were handled, and name every one that was not, with the reason."""
    if outcome.done:
        messages.success(request, done_text % {"count": len(outcome.done)})
    for officer, reason in outcome.refused:
        messages.error(
            request,
            _("%(name)s (%(unit)s): not done — %(reason)s")
            % {
                "name": officer.full_name or officer.username,
                "unit": officer.unit.name if officer.unit else "",
                "reason": reason,
            },
        )
    if not outcome.done and not outcome.refused:
        messages.error(request, _("Select at least one officer."))


@require_POST
@login_required
def officer_suspend_view(request, pk: int):
    """The bureau suspends an officer: the first POST shows a confirmation page, the second
    (with `confirm`) records the suspension."""
    officer = get_object_or_404(officers_visible_to(request.user).select_related("unit"), pk=pk)
    if not may_suspend_or_reinstate(actor=request.user, officer=officer):
        raise PermissionDenied
    back = reverse("certification:officer", args=[officer.pk])
    reason = request.POST.get("reason", "").strip()
    try:
        effective_on = datetime.date.fromisoformat(request.POST.get("effective_on", "").strip())
    except ValueError:
        messages.error(request, _("Give the date the suspension takes effect (YYYY-MM-DD)."))
        return redirect(back)
    if not reason:
        messages.error(request, _("Give a reason."))
        return redirect(back)
    if not request.POST.get("confirm"):
        return render(
            request,
            "pages/certification/suspend_confirm.html",
            {"officer": officer, "reason": reason, "effective_on": effective_on},
        )
    try:
        officer_suspend(
            officer=officer, actor=request.user, reason=reason, effective_on=effective_on
        )
    except ValidationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(
            request,
            _("%(name)s's certificate is suspended from %(date)s.")
            % {"name": officer.full_name or officer.username, "date": effective_on},
        )
    return redirect(back)


@require_POST
@login_required
def reinstatement_request_view(request):
    """A suspended officer asks the county justice bureau for reinstatement."""
    try:
        reinstatement_request_create(officer=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(
            request,
            _(
                "Your request was sent to the county justice bureau. You will be notified of its decision."
            ),
        )
    return redirect("certification:mine")


def _requests_in(county):
    return ReinstatementRequest.objects.filter(officer__in=officers_under(county)).select_related(
        "officer__unit", "credential", "decided_by"
    )


@never_cache
@login_required
def reinstatement_requests(request):
    """The county's pending requests (with each officer's hours), and the latest decisions."""
    county = _bureau_county(request)
    requests = _requests_in(county)
    pending = list(requests.filter(status=ReinstatementState.PENDING).order_by("created", "pk"))
    decided = list(requests.exclude(status=ReinstatementState.PENDING).order_by("-decided_at")[:20])
    return render(
        request,
        "pages/certification/reinstatement_requests.html",
        {"county": county, "pending": pending, "decided": decided},
    )


@require_POST
@login_required
def reinstatement_requests_decide_view(request):
    """Approve or refuse the selected requests (or the one whose row button was pressed)."""
    county = _bureau_county(request)
    back = f"{reverse('certification:reinstatement_requests')}?county={county.code}"
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "refuse"):
        messages.error(request, _("Unknown action."))
        return redirect(back)
    if request.POST.get("only"):
        ids = [id_param(request.POST, name="only")]
    else:
        ids = id_list_param(request.POST, name="request")
    selected = list(_requests_in(county).filter(pk__in=ids).order_by("created", "pk"))
    outcome = reinstatement_requests_decide(
        requests=selected,
        actor=request.user,
        approve=decision == "approve",
        reason=request.POST.get("reason", ""),
        on=_today(),
    )
    report_bulk(
        request,
        outcome,
        _("%(count)s request(s) approved; the certificates are reinstated.")
        if decision == "approve"
        else _("%(count)s request(s) refused."),
    )
    return redirect(back)
