"""The demo bank and quizzes: big enough, well formed, idempotent, and sittable."""

from collections import Counter

import pytest

from people.factories import UnitFactory
from people.models import UnitKind
from powers.demo import seed_catalogue
from powers.models import STANDARD_FIELDS
from quizzes import selectors, services
from quizzes.demo import PRACTICE_ROOT, seed_quizzes
from quizzes.models import Question, QuestionCategory, QuestionType, Quiz, QuizDraw, QuizKind


@pytest.fixture
def catalogue(db):
    """The demo's fields and powers, which the bank files name."""
    return seed_catalogue(city=UnitFactory(kind=UnitKind.CITY, code="PY"))


@pytest.mark.django_db
def test_seed_quizzes_builds_a_sound_bank_and_the_exams(officer, catalogue):
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
    assert specialised == {code for code, _name in STANDARD_FIELDS}

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
def test_demo_practice_draws_from_its_own_pool_and_reviews_every_answer(officer, catalogue):
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
def test_seed_separates_the_pools_of_a_demo_seeded_before(officer, catalogue):
    """A demo whose practice quizzes drew from the exam's categories is brought into line."""
    quizzes = seed_quizzes()
    exam_apl = QuestionCategory.objects.get(parent__name="通用法律知识", name="行政处罚法")
    QuizDraw.objects.filter(quiz=quizzes["practice_apl"]).update(category=exam_apl)
    assert not _pools_apart()
    counts = (Question.objects.count(), Quiz.objects.count())

    seed_quizzes()
    assert _pools_apart()
    assert (Question.objects.count(), Quiz.objects.count()) == counts
    assert quizzes["practice_apl"].draws.get().category.parent.name == PRACTICE_ROOT
