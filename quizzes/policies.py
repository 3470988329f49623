"""Who may change which part of the quiz engine in the admin (the framework: people.policies).

Everyone whose group grants `view` reads the whole bank: lists, choosers (a trainer places
any quiz in a lesson) and item analysis. Writing is narrower:

- city administrators change everything, and they alone change the qualification exams and
  what those exams can draw (their exam pool, docs/exam-pools.md), and the city's own
  content (no owner, or the city itself);
- a county's trainers change that county's practice and module quizzes, categories and
  questions (`owner_unit`; a question belongs to its category's owner), as long as no
  qualification exam can draw them;
- an override is granted to an officer of the granter's area on a quiz the granter may
  change, and is never edited or deleted afterwards (only superusers can): the newest one
  applies and the older ones are the record of who granted what.
"""

from django.db.models import Q

from wagtail.permissions import policy_registry

from people.policies import ScopedPermissionPolicy, holds_city_role
from people.selectors import officers_visible_to

from .models import QUALIFICATION_KINDS, QuestionCategory, Quiz
from .selectors import authoring_units, category_in_exam_pool, exam_pool

#: Reading the bank: listing, inspecting and choosing.
READ_ACTIONS = ("view", "choose")

#: Every row. Not `Q()`: an empty Q drops out of the `|` that joins the actions' scopes
#: (`Q(pk__in=[]) | Q()` is `Q(pk__in=[])`), which would list nothing.
EVERY_ROW = Q(pk__isnull=False)


def _authoring_ids(user) -> set[int]:
    """The counties the user maintains content for, remembered on the user for the request."""
    cached = getattr(user, "_quiz_authoring_ids", None)
    if cached is None:
        cached = frozenset(authoring_units(user=user).values_list("pk", flat=True))
        user._quiz_authoring_ids = cached
    return set(cached)


def _reads_or_city(user, action: str) -> bool:
    return action in READ_ACTIONS or holds_city_role(user)


class QuizPolicy(ScopedPermissionPolicy):
    """Qualification exams are the city's; practice and module quizzes their owner county's.

    `publish` follows `change`: whoever may change a quiz may publish it, so an edit of a
    published exam waits as a draft until a city administrator publishes it.
    """

    def scope(self, user, action: str) -> Q:
        if _reads_or_city(user, action):
            return EVERY_ROW
        return Q(owner_unit__in=authoring_units(user=user)) & ~Q(kind__in=QUALIFICATION_KINDS)

    def instance_in_scope(self, user, action: str, instance) -> bool:
        if _reads_or_city(user, action):
            return True
        return (
            instance.kind not in QUALIFICATION_KINDS
            and instance.owner_unit_id in _authoring_ids(user)
        )


class QuestionCategoryPolicy(ScopedPermissionPolicy):
    """A category is changed by its owner county's trainers unless an exam draws from it."""

    def scope(self, user, action: str) -> Q:
        if _reads_or_city(user, action):
            return EVERY_ROW
        return Q(owner_unit__in=authoring_units(user=user)) & ~Q(pk__in=exam_pool().category_ids)

    def instance_in_scope(self, user, action: str, instance) -> bool:
        if _reads_or_city(user, action):
            return True
        if instance.owner_unit_id not in _authoring_ids(user):
            return False
        return not category_in_exam_pool(category_id=instance.pk, parent_id=instance.parent_id)


class QuestionPolicy(ScopedPermissionPolicy):
    """A question goes with its category, and is the city's while an exam can draw it."""

    def scope(self, user, action: str) -> Q:
        if _reads_or_city(user, action):
            return EVERY_ROW
        pool = exam_pool()
        return (
            Q(category__owner_unit__in=authoring_units(user=user))
            & ~Q(category_id__in=pool.category_ids)
            & ~Q(pk__in=pool.question_ids)
        )

    def instance_in_scope(self, user, action: str, instance) -> bool:
        if _reads_or_city(user, action):
            return True
        owner_id = (
            QuestionCategory.objects.filter(pk=instance.category_id)
            .values_list("owner_unit_id", flat=True)
            .first()
        )
        if owner_id is None or owner_id not in _authoring_ids(user):
            return False
        return not exam_pool().holds(question_id=instance.pk, category_id=instance.category_id)


class QuizOverridePolicy(ScopedPermissionPolicy):
    """Overrides for officers of the user's area, on quizzes the user may change; append-only."""

    def scope(self, user, action: str) -> Q:
        if action == "view":
            return Q(user__in=officers_visible_to(user))
        return Q(pk__in=[])

    def instance_in_scope(self, user, action: str, instance) -> bool:
        if action not in ("view", "add") or instance.user_id is None:
            return False
        if not officers_visible_to(user).filter(pk=instance.user_id).exists():
            return False
        if action == "view":
            return True
        quiz = Quiz.objects.filter(pk=instance.quiz_id).first()
        quizzes = policy_registry.get_by_type(Quiz)
        return quiz is not None and quizzes.user_has_permission_for_instance(user, "change", quiz)
