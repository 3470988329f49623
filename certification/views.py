"""Views of certification: thin callers of the selectors and services, scoped to the viewer.

Every page starts from `units_visible_to` / `officers_visible_to`: another area's unit or
officer is a 404, never a 403 that would confirm it exists.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses.selectors import training_hours
from people.models import GRASSROOTS_KINDS, OrgUnit, Role, UnitKind, User
from people.params import id_param, year_param
from people.roles import SUPERVISORY_ROLES
from people.selectors import officers_visible_to, unit_county, units_visible_to, user_roles

from . import charts
from .exports import readiness_export_start
from .models import (
    Applicant,
    Application,
    ApplicationState,
    Credential,
    CredentialEvent,
    ExamResult,
    ExportJob,
    ExportState,
    Notification,
    StatusCode,
    VerificationToken,
)
from .selectors import (
    DATE_EARLIEST,
    DATE_LATEST,
    STATUS_ORDER,
    applicant_lacks,
    credential_status,
    exam_standing,
    field_coverage,
    hours_distribution,
    officers_under,
    officers_with_status,
    readiness_by_unit,
    readiness_summary,
)
from .services import (
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
    verification_token_for,
)


def _today() -> datetime.date:
    return timezone.localdate()


def _date_param(request) -> datetime.date:
    """`?on=YYYY-MM-DD` (status on another date); today when absent, unreadable or outside
    the years a status can be asked for."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return _today()
    return day if DATE_EARLIEST <= day <= DATE_LATEST else _today()


def _require_supervisor(request) -> set[str]:
    roles = user_roles(request.user)
    if not (request.user.is_superuser or roles & SUPERVISORY_ROLES):
        raise PermissionDenied
    return roles


# ---------------------------------------------------------------------------
# Officer: "My certificate"
# ---------------------------------------------------------------------------


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
    from .selectors.status import policy_current, required_hours

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


@never_cache
@login_required
def my_certificate(request):
    """The officer's own page: status, reasons, next step, hours, exams, history."""
    context = _officer_page_context(request.user, _date_param(request))
    context["is_self"] = True
    return render(request, "pages/certification/officer.html", context)


@never_cache
@login_required
def officer_detail(request, pk: int):
    """A supervisor's view of one officer (the last level of the drill-down)."""
    _require_supervisor(request)
    officer = get_object_or_404(officers_visible_to(request.user).select_related("unit"), pk=pk)
    context = _officer_page_context(officer, _date_param(request))
    context["is_self"] = officer.pk == request.user.pk
    return render(request, "pages/certification/officer.html", context)


# ---------------------------------------------------------------------------
# Readiness dashboards
# ---------------------------------------------------------------------------


def _top_unit(user: User) -> OrgUnit | None:
    units = units_visible_to(user).exclude(
        kind__in=[UnitKind.DEPARTMENT, UnitKind.COURT, UnitKind.JUSTICE_BUREAU]
    )
    return units.order_by("depth", "path").first()


@never_cache
@login_required
def dashboard(request):
    """The viewer's own top-level area: city, county or township."""
    _require_supervisor(request)
    unit = _top_unit(request.user)
    if unit is None:
        raise Http404
    return redirect("certification:dashboard_unit", code=unit.code)


@never_cache
@login_required
def dashboard_unit(request, code: str):
    """Readiness of one unit: counts by status (chart and table), drill-down, fields, at risk, hours."""
    _require_supervisor(request)
    unit = get_object_or_404(units_visible_to(request.user), code=code)
    on = _date_param(request)
    summary = readiness_summary(unit=unit, on=on)
    children = [] if unit.is_grassroots else readiness_by_unit(parent=unit, on=on)
    coverage, all_fields = field_coverage(parent=unit, on=on)
    at_risk = officers_with_status(
        officers_under(unit), on=on, status=StatusCode.AT_RISK, limit=100
    )
    roster = officers_with_status(officers_under(unit), on=on) if unit.is_grassroots else []
    bands = hours_distribution(unit=unit, on=on)
    ancestors = list(
        units_visible_to(request.user).filter(path__in=unit.ancestor_paths()[:-1]).order_by("depth")
    )
    exports = ExportJob.objects.filter(user=request.user, unit=unit)[:5]
    return render(
        request,
        "pages/certification/dashboard.html",
        {
            "unit": unit,
            "on": on,
            "summary": summary,
            "chart": charts.status_bars(summary),
            "children": children,
            "coverage": coverage,
            "all_fields": all_fields,
            "flagged": [c for c in coverage if c.flagged],
            "at_risk": at_risk,
            "roster": roster,
            "bands": bands,
            "bands_chart": charts.bands_bars(bands),
            "ancestors": ancestors,
            "exports": exports,
            "status_order": STATUS_ORDER,
        },
    )


