"""Wagtail wiring of certification: home-page panels, the policy audit hook, admin menu links."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from people.models import Role
from people.roles import SUPERVISORY_ROLES

from .models import CredentialPolicy


@hooks.register("home_panels")
def officer_certificate_panel(*, request, roles):
    """An officer sees their certificate status and this year's hours on the home page."""
    if Role.OFFICER not in roles:
        return None
    from courses.selectors import training_hours

    from .messages import hours_text
    from .models import Notification
    from .selectors import credential_status
    from .selectors.status import policy_current, required_hours

    status = credential_status(officer=request.user)
    hours = training_hours(officer=request.user, year=status.on.year)
    policy = policy_current()
    required = (
        required_hours(
            amount=policy.annual_hours, issued_on=status.credential.issued_on, year=status.on.year
        )
        if status.credential
        else policy.annual_hours
    )
    return {
        "template": "components/certification/home_officer_panel.html",
        "context": {
            "status": status,
            "hours_text": hours_text(hours["total"]),
            "required_text": hours_text(required),
            "unread": Notification.objects.filter(user=request.user, read_at__isnull=True).count(),
        },
        "order": 10,
    }


@hooks.register("home_panels")
def readiness_panel(*, request, roles):
    """Supervisors see how many officers of their area may enforce today."""
    if not (roles & SUPERVISORY_ROLES or request.user.is_superuser):
        return None
    from people.selectors import top_area_of

    from .selectors import readiness_summary

    unit = top_area_of(request.user)
    if unit is None:
        return None
    return {
        "template": "components/certification/home_readiness_panel.html",
        "context": {
            "unit": unit,
            "summary": readiness_summary(unit=unit),
            "bureau": bool(roles & {Role.JUSTICE_BUREAU, Role.CITY_ADMIN})
            or request.user.is_superuser,
        },
        "order": 15,
    }


@hooks.register("before_edit_setting")
def policy_edit_started(request, instance):
    """Remember who is editing, so the audit row written on save names them."""
    if isinstance(instance, CredentialPolicy):
        from .services.policy import policy_actor

        policy_actor.set(request.user)


@hooks.register("after_edit_setting")
def policy_edit_finished(request, instance):
    if isinstance(instance, CredentialPolicy):
        from .services.policy import policy_actor

        policy_actor.set(None)


class RoleMenuItem(MenuItem):
    def __init__(self, *args, roles: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = roles

    def is_shown(self, request):
        from people.selectors import user_roles

        return request.user.is_superuser or bool(user_roles(request.user) & self.roles)


@hooks.register("register_admin_menu_item")
def readiness_menu_item():
    return RoleMenuItem(
        _("Certificate readiness"),
        reverse("certification:dashboard"),
        icon_name="doc-full",
        order=910,
        roles={Role.JUSTICE_BUREAU, Role.CITY_ADMIN, Role.TRAINER},
    )


@hooks.register("training_hours_required")
def training_hours_required(*, year: int):
    """The credential policy's annual hours, for the training pages (courses cannot import us)."""
    from .selectors.status import policy_current

    return policy_current().annual_hours
