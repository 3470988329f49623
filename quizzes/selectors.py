"""Read-side rules of the quiz engine."""

from django.db.models import QuerySet

from people.models import User

from .models import Attempt, Quiz


def quiz_passed(*, user: User, quiz: Quiz) -> bool:
    """Whether the user has a graded, passing attempt at the quiz."""
    return Attempt.objects.filter(user=user, quiz=quiz, passed=True).exists()


def quizzes_passed(*, user: User, quizzes: QuerySet[Quiz] | list[Quiz]) -> set[int]:
    """Ids of those quizzes the user has passed, in one query."""
    ids = [q.pk for q in quizzes]
    return set(
        Attempt.objects.filter(user=user, quiz_id__in=ids, passed=True).values_list(
            "quiz_id", flat=True
        )
    )
