"""URLs of the training area (not Wagtail pages), inside the `courses` namespace at /training/."""

from django.urls import path

from .views import field_practice, lectures, officer, placements, supervision

app_name = "courses"

urlpatterns = [
    path("me/", officer.my_training, name="my_training"),
    path("lessons/<int:pk>/complete/", officer.lesson_complete, name="lesson_complete"),
    path("lessons/<int:pk>/heartbeat/", officer.lesson_heartbeat, name="lesson_heartbeat"),
    path("lectures/", lectures.lecture_list, name="lecture_list"),
    path("lectures/<int:pk>/", lectures.lecture_detail, name="lecture_detail"),
    path("lectures/<int:pk>/sign-up/", lectures.lecture_signup, name="lecture_signup"),
    path("lectures/<int:pk>/withdraw/", lectures.lecture_withdraw, name="lecture_withdraw"),
    path("lectures/<int:pk>/check-in/", lectures.lecture_checkin, name="lecture_checkin"),
    path("lectures/<int:pk>/roster/", lectures.lecture_roster, name="lecture_roster"),
    path("placements/", placements.placement_list, name="placement_list"),
    path("placements/manage/", placements.placement_manage_list, name="placement_manage_list"),
    path("placements/<int:pk>/apply/", placements.placement_apply, name="placement_apply"),
    path("placements/<int:pk>/manage/", placements.placement_manage, name="placement_manage"),
    path("applications/<int:pk>/decide/", placements.placement_decide, name="placement_decide"),
    path("applications/<int:pk>/confirm/", placements.placement_confirm, name="placement_confirm"),
    path(
        "applications/<int:pk>/reflection/", placements.reflection_submit, name="reflection_submit"
    ),
    path("applications/<int:pk>/review/", placements.reflection_review, name="reflection_review"),
    path(
        "attachments/<int:pk>/<str:filename>",
        placements.reflection_attachment,
        name="reflection_attachment",
    ),
    path("reviews/", placements.review_list, name="review_list"),
    path("field-practice/", field_practice.field_session_list, name="field_session_list"),
    path("field-practice/new/", field_practice.field_session_new, name="field_session_new"),
    path("field-practice/<int:pk>/", field_practice.field_session_detail, name="field_session"),
    path("field-practice/<int:pk>/sign/", field_practice.field_sign, name="field_sign"),
    path("evaluations/<int:pk>/", field_practice.field_evaluate, name="field_evaluate"),
    path(
        "evaluations/<int:pk>/acknowledge/",
        field_practice.field_acknowledge,
        name="field_acknowledge",
    ),
    path("officers/hours/", supervision.supervisor_hours, name="supervisor_hours"),
]
