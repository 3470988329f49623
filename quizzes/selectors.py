"""Read-side rules of the quiz engine: effective rules, results, marking queue, item
analysis, who maintains which part of the bank, and the exam pools.

`quiz_passed` / `quizzes_passed` are used by the courses app and must stay stable. A quiz
counts one attempt per officer, chosen by the quiz's grading method: the highest graded
attempt, or the last graded one.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from laws.selectors import due_object_ids
from people.models import OrgUnit, Role, RoleAssignment, UnitKind, User
from people.policies import holds_city_role
from people.selectors import officers_visible_to, unit_county, units_visible_to, user_roles

from .models import (
    QUALIFICATION_KINDS,
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    GradingMethod,
    Option,
    Question,
    QuestionCategory,
    QuestionType,
    Quiz,
    QuizDraw,
    QuizKind,
    QuizOverride,
    QuizQuestion,
    ReviewPolicy,
    TextFormat,
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
    """Quizzes an officer may see (only published ones, unless the user edits quizzes)."""
    quizzes = Quiz.objects.select_related("field").order_by("kind", "title")
    if user_is_quiz_editor(user=user):
        return quizzes
    return quizzes.filter(live=True)


def exams_open_to(*, user: User, now: datetime | None = None) -> QuerySet[Quiz]:
    """The exams (every kind but a lesson's practice quiz) the user can sit now: published,
    and within their opening window. The home page and the quiz list both ask this, so
    they never disagree about what is open."""
    now = now or timezone.now()
    return (
        quizzes_for_officer(user=user)
        .filter(live=True)
        .exclude(kind=QuizKind.PRACTICE)
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
    )


def pages_using_quiz(*, quiz: Quiz) -> list:
    """The published pages (a lesson, a case) that place this quiz, from Wagtail's reference
    index, so this app need not know their types; the result page links back to them."""
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import Page, ReferenceIndex

    page_type = ContentType.objects.get_for_model(Page)
    ids = {
        int(ref.object_id)
        for ref in ReferenceIndex.get_references_to(quiz).filter(base_content_type=page_type)
        if not ref.content_path.startswith("related_quizzes")
    }
    return list(Page.objects.live().filter(pk__in=ids).order_by("title")) if ids else []


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


# --- who maintains what --------------------------------------------------------------


def authoring_units(*, user: User) -> QuerySet[OrgUnit]:
    """The counties whose quizzes, categories and questions the user may maintain: the
    county-level units of their area (a trainer's county). City-owned content (no owner,
    or the city itself) is the city administrators' alone."""
    return units_visible_to(user).filter(kind=UnitKind.COUNTY)


def authoring_county(*, user: User) -> OrgUnit | None:
    """The owner a new quiz or category of this user gets: the county of their first
    trainer role (`unit_county` of its unit). None, the city, for city administrators and
    for a trainer held at the city, who picks a county in the form."""
    if holds_city_role(user):
        return None
    assignments = (
        RoleAssignment.objects.filter(user=user, role=Role.TRAINER)
        .select_related("unit")
        .order_by("pk")
    )
    for assignment in assignments:
        county = unit_county(assignment.unit)
        if county is not None:
            return county
    return None


# --- exam pools ----------------------------------------------------------------------
#
# A question is in the exam pool when a qualification exam can draw it: it is one of the
# exam's fixed questions, or it sits in a category the exam draws from (with the
# category's sub-categories when the draw includes them). Its answer is never shown in a
# review, and practice and module quizzes may not use it (docs/exam-pools.md).

#: Stands for a category not saved yet in a category tree (`category_parents`).
NEW_CATEGORY = -1


def category_parents() -> dict[int, int | None]:
    """The category tree as {category id: parent id} (one query; the table is small)."""
    return dict(QuestionCategory.objects.values_list("pk", "parent_id"))


def _children(parents: dict[int, int | None]) -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in parents.items():
        children.setdefault(parent_id, []).append(pk)
    return children


def drawn_categories(
    *, draws: Iterable[tuple[int, bool]], parents: dict[int, int | None]
) -> set[int]:
    """The categories a list of draws (category id, include sub-categories) can draw from."""
    children = _children(parents)
    found: set[int] = set()
    for category_id, include_subcategories in draws:
        stack = [category_id]
        while stack:
            pk = stack.pop()
            if pk in found:
                continue
            found.add(pk)
            if include_subcategories:
                stack.extend(children.get(pk, []))
    return found


@dataclass(frozen=True)
class QuestionPool:
    """What a group of quizzes can give: whole categories, and fixed questions."""

    category_ids: frozenset[int]
    question_ids: frozenset[int]

    def holds(self, *, question_id: int | None, category_id: int | None) -> bool:
        return category_id in self.category_ids or (
            question_id is not None and question_id in self.question_ids
        )


def question_pool(
    *,
    qualification: bool,
    parents: dict[int, int | None] | None = None,
    exclude_quiz_id: int | None = None,
) -> QuestionPool:
    """The pool of the qualification exams (`qualification=True`) or of the practice and
    module quizzes, published or not, as their stored draws and fixed questions say."""
    if parents is None:
        parents = category_parents()
    kinds = Q(quiz__kind__in=QUALIFICATION_KINDS)
    if not qualification:
        kinds = ~kinds
    draws = QuizDraw.objects.filter(kinds)
    fixed = QuizQuestion.objects.filter(kinds)
    if exclude_quiz_id is not None:
        draws = draws.exclude(quiz_id=exclude_quiz_id)
        fixed = fixed.exclude(quiz_id=exclude_quiz_id)
    return QuestionPool(
        category_ids=frozenset(
            drawn_categories(
                draws=draws.values_list("category_id", "include_subcategories"), parents=parents
            )
        ),
        question_ids=frozenset(fixed.values_list("question_id", flat=True)),
    )


def exam_pool(*, parents: dict[int, int | None] | None = None) -> QuestionPool:
    """Everything a qualification exam can draw."""
    return question_pool(qualification=True, parents=parents)


@dataclass(frozen=True)
class ExamPoolCheck:
    """What a qualification exam could draw on a day, and how much law review withholds."""

    on: date
    #: Questions an attempt takes: the fixed ones and every draw's count.
    needed: int
    #: Questions the exam could give that day before withholding.
    available: int
    #: Of those, questions citing a changed article not yet reviewed (docs/laws.md).
    withheld: int

    @property
    def left(self) -> int:
        return self.available - self.withheld

    @property
    def short(self) -> bool:
        """Withholding leaves fewer questions than an attempt takes."""
        return self.withheld > 0 and self.left < self.needed


def questions_withheld_ids(*, on: date) -> set[int]:
    """Active questions qualification exams leave out on `on`, pending law review."""
    due = due_object_ids(model=Question, on=on)
    if not due:
        return set()
    return set(Question.objects.filter(pk__in=due, is_active=True).values_list("pk", flat=True))


def exam_pool_check(*, quiz: Quiz, on: date) -> ExamPoolCheck | None:
    """For a qualification exam, the pool it would draw on `on` with and without the
    questions withheld for law review; None for other quizzes, which withhold nothing."""
    if quiz.kind not in QUALIFICATION_KINDS:
        return None
    draws = list(quiz.draws.values_list("category_id", "include_subcategories", "count"))
    fixed = set(quiz.fixed_questions.values_list("question_id", flat=True))
    categories = drawn_categories(
        draws=[(category, sub) for category, sub, _count in draws], parents=category_parents()
    )
    pool = (
        set(
            Question.objects.drawable(on)
            .filter(category_id__in=categories)
            .values_list("pk", flat=True)
        )
        | fixed
    )
    withheld = pool & due_object_ids(model=Question, on=on)
    return ExamPoolCheck(
        on=on,
        needed=len(fixed) + sum(count for _c, _s, count in draws),
        available=len(pool),
        withheld=len(withheld),
    )


@dataclass(frozen=True)
class PoolConflict:
    """Categories and questions that both an exam and a practice or module quiz can give."""

    category_ids: frozenset[int] = frozenset()
    question_ids: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.category_ids or self.question_ids)

    def __sub__(self, other: "PoolConflict") -> "PoolConflict":
        return PoolConflict(
            category_ids=self.category_ids - other.category_ids,
            question_ids=self.question_ids - other.question_ids,
        )

    def names(self, *, limit: int = 5) -> str:
        """The conflicting categories and questions, for a message."""
        items = [str(c) for c in QuestionCategory.objects.filter(pk__in=self.category_ids)]
        items += [f"“{q}”" for q in Question.objects.filter(pk__in=self.question_ids)]
        shown = "; ".join(sorted(items)[:limit])
        return shown + ("; …" if len(items) > limit else "")


