"""The demo bank and quizzes: big enough, well formed, idempotent, and sittable."""

from collections import Counter

import pytest

from powers.demo_data import FIELDS
from powers.factories import EnforcementFieldFactory
from quizzes import demo_data, selectors, services
from quizzes.demo import seed_quizzes
from quizzes.models import Question, QuestionCategory, QuestionType, Quiz, QuizDraw, QuizKind


@pytest.mark.django_db
def test_seed_quizzes_builds_a_sound_bank_and_the_exams(officer):
    for code, name, order in FIELDS:
        EnforcementFieldFactory(code=code, name=name, sort_order=order)
    quizzes = seed_quizzes()
    assert Question.objects.count() >= 200
    for question in Question.objects.prefetch_related("options"):
        right = [o for o in question.options.all() if o.is_correct]
        if question.qtype in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
            assert len(right) == 1, question.text
        elif question.qtype == QuestionType.MULTIPLE:
            assert 2 <= len(right) < question.options.count(), question.text
        assert "{}" not in question.text and question.explanation
    kinds = Counter(quiz.kind for quiz in quizzes.values())
    assert kinds[QuizKind.GENERAL_LAW] == 1 and kinds[QuizKind.PRACTICE] == 3
    specialised = {q.field.code for q in quizzes.values() if q.kind == QuizKind.SPECIALISED}
    assert specialised == {code for code, _name, _order in FIELDS}

    before = (Question.objects.count(), Quiz.objects.count())
    seed_quizzes()
    assert (Question.objects.count(), Quiz.objects.count()) == before

    exam = services.attempt_start(quiz=quizzes["general_law"], user=officer)
    assert exam.slots.count() == 40 and exam.deadline is not None
    water = services.attempt_start(quiz=quizzes["specialised_water"], user=officer)
    texts = list(water.slots.values_list("question__text", flat=True))
    assert any("水" in text for text in texts)


def _pools_apart() -> bool:
    return not selectors.pool_conflicts(
        exam=selectors.question_pool(qualification=True),
        practice=selectors.question_pool(qualification=False),
    )


@pytest.mark.django_db
def test_demo_practice_draws_from_its_own_pool_and_reviews_every_answer(officer):
    quizzes = seed_quizzes()
    assert _pools_apart()
    exam_pool = selectors.exam_pool()
    general = Question.objects.filter(category_id__in=exam_pool.category_ids)
    assert general.filter(category__parent__name="通用法律知识").count() >= 120
    for key in ("practice_apl", "practice_acl", "practice_procedure", "module_apl"):
        quiz = quizzes[key]
        assert quiz.live and quiz.revisions.exists()
        attempt = services.attempt_start(quiz=quiz, user=officer)
        texts = set(attempt.slots.values_list("question__text", flat=True))
        assert not texts & set(general.values_list("text", flat=True))
        services.attempt_finish(attempt=attempt)
        assert not any(item.secret for item in selectors.attempt_review(attempt=attempt))


@pytest.mark.django_db
def test_seed_separates_the_pools_of_a_demo_seeded_before(officer):
    """A demo whose practice quizzes drew from the exam's categories is brought into line."""
    quizzes = seed_quizzes()
    exam_categories = {
        key: QuestionCategory.objects.get(parent__name="通用法律知识", name=path[-1])
        for key, (path, _field) in demo_data.CATEGORIES.items()
        if key in ("apl", "acl", "procedure")
    }
    for key in ("apl", "acl", "procedure"):  # the old layout: one bank for both
        Question.objects.filter(category__parent__name=demo_data.PRACTICE_ROOT).filter(
            category__name=exam_categories[key].name
        ).update(category=exam_categories[key])
    QuizDraw.objects.filter(quiz=quizzes["practice_apl"]).update(category=exam_categories["apl"])
    assert not _pools_apart()
    counts = (Question.objects.count(), Quiz.objects.count())

    seed_quizzes()
    assert _pools_apart()
    assert (Question.objects.count(), Quiz.objects.count()) == counts
    assert quizzes["practice_apl"].draws.get().category.parent.name == demo_data.PRACTICE_ROOT
