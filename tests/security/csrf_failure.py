"""A CSRF failure view for the security suite: it says plainly that CSRF refused the request,
so a test can tell that refusal apart from a view's own 403."""

from django.http import HttpResponseForbidden

MARKER = "csrf-refused"


def csrf_failure(request, reason: str = ""):
    return HttpResponseForbidden(f"{MARKER}: {reason}")
