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
from people.params import id_list_param, id_param, year_param
from people.selectors import officers_visible_to, units_visible_to, user_roles

from ..models import (
    AnnualReview,
    Applicant,
    Application,
    ApplicationState,
    Credential,
    ExamResult,
    ReinstatementRequest,
    ReinstatementState,
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
    annual_review_preview,
    applicant_add,
    applicant_remove,
    applicant_review,
    application_city_approve,
    application_county_finish,
    application_create,
    application_sign,
    credential_reinstate,
    eligibility_from_status,
    exam_results_import,
    officers_reinstate,
)
from ._common import _bureau_county, _message, _require_supervisor, _today
from .reinstatement import report_bulk


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
    """Close last year for the county (after confirming who will be suspended); reinstate
    or export suspended officers, one at a time or selected in bulk."""
    county = _bureau_county(request)
    today = _today()
    year = today.year - 1
    back = f"{reverse('certification:annual_review')}?county={county.code}"
    review = AnnualReview.objects.filter(unit=county, year=year).select_related("closed_by").first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "export":
            rows = _suspended_rows(county, today)
            chosen = set(id_list_param(request.POST, name="officer"))
            rows = [row for row in rows if row.officer.pk in chosen]
            if not rows:
                messages.error(request, _("Select at least one officer."))
                return redirect(back)
            return _suspended_csv(rows, county)
        try:
            if action == "close":
                closing = year_param(request.POST, default=year)
                if not request.POST.get("confirm"):
                    return render(
                        request,
                        "pages/certification/annual_review_confirm.html",
                        {
                            "county": county,
                            "year": closing,
                            "rows": annual_review_preview(county=county, year=closing),
                        },
                    )
                outcome = annual_review_close(county=county, year=closing, actor=request.user)
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
            elif action == "reinstate_selected":
                chosen = id_list_param(request.POST, name="officer")
                officers = list(officers_under(county).filter(pk__in=chosen).select_related("unit"))
                outcome = officers_reinstate(
                    officers=officers,
                    actor=request.user,
                    reason=request.POST.get("reason", ""),
                    on=today,
                )
                report_bulk(request, outcome, _("%(count)s certificate(s) reinstated."))
            elif action == "reinstate":
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
            else:
                messages.error(request, _("Unknown action."))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _message(error))
        return redirect(back)
    return render(
        request,
        "pages/certification/annual_review.html",
        {
            "county": county,
            "year": year,
            "reviews": AnnualReview.objects.filter(unit=county).select_related("closed_by"),
            "suspended": _suspended_rows(county, today),
            "review": review,
            "closed": review is not None,
            "pending_requests": ReinstatementRequest.objects.filter(
                officer__in=officers_under(county), status=ReinstatementState.PENDING
            ).count(),
        },
    )


def _suspended_rows(county, today):
    """Suspended officers under `county`, each with the reinstatement rule's verdict."""
    rows = officers_with_status(officers_under(county), on=today, status=StatusCode.SUSPENDED)
    for row in rows:
        verdict = eligibility_from_status(row.code, row.reasons, row.facts.hours_in(today.year))
        row.shortfall = verdict.shortfall
        row.made_up = verdict.made_up
        row.ready = verdict.ok
        row.not_ready_reason = verdict.reason
    return rows


def _suspended_csv(rows, county) -> HttpResponse:
    import csv

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="suspended-{county.code}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the Chinese names as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Officer"),
            _("Username"),
            _("Unit"),
            _("Reasons"),
            _("Hours missing"),
            _("Make-up hours this year"),
            _("May be reinstated"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                _csv_safe(row.officer.full_name),
                row.officer.username,
                _csv_safe(row.officer.unit.name if row.officer.unit else ""),
                _csv_safe(" / ".join(r.message for r in row.reasons)),
                row.shortfall,
                row.made_up,
                _("yes") if row.ready else _("no"),
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    value = str(value or "")
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


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
