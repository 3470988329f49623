"""factory_boy factories for the question bank and quizzes (tests and the shell)."""

import factory
from factory.django import DjangoModelFactory

from .models import Option, Question, QuestionCategory, QuestionType, Quiz, QuizDraw, QuizQuestion


class QuestionCategoryFactory(DjangoModelFactory):
    class Meta:
        model = QuestionCategory

    name = factory.Sequence(lambda n: f"分类{n}")
    parent = None


class QuestionFactory(DjangoModelFactory):
    """A question; `options=[("text", True), ...]` sets its options (default: four, B right).

    True/false questions get 正确/错误 automatically (`answer=True` or False).
    """

    class Meta:
        model = Question
        skip_postgeneration_save = True

    category = factory.SubFactory(QuestionCategoryFactory)
    qtype = QuestionType.SINGLE
    text = factory.Sequence(lambda n: f"第{n}题：依照行政处罚法，下列说法正确的是？")
    explanation = factory.Sequence(lambda n: f"解析{n}")

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        if not create or self.qtype == QuestionType.ESSAY:
            return
        if self.qtype == QuestionType.TRUE_FALSE:
            answer = kwargs.get("answer", True) if extracted is None else extracted
            extracted = [("正确", bool(answer)), ("错误", not answer)]
        elif extracted is None:
            extracted = [("选项一", False), ("选项二", True), ("选项三", False), ("选项四", False)]
        Option.objects.bulk_create(
            Option(question=self, text=text, is_correct=ok, sort_order=i)
            for i, (text, ok) in enumerate(extracted)
        )


class QuizFactory(DjangoModelFactory):
    class Meta:
        model = Quiz
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"测验{n}")
    is_draft = False
    shuffle_questions = False
    shuffle_options = False

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        if create and extracted:
            QuizQuestion.objects.bulk_create(
                QuizQuestion(quiz=self, question=q, sort_order=i) for i, q in enumerate(extracted)
            )


def quiz_draw_add(*, quiz: Quiz, category: QuestionCategory, count: int) -> QuizDraw:
    return QuizDraw.objects.create(
        quiz=quiz, category=category, count=count, sort_order=quiz.draws.count()
    )
