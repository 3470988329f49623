"""URL map: the officer-facing site, the public powers pages, the Wagtail admin, and Wagtail pages."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from certification import views as certification_views
from people import views as people_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("people.urls")),
    path("powers/", include("powers.urls")),
    path("training/", include("courses.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("certificate/", include("certification.urls")),
    # The short public address printed as a QR code on transcripts.
    path("verify/<str:token>/", certification_views.verify, name="verify"),
    path("", people_views.home, name="home"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
