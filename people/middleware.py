"""Security headers for every response: a same-origin Content-Security-Policy, and no caching
of pages that carry personal data.

Government intranets have no CDN, and the product loads nothing from elsewhere, so the
policy names no external origin at all. Pages shown to a signed-in user carry personal data
(hours, certificate status, answers); `Cache-Control: no-store` keeps them out of shared
and browser caches.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers

SITE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

# The Wagtail admin's editor still relies on inline scripts and styles; it gets the same
# same-origin policy with inline code allowed, still with no external origin.
ADMIN_POLICY = SITE_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline' 'unsafe-eval'"
)


class NulCharacterMiddleware:
    """Answer 400 to a URL holding a NUL character (`%00`), before any view sees it.

    No name, code or token in the product contains one, PostgreSQL cannot compare text
    with one (the query fails), and Django's forms already refuse it in form fields; URLs
    are the way left in. Runs before the language is chosen, so the message is in both
    languages. The JSON API checks its own parameters and documents its own answers
    (404 for a key holding a NUL, 422 for a malformed date), so its prefix is left to it
    (`NUL_CHECK_EXEMPT_PREFIXES`).
    """

    MESSAGE = (
        "请求地址中含有无法处理的字符（NUL）。\n"
        "The address contains a character that cannot be processed (NUL).\n"
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = tuple(getattr(settings, "NUL_CHECK_EXEMPT_PREFIXES", ()))

    def __call__(self, request):
        if self.exempt and request.path_info.startswith(self.exempt):
            return self.get_response(request)
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefixes = tuple(
            getattr(settings, "CSP_RELAXED_PREFIXES", ("/admin/", "/django-admin/"))
        )

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(self.admin_prefixes)
            response["Content-Security-Policy"] = ADMIN_POLICY if relaxed else SITE_POLICY
        # Signed in is read from the session, not from `request.user`: loading the user
        # here would cost every request that never needed it a query.
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            response["Cache-Control"] = "no-store, private"
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose otherwise.

    Django's LocaleMiddleware follows the browser's Accept-Language header and supports
    language prefixes in URLs; here the interface is Chinese first whatever the browser
    says, English only when the user picks it with the language switch (which sets the
    language cookie), and no URL carries a language. So the answer varies with the
    cookie, not with Accept-Language, and the work of those two features is skipped: this
    runs on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
