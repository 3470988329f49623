"""Applications and sign-off, the year-end review, reinstatement and the exam import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from people.models import GRASSROOTS_KINDS, Role, User
from people.params import id_param, year_param
from people.selectors import officers_visible_to, units_visible_to, user_roles

from ..models import (
    Applicant,
    Application,
    ApplicationState,
    Credential,
    ExamResult,
    StatusCode,
)
from ..selectors import (
    applicant_lacks,
    officers_under,
    officers_with_status,
)
from ..services import (
    actor_may,
    annual_review_close,
    applicant_add,
    applicant_remove,
    applicant_review,
    application_city_approve,
    application_county_finish,
    application_create,
    application_sign,
    credential_reinstate,
    exam_results_import,
)
from ._common import _bureau_county, _message, _require_supervisor, _today


def _applications_visible(user: User):
    return Application.objects.filter(unit__in=units_visible_to(user)).select_related(
        "unit", "created_by"
    )


@never_cache
@login_required
def application_list(request):
    roles = _require_supervisor(request)
    townships = []
    if Role.TOWNSHIP_SUPERVISOR in roles or request.user.is_superuser:
        townships = [
            u
            for u in units_visible_to(request.user).filter(kind__in=GRASSROOTS_KINDS)
            if actor_may(actor=request.user, role=Role.TOWNSHIP_SUPERVISOR, unit=u)
        ][:50]
    return render(
        request,
        "pages/certification/application_list.html",
        {"applications": _applications_visible(request.user)[:200], "townships": townships},
    )


@require_POST
@login_required
def application_new(request):
    _require_supervisor(request)
    unit = get_object_or_404(units_visible_to(request.user), code=request.POST.get("unit", ""))
    try:
        application = application_create(
            unit=unit, actor=request.user, title=request.POST.get("title", "")
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _message(error))
        return redirect("certification:applications")
    return redirect("certification:application", pk=application.pk)


@never_cache
@login_required
def application_detail(request, pk: int):
    """The list and its steps; each level sees the actions that are theirs to take."""
    _require_supervisor(request)
    application = get_object_or_404(_applications_visible(request.user), pk=pk)
    applicants = list(application.applicants.select_related("officer", "credential"))
    candidates = []
    user = request.user
    can_build = application.state == ApplicationState.DRAFT and actor_may(
        actor=user, role=Role.TOWNSHIP_SUPERVISOR, unit=application.unit
    )
    if can_build:
        listed = {a.officer_id for a in applicants if a.decision != "removed"}
        pool = [
            o for o in officers_under(application.unit).order_by("username") if o.pk not in listed
        ]
        lacks = applicant_lacks(officers=pool) if pool else {}
        candidates = [(o, *lacks[o.pk]) for o in pool]
        candidates.sort(key=lambda row: (bool(row[1]), row[0].username))
    return render(
        request,
        "pages/certification/application_detail.html",
        {
            "application": application,
            "applicants": applicants,
            "steps": application.steps.select_related("actor", "applicant__officer"),
            "candidates": candidates,
            "can_build": can_build,
            "can_sign": application.state == ApplicationState.DRAFT
            and actor_may(actor=user, role=Role.TOWNSHIP_HEAD, unit=application.unit),
            "can_review": application.state == ApplicationState.SIGNED
            and actor_may(actor=user, role=Role.JUSTICE_BUREAU, unit=application.unit),
            "can_approve": application.state == ApplicationState.COUNTY_DONE
            and actor_may(actor=user, role=Role.CITY_ADMIN, unit=application.unit),
        },
    )


@require_POST
@login_required
def application_action(request, pk: int):
    """One sign-off action; a refused step shows why and keeps everything already recorded."""
    _require_supervisor(request)
    application = get_object_or_404(_applications_visible(request.user), pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "add":
            officer = get_object_or_404(
                officers_under(application.unit), pk=id_param(request.POST, name="officer")
            )
            applicant_add(application=application, officer=officer, actor=request.user)
        elif action == "remove":
            applicant = get_object_or_404(
                Applicant, application=application, pk=id_param(request.POST, name="applicant")
            )
            applicant_remove(applicant=applicant, actor=request.user)
        elif action == "sign":
            application_sign(
                application=application, actor=request.user, note=request.POST.get("note", "")
            )
        elif action in ("approve", "return"):
            applicant = get_object_or_404(
                Applicant, application=application, pk=id_param(request.POST, name="applicant")
            )
            applicant_review(
                applicant=applicant,
                actor=request.user,
                approve=action == "approve",
                reason=request.POST.get("reason", ""),
            )
        elif action == "county_done":
            application_county_finish(application=application, actor=request.user)
        elif action == "city_approve":
            issued = application_city_approve(application=application, actor=request.user)
            messages.success(
                request, _("%(count)s certificate(s) issued.") % {"count": len(issued)}
            )
        else:
            messages.error(request, _("Unknown action."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _message(error))
    return redirect("certification:application", pk=application.pk)


@never_cache
@login_required
def application_pdf(request, pk: int):
    from ..pdf import application_list_pdf

    _require_supervisor(request)
    application = get_object_or_404(_applications_visible(request.user), pk=pk)
    response = HttpResponse(
        application_list_pdf(application=application), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="application-{application.pk}.pdf"'
    return response


@never_cache
@login_required
def annual_review(request):
    """Close last year for the county; reinstate suspended officers once hours are made up."""
    county = _bureau_county(request)
    today = _today()
    year = today.year - 1
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                outcome = annual_review_close(
                    county=county, year=year_param(request.POST, default=year), actor=request.user
                )
                messages.success(
                    request,
                    _(
                        "Year closed: %(passed)s passed, %(suspended)s suspended (%(already)s already decided)."
                    )
                    % {
                        "passed": outcome.passed,
                        "suspended": outcome.suspended,
                        "already": outcome.already,
                    },
                )
            elif request.POST.get("action") == "reinstate":
                credential = get_object_or_404(
                    Credential.objects.filter(officer__in=officers_under(county)),
                    pk=id_param(request.POST, name="credential"),
                )
                credential_reinstate(
                    credential=credential,
                    reason=request.POST.get("reason", "").strip() or _("Make-up hours completed"),
                    actor=request.user,
                    effective_on=today,
                )
                messages.success(
                    request, _("Certificate %(number)s reinstated.") % {"number": credential.number}
                )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _message(error))
        return redirect(f"{reverse('certification:annual_review')}?county={county.code}")
    suspended = officers_with_status(officers_under(county), on=today, status=StatusCode.SUSPENDED)
    for row in suspended:
        shortfall = sum(
            (r.details.get("missing") or 0) for r in row.reasons if r.code == "hours_shortfall"
        )
        made_up = row.facts.hours_in(today.year)
        row.shortfall = shortfall
        row.made_up = made_up
        row.ready = shortfall > 0 and made_up >= shortfall
    from ..models import AnnualReview

    return render(
        request,
        "pages/certification/annual_review.html",
        {
            "county": county,
            "year": year,
            "reviews": AnnualReview.objects.filter(unit=county),
            "suspended": suspended,
            "closed": AnnualReview.objects.filter(unit=county, year=year).exists(),
        },
    )


@never_cache
@login_required
def exam_import(request):
    """Import results from the provincial exam system; all or nothing, with a row-level report."""
    roles = user_roles(request.user)
    if not (request.user.is_superuser or Role.JUSTICE_BUREAU in roles or Role.CITY_ADMIN in roles):
        raise PermissionDenied
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to import."))
        else:
            report = exam_results_import(
                source=upload,
                filename=upload.name,
                actor=None if request.user.is_superuser else request.user,
                dry_run=bool(request.POST.get("dry_run")),
            )
            if report.ok:
                messages.success(
                    request,
                    _("%(created)s result(s) recorded, %(unchanged)s already there.")
                    % {"created": report.created, "unchanged": report.unchanged},
                )
    recent = (
        ExamResult.objects.filter(officer__in=officers_visible_to(request.user))
        .select_related("officer", "field")
        .order_by("-recorded_at")[:20]
    )
    return render(
        request, "pages/certification/exam_import.html", {"report": report, "recent": recent}
    )
