"""URLs of the case library that are not Wagtail pages, mounted at /training/cases/ (namespace `courses`)."""

from django.urls import path

from . import case_views

urlpatterns = [
    path("<int:page_id>/read/", case_views.case_read, name="case_read"),
    path("assignments/", case_views.case_assignments, name="case_assignments"),
    path(
        "assignments/<int:pk>/withdraw/",
        case_views.case_assignment_withdraw_view,
        name="case_assignment_withdraw",
    ),
]
