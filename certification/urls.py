"""Certification pages, mounted at /certificate/ (namespace `certification`)."""

from django.urls import path

from . import views
from .api import api

app_name = "certification"

urlpatterns = [
    path("", views.my_certificate, name="mine"),
    path("transcript.pdf", views.my_transcript, name="transcript_mine"),
    path("notifications/", views.notifications, name="notifications"),
    path("officers/<int:pk>/", views.officer_detail, name="officer"),
    path("officers/<int:pk>/suspend/", views.officer_suspend_view, name="officer_suspend"),
    path("officers/<int:pk>/transcript.pdf", views.officer_transcript, name="transcript"),
    path("readiness/", views.dashboard, name="dashboard"),
    path("readiness/<str:code>/", views.dashboard_unit, name="dashboard_unit"),
    path("readiness/<str:code>/export/", views.export_start, name="export_start"),
    path("exports/<int:pk>/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("applications/", views.application_list, name="applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/action/", views.application_action, name="application_action"),
    path("applications/<int:pk>/list.pdf", views.application_pdf, name="application_pdf"),
    path("annual-review/", views.annual_review, name="annual_review"),
    path("reinstatement/request/", views.reinstatement_request_view, name="reinstatement_request"),
    path("reinstatement/", views.reinstatement_requests, name="reinstatement_requests"),
    path(
        "reinstatement/decide/",
        views.reinstatement_requests_decide_view,
        name="reinstatement_decide",
    ),
    path("exams/import/", views.exam_import, name="exam_import"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("api/", api.urls),
]
