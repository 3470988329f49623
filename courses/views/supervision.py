"""Supervisors' view of hours in their area, on screen and as XLSX."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache

from people.params import year_param
from people.roles import SUPERVISORY_ROLES
from people.selectors import user_roles
from people.spreadsheets import XLSX_CONTENT_TYPE, sheet_append, xlsx_bytes, xlsx_workbook

from ..models import (
    HourCategory,
)
from ..selectors import training as sel


@never_cache
@login_required
def supervisor_hours(request):
    roles = user_roles(request.user)
    if not (request.user.is_superuser or roles & SUPERVISORY_ROLES):
        raise PermissionDenied
    year = year_param(request.GET, default=timezone.localdate().year)
    sort = request.GET.get("sort", "unit")
    if sort not in sel.SUPERVISOR_SORTS:
        sort = "unit"
    officers = sel.supervisor_hours(user=request.user, year=year, sort=sort)
    required = sel.hours_required(year=year)
    if request.GET.get("format") == "xlsx":
        return _hours_xlsx(officers, year=year, required=required)
    page = Paginator(officers, 100).get_page(request.GET.get("page"))
    columns = (
        [("name", pgettext("person", "Name")), ("unit", _("Unit"))]
        + [(code, label) for code, label in HourCategory.choices]
        + [("total", _("Total"))]
    )
    return render(
        request,
        "pages/courses/supervisor_hours.html",
        {
            "page": page,
            "year": year,
            "sort": sort,
            "required": required,
            "columns": columns,
            "categories": HourCategory.values,
        },
    )


def _hours_xlsx(officers, *, year: int, required) -> HttpResponse:
    workbook = xlsx_workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(year))
    sheet_append(
        sheet,
        [
            "工号",
            "姓名",
            "单位",
            "公共法律知识",
            "业务知识",
            "执法技能",
            "合计",
            f"要求 {required}",
        ],
    )
    for officer in officers.iterator(chunk_size=500):
        sheet_append(
            sheet,
            [
                officer.employee_number or "",
                officer.full_name,
                officer.unit.name if officer.unit else "",
                float(officer.hours_public_law),
                float(officer.hours_professional),
                float(officer.hours_skills),
                float(officer.hours_total),
                "达标" if officer.hours_total >= required else "未达标",
            ],
        )
    response = HttpResponse(xlsx_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="training-hours-{year}.xlsx"'
    return response
