from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="pages/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("officers/", views.officer_list, name="officer_list"),
    path(
        "officers/<int:pk>/password/",
        views.officer_password_reset,
        name="officer_password_reset",
    ),
    path("password/change/", views.PasswordChange.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetByEmail.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="pages/people/password_reset_sent.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="pages/people/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
