"""Public pages (发布公告社会公开): the powers each township holds today, and each list's changes."""

from itertools import groupby

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from people.models import GRASSROOTS_KINDS, OrgUnit, UnitKind

from . import selectors
from .models import PowerList


def catalogue_index(request):
    counties = list(OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("path"))
    units = OrgUnit.objects.filter(kind__in=GRASSROOTS_KINDS).order_by("path")
    by_county = []
    for county in counties:
        by_county.append((county, [u for u in units if u.path.startswith(county.path)]))
    return render(
        request,
        "pages/powers/index.html",
        {
            "by_county": by_county,
            "lists": selectors.power_lists_published(),
            "today": timezone.localdate(),
        },
    )


def unit_powers(request, code: str):
    unit = get_object_or_404(OrgUnit, code=code, kind__in=GRASSROOTS_KINDS)
    today = timezone.localdate()
    powers = list(selectors.powers_held(unit=unit, on=today))
    in_transition = {p.pk for p in powers if p.in_transition_on(today)}
    groups = [(field, list(items)) for field, items in groupby(powers, key=lambda p: p.field)]
    return render(
        request,
        "pages/powers/unit.html",
        {
            "unit": unit,
            "today": today,
            "groups": groups,
            "count": len(powers),
            "in_transition": in_transition,
            "current_list": selectors.power_list_current(unit=unit, on=today),
        },
    )


def list_detail(request, pk: int):
    power_list = get_object_or_404(PowerList.objects.select_related("issuer"), pk=pk)
    previous = selectors.power_list_previous(power_list=power_list)
    changes = selectors.power_list_changes(old=previous, new=power_list)
    return render(
        request,
        "pages/powers/list.html",
        {"power_list": power_list, "previous": previous, "changes": changes},
    )
