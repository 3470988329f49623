"""Sign-in limits: the account lock per address, and the failure limit per address.

django-axes counts failed logins per username *and* address (`AXES_LOCKOUT_PARAMETERS`):
five wrong passwords for an account from one address lock that account from that address
only, so nobody elsewhere can lock an officer out. `SignInHandler` extends axes' database
handler with a second limit, per address across every username, counted in the shared
cache (`people.ratelimit.RateLimit`): an address that fails `SIGNIN_ADDRESS_FAILURE_LIMIT`
times within a window is refused until the window ends. Only failed passwords count, never
a successful login nor an attempt refused unchecked, because a whole township signs in
from one office address. Both limits apply at `authenticate()`, so the site's login, the
Wagtail admin's and the Django admin's share them. See docs/sign-in.md.
"""

import ipaddress
import logging
import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from axes.handlers.database import AxesDatabaseHandler

from .ratelimit import RateLimit

security_log = logging.getLogger("people.security")


def client_address(request: HttpRequest) -> str | None:
    """The address a request came from (axes' `AXES_CLIENT_IP_CALLABLE`).

    Behind our own reverse proxy every request arrives from the proxy's address; nginx
    puts the client's in X-Real-IP, replacing any the client sent (site/nginx/). That
    header is believed only from an address in `SIGNIN_TRUSTED_PROXIES`.
    """
    peer = request.META.get("REMOTE_ADDR")
    if peer in settings.SIGNIN_TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return peer


def address_failures() -> RateLimit:
    """The failed logins of one address, across every username."""
    return RateLimit(
        scope="signin-address-failures",
        limit=settings.SIGNIN_ADDRESS_FAILURE_LIMIT,
        window=settings.SIGNIN_ADDRESS_FAILURE_WINDOW,
    )


def address_refused(address: str | None) -> bool:
    """True while `address` has used up its failed logins for the current window."""
    return bool(address) and address_failures().exceeded(address)


class SignInHandler(AxesDatabaseHandler):
    """axes' database handler (`AXES_HANDLER`), plus the failure limit per address."""

    def is_locked(self, request, credentials=None) -> bool:
        if address_refused(request.axes_ip_address):
            return True
        return super().is_locked(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # An attempt refused before its password was checked arrives here flagged
        # `axes_locked_out` (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False): it is
        # not a guess, and counting it would keep a shared address shut for good.
        if request is not None and not request.axes_locked_out and request.axes_ip_address:
            limit = address_failures()
            limit.hit(request.axes_ip_address)
            if limit.exceeded(request.axes_ip_address):
                security_log.warning(
                    "sign-in refused from this address after %s failed logins: ip=%s",
                    limit.limit,
                    request.axes_ip_address,
                )
        super().user_login_failed(sender, credentials, request, **kwargs)


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """The page of a refused login (`AXES_LOCKOUT_CALLABLE`): the address's limit, or the
    account's lock."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if address_refused(getattr(request, "axes_ip_address", None)):
        retry_after = address_failures().retry_after
        response = render(
            request,
            "pages/signin_address_refused.html",
            {"minutes": math.ceil(retry_after / 60)},
            status=status,
        )
        response["Retry-After"] = str(retry_after)
        return response
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=status)
