"""Qualification exams leave out questions citing a changed article until they are reviewed."""

import datetime

from django.utils import timezone

import pytest

from laws import services as laws
from people.factories import OfficerFactory
from quizzes import services
from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory, quiz_draw_add
from quizzes.models import QuizKind

from .conftest import TITLE, text_of

pytestmark = pytest.mark.django_db


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def amended_today(db):
    """The sanitation law's second version (amending 第二条) takes effect today."""
    laws.law_version_import(
        title=TITLE,
        text=text_of("sanitation_2019.md"),
        promulgated_on=datetime.date(2019, 3, 1),
        effective_on=datetime.date(2019, 6, 1),
    )
    today = timezone.localdate()
    laws.law_version_import(
        title=TITLE,
        text=text_of("sanitation_2024.md"),
        promulgated_on=today - datetime.timedelta(days=30),
        effective_on=today,
    )
    return today


def drawn(quiz, officer, day) -> set[int]:
    attempt = services.attempt_start(quiz=quiz, user=officer, now=noon(day))
    ids = set(attempt.slots.values_list("question_id", flat=True))
    services.attempt_finish(attempt=attempt, now=noon(day))
    return ids


def test_a_question_on_an_amended_article_is_drawn_the_day_before_not_on_the_day_and_again_once_reviewed(
    city, amended_today, reviewer
):
    officer = OfficerFactory(unit=city["township11"])
    category = QuestionCategoryFactory(name="环境卫生")
    stale = QuestionFactory(category=category, text="本条例适用于哪些区域？")
    fresh = QuestionFactory(category=category, text="随地吐痰的罚款幅度是多少？")
    unchanged = QuestionFactory(category=category, text="本条例的立法目的是什么？")
    citation = laws.citation_add(
        obj=stale, title=TITLE, number=2, on=amended_today - datetime.timedelta(days=1)
    )
    laws.citation_add(obj=fresh, title=TITLE, number=5, on=amended_today)
    laws.citation_add(
        obj=unchanged, title=TITLE, number=1, on=amended_today - datetime.timedelta(days=1)
    )
    exam = QuizFactory(kind=QuizKind.GENERAL_LAW)
    quiz_draw_add(quiz=exam, category=category, count=3)
    everything = {stale.pk, fresh.pk, unchanged.pk}

    assert drawn(exam, officer, amended_today - datetime.timedelta(days=1)) == everything
    assert drawn(exam, officer, amended_today) == {fresh.pk, unchanged.pk}

    laws.citation_review(citation=citation, actor=reviewer, decision="keep")
    assert drawn(exam, officer, amended_today) == everything


def test_fixed_exam_questions_are_withheld_too_but_practice_is_not(city, amended_today):
    officer = OfficerFactory(unit=city["township11"])
    stale = QuestionFactory(text="堆放杂物的罚款幅度是多少？")
    other = QuestionFactory(text="本条例的立法目的是什么？")
    laws.citation_add(
        obj=stale, title=TITLE, number=5, on=amended_today - datetime.timedelta(days=1)
    )
    exam = QuizFactory(kind=QuizKind.SPECIALISED, questions=[stale, other])
    practice = QuizFactory(kind=QuizKind.PRACTICE, questions=[stale])
    assert drawn(exam, officer, amended_today) == {other.pk}
    assert drawn(practice, officer, amended_today) == {stale.pk}
