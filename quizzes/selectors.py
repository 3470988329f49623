"""Read-side rules of the quiz engine: effective rules, results, marking queue, item analysis.

`quiz_passed` / `quizzes_passed` are used by the courses app and must stay stable. A quiz
counts one attempt per officer, chosen by the quiz's grading method: the highest graded
attempt, or the last graded one.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet

from people.models import Role, User
from people.selectors import officers_visible_to, user_roles

from .models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    GradingMethod,
    Option,
    QuestionType,
    Quiz,
    QuizOverride,
    ReviewPolicy,
)


def user_is_quiz_editor(*, user: User) -> bool:
    """Editors may see drafts and try them; everyone else never sees a draft."""
    return bool(user.is_authenticated and user.has_perm("quizzes.change_quiz"))


@dataclass(frozen=True)
class QuizRules:
    """A quiz's rules for one officer, with their newest override applied."""

    time_limit_minutes: int | None
    attempts_allowed: int
    opens_at: datetime | None
    closes_at: datetime | None
    override: QuizOverride | None = None


def quiz_rules_for(*, quiz: Quiz, user: User) -> QuizRules:
    override = QuizOverride.objects.filter(quiz=quiz, user=user).first()

    def pick(name):
        if override is not None and getattr(override, name) is not None:
            return getattr(override, name)
        return getattr(quiz, name)

    return QuizRules(
        time_limit_minutes=pick("time_limit_minutes"),
        attempts_allowed=pick("attempts_allowed"),
        opens_at=pick("opens_at"),
        closes_at=pick("closes_at"),
        override=override,
    )


def quizzes_for_officer(*, user: User) -> QuerySet[Quiz]:
    """Quizzes an officer may see (never drafts, unless the user edits quizzes)."""
    quizzes = Quiz.objects.select_related("field").order_by("kind", "title")
    if user_is_quiz_editor(user=user):
        return quizzes
    return quizzes.filter(is_draft=False)


def _counting_attempts(*, user: User) -> QuerySet[Attempt]:
    """The user's graded attempts that count under their quiz's grading method."""
    later = Attempt.objects.filter(
        user=user,
        quiz=OuterRef("quiz"),
        status=AttemptStatus.GRADED,
        number__gt=OuterRef("number"),
    )
    return Attempt.objects.filter(user=user, status=AttemptStatus.GRADED).filter(
        Q(quiz__grading_method=GradingMethod.HIGHEST) | ~Exists(later)
    )


def quiz_result(*, user: User, quiz: Quiz) -> Attempt | None:
    """The attempt that counts for the user at this quiz, or None if none is graded."""
    attempts = _counting_attempts(user=user).filter(quiz=quiz)
    return attempts.order_by("-score", "-number").first()


def quiz_passed(*, user: User, quiz: Quiz) -> bool:
    """Whether the attempt that counts for the user at this quiz passed."""
    return _counting_attempts(user=user).filter(quiz=quiz, passed=True).exists()


def quizzes_passed(*, user: User, quizzes: QuerySet[Quiz] | list[Quiz]) -> set[int]:
    """Ids of those quizzes the user has passed, in one query."""
    ids = [q.pk for q in quizzes]
    return set(
        _counting_attempts(user=user)
        .filter(quiz_id__in=ids, passed=True)
        .values_list("quiz_id", flat=True)
    )


def attempt_for_user(*, user: User, public_id) -> Attempt | None:
    """The user's own attempt with that id, or None (the view answers 404)."""
    return Attempt.objects.select_related("quiz").filter(user=user, public_id=public_id).first()


def attempt_review_allowed(*, attempt: Attempt, now: datetime) -> bool:
    """Whether the officer may see right answers and explanations for this attempt.

    Never while it is in progress; afterwards as the quiz's review policy says.
    """
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return False
    policy = attempt.quiz.review
    if policy == ReviewPolicy.AFTER_SUBMIT:
        return True
    if policy == ReviewPolicy.AFTER_CLOSE:
        return attempt.quiz.closes_at is not None and now >= attempt.quiz.closes_at
    return False


@dataclass
class CategoryScore:
    name: str
    awarded: Decimal = Decimal(0)
    possible: Decimal = Decimal(0)
    questions: int = 0

    @property
    def percent(self) -> Decimal:
        if not self.possible:
            return Decimal(0)
        return (self.awarded * 100 / self.possible).quantize(Decimal("0.1"))


def _breakdown(slots) -> list[CategoryScore]:
    scores: dict[int, CategoryScore] = {}
    for slot in slots:
        category = slot.question.category
        entry = scores.setdefault(category.pk, CategoryScore(name=category.name))
        entry.questions += 1
        entry.possible += slot.max_points
        entry.awarded += slot.points or Decimal(0)
    return sorted(scores.values(), key=lambda entry: entry.name)


def attempt_category_breakdown(*, attempt: Attempt) -> list[CategoryScore]:
    """Marks per question category within one finished attempt."""
    return _breakdown(
        AttemptQuestion.objects.filter(attempt=attempt, points__isnull=False).select_related(
            "question__category"
        )
    )


