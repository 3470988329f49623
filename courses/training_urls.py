"""URLs of the training area (not Wagtail pages), inside the `courses` namespace at /training/."""

from django.urls import path

from . import training_views as views

urlpatterns = [
    path("me/", views.my_training, name="my_training"),
    path("lessons/<int:pk>/complete/", views.lesson_complete, name="lesson_complete"),
    path("lessons/<int:pk>/heartbeat/", views.lesson_heartbeat, name="lesson_heartbeat"),
    path("lectures/", views.lecture_list, name="lecture_list"),
    path("lectures/<int:pk>/", views.lecture_detail, name="lecture_detail"),
    path("lectures/<int:pk>/sign-up/", views.lecture_signup, name="lecture_signup"),
    path("lectures/<int:pk>/withdraw/", views.lecture_withdraw, name="lecture_withdraw"),
    path("lectures/<int:pk>/check-in/", views.lecture_checkin, name="lecture_checkin"),
    path("lectures/<int:pk>/roster/", views.lecture_roster, name="lecture_roster"),
    path("placements/", views.placement_list, name="placement_list"),
    path("placements/manage/", views.placement_manage_list, name="placement_manage_list"),
    path("placements/<int:pk>/apply/", views.placement_apply, name="placement_apply"),
    path("placements/<int:pk>/manage/", views.placement_manage, name="placement_manage"),
    path("applications/<int:pk>/decide/", views.placement_decide, name="placement_decide"),
    path("applications/<int:pk>/confirm/", views.placement_confirm, name="placement_confirm"),
    path("applications/<int:pk>/reflection/", views.reflection_submit, name="reflection_submit"),
    path("applications/<int:pk>/review/", views.reflection_review, name="reflection_review"),
    path(
        "attachments/<int:pk>/<str:filename>",
        views.reflection_attachment,
        name="reflection_attachment",
    ),
    path("reviews/", views.review_list, name="review_list"),
    path("field-practice/", views.field_session_list, name="field_session_list"),
    path("field-practice/new/", views.field_session_new, name="field_session_new"),
    path("field-practice/<int:pk>/", views.field_session_detail, name="field_session"),
    path("field-practice/<int:pk>/sign/", views.field_sign, name="field_sign"),
    path("evaluations/<int:pk>/", views.field_evaluate, name="field_evaluate"),
    path("evaluations/<int:pk>/acknowledge/", views.field_acknowledge, name="field_acknowledge"),
    path("officers/hours/", views.supervisor_hours, name="supervisor_hours"),
]
