from django.urls import path

from . import views

app_name = "powers"

urlpatterns = [
    path("", views.catalogue_index, name="index"),
    path("units/<str:code>/", views.unit_powers, name="unit"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
]