def officer_category_breakdown(*, user: User) -> list[CategoryScore]:
    """Marks per question category over all the officer's graded attempts (the progress
    page of django-quiz-app)."""
    return _breakdown(
        AttemptQuestion.objects.filter(
            attempt__user=user, attempt__status=AttemptStatus.GRADED
        ).select_related("question__category")
    )


def officer_attempts(*, user: User) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user).select_related("quiz").order_by("-started_at")


MARKING_ROLES = {Role.TRAINER, Role.CITY_ADMIN}


def user_may_mark(*, user: User) -> bool:
    return bool(user.is_superuser or user_roles(user) & MARKING_ROLES)


def marking_queue(*, user: User) -> QuerySet[AttemptQuestion]:
    """Essay answers waiting for a mark from officers this trainer oversees (their county)."""
    if not user_may_mark(user=user):
        return AttemptQuestion.objects.none()
    return (
        AttemptQuestion.objects.filter(
            attempt__status=AttemptStatus.SUBMITTED,
            question__qtype=QuestionType.ESSAY,
            points__isnull=True,
            attempt__user__in=officers_visible_to(user),
        )
        .select_related("attempt__quiz", "attempt__user__unit", "question")
        .order_by("attempt__finished_at", "attempt_id", "position")
    )


def results_for_officers(*, user: User, quiz: Quiz | None = None) -> QuerySet[Attempt]:
    """Finished attempts of the officers the viewer oversees."""
    attempts = Attempt.objects.filter(
        user__in=officers_visible_to(user),
        status__in=[AttemptStatus.SUBMITTED, AttemptStatus.GRADED],
    )
    if quiz is not None:
        attempts = attempts.filter(quiz=quiz)
    return attempts.select_related("quiz", "user__unit").order_by("-finished_at")


@dataclass
class OptionFrequency:
    text: str
    is_correct: bool
    count: int
    percent: float


@dataclass
class ItemStats:
    """Classical test statistics for one question of a quiz.

    facility: the mean mark as a percentage of the maximum (how easy it is).
    discrimination: the correlation (×100) between the mark on this question and the
    mark on the rest of the attempt; low or negative values flag a broken question.
    """

    question_id: int
    text: str
    qtype: str
    attempts: int
    facility: float | None
    discrimination: float | None
    options: list[OptionFrequency] = field(default_factory=list)


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x == 0 or var_y == 0:
        return None
    return cov / math.sqrt(var_x * var_y)


def item_analysis(*, quiz: Quiz, user: User) -> list[ItemStats]:
    """Facility, discrimination and option frequencies of each question of a quiz, over
    the graded attempts of the officers the viewer oversees."""
    slots = list(
        AttemptQuestion.objects.filter(
            attempt__quiz=quiz,
            attempt__status=AttemptStatus.GRADED,
            attempt__user__in=officers_visible_to(user),
        )
        .select_related("question")
        .only(
            "attempt_id",
            "question_id",
            "question__text",
            "question__qtype",
            "points",
            "max_points",
            "selected",
        )
    )
    totals: dict[int, tuple[float, float]] = defaultdict(lambda: (0.0, 0.0))
    for slot in slots:
        got, possible = totals[slot.attempt_id]
        totals[slot.attempt_id] = (got + float(slot.points or 0), possible + float(slot.max_points))
    by_question: dict[int, list[AttemptQuestion]] = defaultdict(list)
    for slot in slots:
        by_question[slot.question_id].append(slot)
    options: dict[int, list[Option]] = defaultdict(list)
    for option in Option.objects.filter(question_id__in=by_question).order_by("sort_order", "pk"):
        options[option.question_id].append(option)

    stats = []
    for question_id, group in by_question.items():
        question = group[0].question
        item_scores, rest_scores = [], []
        for slot in group:
            mark = float(slot.points or 0) / float(slot.max_points or 1)
            got, possible = totals[slot.attempt_id]
            rest_possible = possible - float(slot.max_points)
            rest = (got - float(slot.points or 0)) / rest_possible if rest_possible else 0.0
            item_scores.append(mark)
            rest_scores.append(rest)
        correlation = _pearson(item_scores, rest_scores)
        counts: dict[int, int] = defaultdict(int)
        for slot in group:
            for option_id in slot.selected:
                counts[option_id] += 1
        n = len(group)
        stats.append(
            ItemStats(
                question_id=question_id,
                text=question.text,
                qtype=question.qtype,
                attempts=n,
                facility=round(100 * sum(item_scores) / n, 1),
                discrimination=None if correlation is None else round(100 * correlation, 1),
                options=[
                    OptionFrequency(
                        text=option.text,
                        is_correct=option.is_correct,
                        count=counts[option.pk],
                        percent=round(100 * counts[option.pk] / n, 1),
                    )
                    for option in options[question_id]
                ],
            )
        )
    stats.sort(key=lambda item: (item.discrimination is not None, item.discrimination or 0))
    return stats
