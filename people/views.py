"""Views of the people app: the role-aware home page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from wagtail import hooks

from .roles import SUPERVISORY_ROLES
from .selectors import officers_visible_to, units_visible_to, user_roles


@never_cache
@login_required
def home(request):
    """Greets each role with what matters to it.

    Later apps add their own panels (hours, certificate status, readiness) through the
    `home_panels` hook, so this app never imports them: each hook function receives the
    request and returns a panel dict (`template` and `context`) or None.
    """
    roles = user_roles(request.user)
    panels = []
    for hook in hooks.get_hooks("home_panels"):
        panel = hook(request=request, roles=roles)
        if panel:
            panels.append(panel)
    panels.sort(key=lambda panel: panel.get("order", 100))
    return render(
        request,
        "pages/home.html",
        {
            "roles": sorted(roles),
            "panels": panels,
            "unit": request.user.unit,
        },
    )


@never_cache
@login_required
def officer_list(request):
    """The roster of officers the viewer oversees, filterable by unit and searchable by name."""
    roles = user_roles(request.user)
    if not (request.user.is_superuser or roles & SUPERVISORY_ROLES):
        raise PermissionDenied
    units = units_visible_to(request.user).grassroots()
    officers = (
        officers_visible_to(request.user)
        .select_related("unit")
        .order_by("unit__path", "employee_number", "username")
    )
    unit_code = request.GET.get("unit", "")
    selected_unit = units.filter(code=unit_code).first() if unit_code else None
    if selected_unit is not None:
        officers = officers.filter(unit=selected_unit)
    query = request.GET.get("q", "").strip()
    if query:
        officers = officers.filter(
            Q(full_name__icontains=query) | Q(employee_number__icontains=query)
        )
    page = Paginator(officers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/people/officer_list.html",
        {
            "page": page,
            "units": units,
            "selected_unit": selected_unit,
            "query": query,
        },
    )
