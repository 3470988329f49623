"""Coverage training online: the study clock, crediting a module once, quizzes, page queries."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

import courses.hooks_training  # noqa: F401  (connects the signal receivers)
from courses.factories import lesson_create, module_create
from courses.models import LessonProgress, ModuleKind, TrainingRecord
from courses.selectors import training_hours
from courses.services import lesson_complete, lesson_open, module_credit_if_complete
from people.factories import OfficerFactory
from quizzes.models import Attempt, Quiz

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = pytest.mark.usefixtures("english")

NOW = timezone.now()


@pytest.fixture
def officer(city):
    return OfficerFactory(unit=city["township11"], full_name="李执法")


@pytest.fixture
def module(db):
    module = module_create(title="行政处罚法的程序", credit_hours=Decimal("4.0"))
    lessons = [lesson_create(module=module, title=f"第{i}课", min_study_minutes=10) for i in (1, 2)]
    lesson_create(module=module, title="拓展阅读", required=False)
    return module, lessons


def study(officer, lesson, minutes=11):
    lesson_open(officer=officer, lesson=lesson, now=NOW)
    return lesson_complete(
        officer=officer, lesson=lesson, now=NOW + datetime.timedelta(minutes=minutes)
    )


@pytest.mark.django_db
class TestStudyClock:
    def test_a_lesson_cannot_be_completed_before_its_minimum_study_time(self, officer, module):
        _module, (lesson, _other) = module
        lesson_open(officer=officer, lesson=lesson, now=NOW)
        with pytest.raises(ValidationError, match="10 minutes"):
            lesson_complete(officer=officer, lesson=lesson, now=NOW + datetime.timedelta(minutes=9))
        assert LessonProgress.objects.get(officer=officer, lesson=lesson).completed_at is None

    def test_a_lesson_never_opened_cannot_be_completed(self, officer, module):
        _module, (lesson, _other) = module
        with pytest.raises(ValidationError, match="Open the lesson"):
            lesson_complete(officer=officer, lesson=lesson, now=NOW)

    def test_reopening_keeps_the_first_opening_time(self, officer, module):
        _module, (lesson, _other) = module
        lesson_open(officer=officer, lesson=lesson, now=NOW)
        lesson_open(officer=officer, lesson=lesson, now=NOW + datetime.timedelta(minutes=8))
        progress = lesson_complete(
            officer=officer, lesson=lesson, now=NOW + datetime.timedelta(minutes=10)
        )
        assert progress.completed_at is not None


@pytest.mark.django_db
class TestModuleCredit:
    def test_hours_are_credited_when_every_required_lesson_is_complete(self, officer, module):
        page, (first, second) = module
        study(officer, first)
        assert training_hours(officer=officer, year=NOW.year)["total"] == 0
        study(officer, second)
        hours = training_hours(officer=officer, year=timezone.localdate().year)
        assert hours["public_law"] == Decimal("4.0")
        record = TrainingRecord.objects.get(officer=officer)
        assert record.source == "online"
        assert record.title == "行政处罚法的程序"
        assert record.evidence == page

    def test_repeating_the_last_step_credits_once(self, officer, module):
        page, (first, second) = module
        study(officer, first)
        study(officer, second)
        study(officer, second)
        module_credit_if_complete(officer=officer, module=page)
        assert TrainingRecord.objects.filter(officer=officer).count() == 1

    def test_a_module_waits_for_its_quizzes_to_be_passed(self, officer, db, monkeypatch):
        quiz = Quiz.objects.create(title="程序规定测验", kind="practice", is_draft=False)
        page = module_create(title="证据规则", credit_hours=2)
        lesson = lesson_create(
            module=page,
            body=[("text", "<p>证据</p>"), ("quiz", {"quiz": quiz, "intro": ""})],
        )
        passed: set[int] = set()
        # The quiz engine's contract (DESIGN: quizzes.selectors.quizzes_passed) is all we rely on.
        monkeypatch.setattr(
            "quizzes.selectors.quizzes_passed",
            lambda *, user, quizzes: {q.pk for q in quizzes} & passed,
        )
        study(officer, lesson)
        assert not TrainingRecord.objects.filter(officer=officer).exists()
        passed.add(quiz.pk)
        attempt = Attempt(quiz=quiz, user=officer, score=80, passed=True)
        from quizzes.signals import attempt_graded

        attempt_graded.send(sender=Attempt, attempt=attempt)
        assert TrainingRecord.objects.filter(
            officer=officer, evidence_key=f"module:{page.pk}"
        ).exists()

    def test_a_module_of_another_kind_is_never_credited_online(self, officer, db):
        page = module_create(kind=ModuleKind.OBSERVATION)
        assert module_credit_if_complete(officer=officer, module=page) is None


@pytest.mark.django_db
class TestPages:
    def test_the_lesson_page_starts_the_clock_and_refuses_an_early_completion(
        self, client, officer, module
    ):
        _page, (lesson, _other) = module
        client.force_login(officer)
        response = client.get(lesson.url)
        assert response.status_code == 200
        assert "《中华人民共和国行政处罚法》第四十四条" in response.content.decode()
        assert LessonProgress.objects.filter(officer=officer, lesson=lesson).exists()
        response = client.post(f"/training/lessons/{lesson.pk}/complete/", follow=True)
        assert "10 minutes" in response.content.decode()
        assert LessonProgress.objects.get(officer=officer, lesson=lesson).completed_at is None

    def test_finishing_the_last_lesson_says_the_hours_credited_and_the_years_total(
        self, client, officer, module
    ):
        _page, (first, second) = module
        study(officer, first)
        client.force_login(officer)
        lesson_open(
            officer=officer, lesson=second, now=timezone.now() - datetime.timedelta(minutes=11)
        )
        url = f"/training/lessons/{second.pk}/complete/"
        body = client.post(url, follow=True).content.decode()
        assert "Module complete: 4 hours credited; 4 of 60 this year." in body
        # Completing it again credits nothing more and says so plainly.
        again = client.post(url, follow=True).content.decode()
        assert "Lesson complete." in again and "Module complete" not in again

    def test_the_module_page_lists_lessons_and_shows_progress(self, client, officer, module):
        page, (first, _second) = module
        study(officer, first)
        client.force_login(officer)
        response = client.get(page.url)
        body = response.content.decode()
        assert response.status_code == 200
        assert "第1课" in body and "第2课" in body and "拓展阅读" in body
        assert response.context["outstanding"].lessons == [_second]

    @pytest.mark.parametrize("lesson_count", [3, 30])
    def test_module_page_queries_do_not_grow_with_lessons(
        self, client, officer, lesson_count, django_assert_max_num_queries
    ):
        page = module_create(title="规模测试")
        for i in range(lesson_count):
            lesson_create(module=page, title=f"课{i}")
        client.force_login(officer)
        client.get(page.url)  # warm the site and session caches
        with django_assert_max_num_queries(19):
            response = client.get(page.url)
        assert response.status_code == 200

    @pytest.mark.parametrize("lesson_count", [3, 30])
    def test_lesson_page_queries_do_not_grow_with_lessons(
        self, client, officer, lesson_count, django_assert_max_num_queries
    ):
        page = module_create(title="规模测试")
        lessons = [lesson_create(module=page, title=f"课{i}") for i in range(lesson_count)]
        client.force_login(officer)
        client.get(lessons[1].url)
        # 18, and one asking whether the lesson cites an article a law has changed since.
        with django_assert_max_num_queries(19):
            response = client.get(lessons[1].url)
        assert response.status_code == 200
