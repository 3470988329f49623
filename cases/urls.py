"""URLs of the case library that are not Wagtail pages, mounted at /training/cases/ (namespace `cases`)."""

from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("<int:page_id>/read/", views.case_read, name="case_read"),
    path("assignments/", views.case_assignments, name="case_assignments"),
    path(
        "assignments/<int:pk>/withdraw/",
        views.case_assignment_withdraw_view,
        name="case_assignment_withdraw",
    ),
]
