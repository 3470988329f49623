"""URL map: the officer-facing site, the public powers pages, the Wagtail admin, and Wagtail pages."""

import re

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic.base import RedirectView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from certification import views as certification_views
from people import views as people_views
from people.media import media_serve

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico before reading the page's <link rel="icon">.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("favicon.ico"), permanent=True),
        name="favicon",
    ),
    path("accounts/", include("people.urls")),
    path("powers/", include("powers.urls")),
    path("training/cases/", include("cases.urls")),
    path("training/", include("courses.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("certificate/", include("certification.urls")),
    path("laws/", include("laws.urls")),
    # The short public address printed as a QR code on transcripts.
    path("verify/<str:token>/", certification_views.verify, name="verify"),
    path("", people_views.home, name="home"),
]

# Uploaded media: nginx serves it in production; under `make run` (DEBUG) this view serves
# the public folders only. The view decides per request, so private uploads are never
# public media in any mode (people/media.py).
urlpatterns += [
    re_path(
        rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", media_serve, name="media"
    )
]

urlpatterns += [path("", include(wagtail_urls))]
