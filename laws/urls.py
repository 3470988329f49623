"""URLs of the law registry, mounted at /laws/ (namespace `laws`)."""

from django.urls import path

from . import views

app_name = "laws"

urlpatterns = [
    path("review/", views.review_queue_view, name="review_queue"),
    path("review/<int:pk>/", views.citation_review_view, name="citation_review"),
    path("changes/<int:pk>/", views.change_view, name="change"),
    path("changes/<int:pk>/confirm/", views.change_confirm_view, name="change_confirm"),
    path("changes/<int:pk>/pair/", views.change_pair_view, name="change_pair"),
]
