"""Helpers shared by the certification views: dates from the query string, the checks on
who may see supervisory pages, the county a bureau works in, and error messages."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import OrgUnit, Role, UnitKind
from people.roles import SUPERVISORY_ROLES
from people.selectors import unit_county, units_visible_to, user_roles

from ..selectors import (
    DATE_EARLIEST,
    DATE_LATEST,
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


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or _("You cannot take this step.")


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
