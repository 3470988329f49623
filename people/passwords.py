"""Password help for people who forget theirs.

Many officers have no email address, so the usual way back in is their township
supervisor or county justice bureau: they issue a one-time password that works once, for
signing in and choosing a new one (`password_reset_one_time`). Where an email address is
set, Django's own reset-by-link flow is offered too. Every reset and change is recorded in
`PasswordResetEvent`, with who did it; no password is ever stored or logged in clear.
"""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .models import PasswordResetEvent, PasswordResetMethod, Role, User
from .selectors import officers_visible_to, user_roles

#: Roles that may issue a one-time password to an officer of their area.
RESETTING_ROLES = frozenset(
    {Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_HEAD, Role.JUSTICE_BUREAU, Role.CITY_ADMIN}
)

# No 0/O, 1/l/I: the password is read aloud or copied from a screen by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ONE_TIME_LENGTH = 10


def may_reset_passwords(user: User) -> bool:
    """Whether a user may issue one-time passwords at all (to the officers of their area)."""
    return bool(user.is_authenticated and user_roles(user) & RESETTING_ROLES)


def resettable_officers(actor: User):
    """The officers whose password `actor` may reset: their area's officers, never themselves."""
    if not may_reset_passwords(actor):
        return User.objects.none()
    return officers_visible_to(actor).exclude(pk=actor.pk).filter(is_active=True)


def one_time_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(ONE_TIME_LENGTH))


@transaction.atomic
def password_reset_one_time(*, actor: User, officer: User) -> str:
    """Give `officer` a one-time password, recorded against `actor`, and return it.

    The officer must choose a new password at their next sign-in. Refused unless the actor
    holds a resetting role over the officer's unit.
    """
    if not resettable_officers(actor).filter(pk=officer.pk).exists():
        raise PermissionDenied(_("You may not reset this officer's password."))
    password = one_time_password()
    officer.set_password(password)
    officer.must_change_password = True
    officer.save(update_fields=["password", "must_change_password"])
    PasswordResetEvent.objects.create(
        user=officer, actor=actor, method=PasswordResetMethod.ONE_TIME
    )
    return password


@transaction.atomic
def password_changed(*, user: User, method: str = PasswordResetMethod.CHANGED) -> None:
    """Record that `user` set a new password themselves (after a one-time one, or by email)."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    PasswordResetEvent.objects.create(user=user, actor=user, method=method)


SESSION_FLAG = "must_change_password"


def flag_on_login(sender, request=None, user=None, **kwargs) -> None:
    """On sign-in, remember in the session whether the password must be changed first.

    Kept in the session so the middleware below costs nothing on ordinary requests: it
    never loads the user just to look at the flag.
    """
    if request is not None and getattr(user, "must_change_password", False):
        request.session[SESSION_FLAG] = True


class PasswordChangeRequiredMiddleware:
    """Until a one-time password is replaced, every page leads to the change-password form."""

    ALLOWED_PREFIXES = ("/static/", "/favicon.ico", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The allowed prefixes first: they need no session, which would cost a query.
        if request.path.startswith(self.ALLOWED_PREFIXES):
            return self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_FLAG):
            from django.shortcuts import redirect
            from django.urls import reverse

            if request.path not in (reverse("password_change"), reverse("logout")):
                return redirect("password_change")
        return self.get_response(request)
