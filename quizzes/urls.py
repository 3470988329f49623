"""Officer and trainer pages of the quiz engine, mounted at /quizzes/ (namespace `quizzes`)."""

from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("", views.quiz_index, name="index"),
    path("<int:pk>/", views.quiz_detail, name="detail"),
    path("<int:pk>/start/", views.quiz_start, name="start"),
    path("attempt/<uuid:public_id>/", views.attempt_take, name="attempt"),
    path("attempt/<uuid:public_id>/save/", views.attempt_post, name="attempt_save"),
    path(
        "attempt/<uuid:public_id>/submit/",
        views.attempt_post,
        {"finish": True},
        name="attempt_submit",
    ),
    path("attempt/<uuid:public_id>/answer/", views.attempt_answer, name="attempt_answer"),
    path("attempt/<uuid:public_id>/result/", views.attempt_result, name="attempt_result"),
    path("results/", views.my_results, name="my_results"),
    path("officers/", views.officer_results, name="officer_results"),
    path("officers/<int:user_pk>/", views.officer_result_detail, name="officer_result_detail"),
    path("marking/", views.marking_queue, name="marking_queue"),
    path("marking/<int:slot_pk>/", views.mark_essay, name="mark_essay"),
]
