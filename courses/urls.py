"""URLs of the courses app that are not Wagtail pages, mounted at /training/."""

from django.urls import include, path

app_name = "courses"

urlpatterns = [
    path("", include("courses.training_urls")),
]