def pool_conflicts(*, exam: QuestionPool, practice: QuestionPool) -> PoolConflict:
    """What both pools can give: shared categories, and fixed questions of one side that
    the other side fixes too or draws from their category."""
    fixed = exam.question_ids | practice.question_ids
    categories = dict(Question.objects.filter(pk__in=fixed).values_list("pk", "category_id"))
    shared = exam.question_ids & practice.question_ids
    shared |= {pk for pk in practice.question_ids if categories.get(pk) in exam.category_ids}
    shared |= {pk for pk in exam.question_ids if categories.get(pk) in practice.category_ids}
    return PoolConflict(
        category_ids=frozenset(exam.category_ids & practice.category_ids),
        question_ids=frozenset(shared),
    )


def quiz_pool_conflicts(
    *,
    kind: str,
    draws: Iterable[tuple[int, bool]],
    fixed_question_ids: Iterable[int],
    quiz_id: int | None = None,
) -> PoolConflict:
    """What a quiz with these draws and fixed questions would share with the other side:
    an exam with the practice and module quizzes, or a practice or module quiz with the
    exams. The quiz's own stored draws are left out (they are being replaced)."""
    parents = category_parents()
    mine = QuestionPool(
        category_ids=frozenset(drawn_categories(draws=draws, parents=parents)),
        question_ids=frozenset(fixed_question_ids),
    )
    qualification = kind in QUALIFICATION_KINDS
    other = question_pool(qualification=not qualification, parents=parents, exclude_quiz_id=quiz_id)
    if qualification:
        return pool_conflicts(exam=mine, practice=other)
    return pool_conflicts(exam=other, practice=mine)


