"""Celery tasks of the quiz engine: thin callers of services, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="quizzes.tasks.attempts_expire")
def attempts_expire() -> int:
    """Finish every attempt whose deadline plus grace has passed (beat: every minute)."""
    return services.attempts_expire()
