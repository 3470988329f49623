"""The demo bank and quizzes: big enough, well formed, idempotent, and sittable."""

from collections import Counter

import pytest

from powers.demo_data import FIELDS
from powers.factories import EnforcementFieldFactory
from quizzes import services
from quizzes.demo import seed_quizzes
from quizzes.models import Question, QuestionType, Quiz, QuizKind


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