def question_move_conflicts(*, question_id: int | None, category_id: int) -> PoolConflict:
    """Whether a question placed in `category_id` would be in both pools at once."""
    parents = category_parents()
    exam = question_pool(qualification=True, parents=parents)
    practice = question_pool(qualification=False, parents=parents)
    if exam.holds(question_id=question_id, category_id=category_id) and practice.holds(
        question_id=question_id, category_id=category_id
    ):
        return PoolConflict(question_ids=frozenset([question_id] if question_id else []))
    return PoolConflict()


def _conflicts_in_tree(parents: dict[int, int | None]) -> PoolConflict:
    return pool_conflicts(
        exam=question_pool(qualification=True, parents=parents),
        practice=question_pool(qualification=False, parents=parents),
    )


def category_move_conflicts(*, category_id: int, parent_id: int | None) -> PoolConflict:
    """The conflicts that putting an existing category under `parent_id` would add (a
    category moved under one an exam draws with its sub-categories joins the exam pool)."""
    parents = category_parents()
    if parents.get(category_id) == parent_id:
        return PoolConflict()
    before = _conflicts_in_tree(parents)
    parents[category_id] = parent_id
    return _conflicts_in_tree(parents) - before


def category_in_exam_pool(*, category_id: int | None, parent_id: int | None) -> bool:
    """Whether a category (perhaps unsaved, perhaps moved under `parent_id`) is one a
    qualification exam can draw from."""
    parents = category_parents()
    key = category_id if category_id is not None else NEW_CATEGORY
    parents[key] = parent_id
    return key in exam_pool(parents=parents).category_ids


@dataclass
class ReviewItem:
    """One question of a finished attempt as its review shows it. A `secret` question is in
    an exam pool: only its text and the officer's own answer are shown, never which option
    is right, its marks, the marker's comment or the explanation."""

    slot: AttemptQuestion
    secret: bool
    options: list[dict] = field(default_factory=list)
    explanation: str = ""
    # The question's texts are HTML (cleaned again by the `quiz_text` filter as shown).
    html: bool = False


def attempt_review(*, attempt: Attempt) -> list[ReviewItem]:
    """The review of a finished attempt: each question with the officer's answer and, unless
    the question is in an exam pool, the right options, their feedback, the marks and the
    explanation (Moodle's general feedback)."""
    slots = list(attempt.slots.select_related("question"))
    pool = exam_pool()
    options: dict[int, list[Option]] = {}
    for option in Option.objects.filter(question_id__in=[slot.question_id for slot in slots]):
        options.setdefault(option.question_id, []).append(option)
    items = []
    for slot in slots:
        secret = pool.holds(question_id=slot.question_id, category_id=slot.question.category_id)
        by_id = {option.pk: option for option in options.get(slot.question_id, [])}
        items.append(
            ReviewItem(
                slot=slot,
                secret=secret,
                options=[
                    {
                        "letter": chr(ord("A") + index),
                        "text": by_id[pk].text,
                        "correct": False if secret else by_id[pk].is_correct,
                        "chosen": pk in slot.selected,
                        # Moodle's per-option feedback tells which option is right too.
                        "feedback": "" if secret else by_id[pk].feedback,
                    }
                    for index, pk in enumerate(slot.option_order)
                    if pk in by_id
                ],
                explanation="" if secret else slot.question.explanation,
                html=slot.question.text_format == TextFormat.HTML,
            )
        )
    return items
