"""Readiness dashboards and their exports, for supervisors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from people.selectors import top_area_of, units_visible_to

from .. import charts
from ..exports import readiness_export_start
from ..models import (
    ExportJob,
    ExportState,
)
from ..selectors import (
    STATUS_ORDER,
    field_coverage,
    hours_distribution,
    officers_at_risk,
    readiness_by_unit,
    readiness_summary,
    township_readiness,
)
from ._common import _date_param, _require_supervisor


@never_cache
@login_required
def dashboard(request):
    """The viewer's own top-level area: city, county or township."""
    _require_supervisor(request)
    unit = top_area_of(request.user)
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
    if unit.is_grassroots:
        # One load of the roster gives every figure of a township's page.
        township = township_readiness(unit=unit, on=on)
        summary, children, roster = township.summary, [], township.roster
        coverage, all_fields = township.coverage, township.all_fields
        at_risk, bands = township.at_risk, township.bands
    else:
        summary = readiness_summary(unit=unit, on=on)
        children = readiness_by_unit(parent=unit, on=on)
        coverage, all_fields = field_coverage(parent=unit, on=on)
        at_risk = officers_at_risk(unit, on=on, limit=100)
        roster = []
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