@require_POST
@login_required
def export_start(request, code: str):
    """Queue an XLSX export of the unit's readiness; the page polls its progress.

    If the task queue is unreachable the job is marked failed with a message (see
    `exports.readiness_export_start`), and the page shows it like any failed export.
    """
    _require_supervisor(request)
    unit = get_object_or_404(units_visible_to(request.user), code=code)
    job = readiness_export_start(user=request.user, unit=unit, on=_date_param(request))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(
            {"id": job.pk, "progress_url": reverse("certification:export_status", args=[job.pk])}
        )
    job.refresh_from_db(fields=["state", "error"])
    if job.state == ExportState.FAILED:
        messages.error(request, job.error)
    else:
        messages.info(request, _("The export is being prepared; it will appear below when ready."))
    return redirect(f"{reverse('certification:dashboard_unit', args=[unit.code])}?on={job.on}")


@never_cache
@login_required
def export_status(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    return JsonResponse(
        {
            "state": job.state,
            "progress": job.progress,
            "download_url": reverse("certification:export_download", args=[job.pk])
            if job.file
            else "",
            "error": job.error,
        }
    )


@never_cache
@login_required
def export_download(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"readiness-{job.unit.code}-{job.on}.xlsx",
    )


# ---------------------------------------------------------------------------
# Transcript and public verification
# ---------------------------------------------------------------------------


def _transcript_response(request, officer: User) -> HttpResponse:
    from .pdf import transcript_pdf

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


def _mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


@never_cache
def verify(request, token: str):
    """Public: masked name, certificate number, today's status and fields — nothing else."""
    found = (
        VerificationToken.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("credential__officer")
        .first()
    )
    if found is None:
        return render(request, "pages/certification/verify.html", {"invalid": True}, status=404)
    credential = found.credential
    status = credential_status(officer=credential.officer)
    current = status.credential is not None and status.credential.pk == credential.pk
    from powers.models import EnforcementField

    names = dict(EnforcementField.objects.values_list("code", "name"))
    return render(
        request,
        "pages/certification/verify.html",
        {
            "name": _mask_name(credential.officer.full_name or credential.officer.username),
            "number": credential.number,
            "status_label": status.label if current else _("Superseded by a newer certificate"),
            "status_code": status.code if current else "superseded",
            "tone": status.tone if current else "",
            "fields": [names.get(code, code) for code in status.fields] if current else [],
            "today": _today(),
        },
    )


# ---------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------


@never_cache
@login_required
def notifications(request):
    notices = list(Notification.objects.filter(user=request.user)[:100])
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(request, "pages/certification/notifications.html", {"notices": notices})


# ---------------------------------------------------------------------------
# Applications and sign-off
# ---------------------------------------------------------------------------


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


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or _("You cannot take this step.")


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
    from .pdf import application_list_pdf

    _require_supervisor(request)
    application = get_object_or_404(_applications_visible(request.user), pk=pk)
    response = HttpResponse(
        application_list_pdf(application=application), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="application-{application.pk}.pdf"'
    return response


# ---------------------------------------------------------------------------
# Annual review and reinstatement (county justice bureau)
# ---------------------------------------------------------------------------


def _bureau_county(request) -> OrgUnit:
    roles = user_roles(request.user)
    if not (request.user.is_superuser or Role.JUSTICE_BUREAU in roles or Role.CITY_ADMIN in roles):
        raise PermissionDenied
    code = request.GET.get("county") or request.POST.get("county")
    counties = units_visible_to(request.user).filter(kind=UnitKind.COUNTY).order_by("path")
    if code:
        return get_object_or_404(counties, code=code)
    if request.user.unit is not None:
        county = unit_county(request.user.unit)
        if county is not None and counties.filter(pk=county.pk).exists():
            return county
    county = counties.first()
    if county is None:
        raise Http404
    return county


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
    from .models import AnnualReview

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


# ---------------------------------------------------------------------------
# Exam results import
# ---------------------------------------------------------------------------


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
