"""Security headers for every response: a same-origin Content-Security-Policy, and no caching
of pages that carry personal data.

Government intranets have no CDN, and the product loads nothing from elsewhere, so the
policy names no external origin at all. Pages shown to a signed-in user carry personal data
(hours, certificate status, answers); `Cache-Control: no-store` keeps them out of shared
and browser caches.
"""

from django.conf import settings

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
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response
