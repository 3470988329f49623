"""Views of the people app: the role-aware home page, the officer roster and password help."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from wagtail import hooks

from .models import PasswordResetMethod
from .passwords import (
    SESSION_FLAG,
    may_reset_passwords,
    password_changed,
    password_reset_one_time,
    resettable_officers,
)
from .ratelimit import RateLimit
from .roles import SUPERVISORY_ROLES
from .selectors import officers_visible_to, units_visible_to, user_roles
from .signin import client_address

#: Reset-by-email requests from one address: enough for a township office sharing one line.
EMAIL_RESET_LIMIT = RateLimit(scope="password-reset-email", limit=20, window=3600)


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
            "may_reset": may_reset_passwords(request.user),
        },
    )


@never_cache
@login_required
def officer_password_reset(request, pk: int):
    """A supervisor or bureau gives an officer of their area a one-time password.

    GET asks for confirmation; POST issues the password and shows it once. Anyone else,
    or an officer outside the area, gets a 404.
    """
    officer = get_object_or_404(resettable_officers(request.user).select_related("unit"), pk=pk)
    password = None
    if request.method == "POST":
        password = password_reset_one_time(actor=request.user, officer=officer)
    response = render(
        request,
        "pages/people/password_reset_staff.html",
        {"officer": officer, "password": password},
    )
    response["Cache-Control"] = "no-store"
    return response


class PasswordChange(auth_views.PasswordChangeView):
    """Change one's own password; ends the one-time-password state and records the change."""

    template_name = "pages/people/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user)
        self.request.session.pop(SESSION_FLAG, None)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetByEmail(auth_views.PasswordResetView):
    """Django's reset-by-link flow, for accounts with an email address; rate-limited per address."""

    template_name = "pages/people/password_reset_email.html"
    email_template_name = "pages/people/password_reset_email.txt"
    subject_template_name = "pages/people/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        if not EMAIL_RESET_LIMIT.hit(client_address(self.request)):
            form.add_error(None, _("Too many reset requests from this address. Try again later."))
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "pages/people/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user, method=PasswordResetMethod.EMAIL)
        return response
