"""Marking and results: essays by trainers of the officer's county, grading methods,
per-category breakdown and item analysis."""

from decimal import Decimal

from django.contrib.auth.models import Permission
from django.urls import reverse

import pytest

from people.factories import StaffFactory
from people.models import Role
from quizzes import selectors, services
from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory
from quizzes.models import AttemptStatus, GradingMethod, QuestionType
from quizzes.signals import attempt_graded

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = pytest.mark.usefixtures("english")


def _answer_all(attempt, *, right: bool, essay: str = "") -> None:
    seq = 0
    for slot in attempt.slots.select_related("question"):
        seq += 1
        if slot.question.qtype == QuestionType.ESSAY:
            services.answer_save(attempt=attempt, position=slot.position, answer=essay, seq=seq)
            continue
        flags = {o.pk: o.is_correct for o in slot.question.options.all()}
        picked = [i for i, pk in enumerate(slot.option_order) if flags[pk] is right]
        if slot.question.qtype != QuestionType.MULTIPLE:
            picked = picked[:1]
        services.answer_save(attempt=attempt, position=slot.position, answer=picked, seq=seq)


@pytest.fixture
def essay_quiz(bank, category):
    essay = QuestionFactory(
        category=QuestionCategoryFactory(name="执法程序"),
        qtype=QuestionType.ESSAY,
        text="简述行政处罚听证程序。",
        points=Decimal(3),
        explanation="要点：告知、申请、通知、主持、笔录",
    )
    return QuizFactory(title="执法程序测验", questions=[bank["single"], essay])


@pytest.mark.django_db
def test_essay_waits_for_a_trainer_then_grades_and_signals(
    client, officer, trainer, essay_quiz, django_capture_on_commit_callbacks
):
    events = []
    attempt_graded.connect(lambda sender, attempt, **kw: events.append(attempt.score), weak=False)
    attempt = services.attempt_start(quiz=essay_quiz, user=officer)
    _answer_all(attempt, right=True, essay="先告知当事人有权要求听证……")
    with django_capture_on_commit_callbacks(execute=True):
        attempt, _done = services.attempt_finish(attempt=attempt)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score is None
    assert events == []

    client.force_login(trainer)
    queue = client.get(reverse("quizzes:marking_queue"))
    assert "李执法" in queue.content.decode()
    slot = attempt.slots.get(question__qtype=QuestionType.ESSAY)
    url = reverse("quizzes:mark_essay", args=[slot.pk])
    bad = client.post(url, {"points": "5", "comment": ""})
    assert bad.status_code == 200 and "between 0 and" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"points": "2", "comment": "要点基本齐全"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.score == Decimal("75.00")  # (1 + 2) / 4
    assert events == [Decimal("75.00")]
    slot.refresh_from_db()
    assert slot.marked_by == trainer and slot.marker_comment == "要点基本齐全"
    assert client.get(url).status_code == 404  # no longer in the queue


@pytest.mark.django_db
def test_trainer_of_another_county_cannot_mark(client, city, officer, essay_quiz):
    attempt = services.attempt_start(quiz=essay_quiz, user=officer)
    _answer_all(attempt, right=True, essay="答案")
    services.attempt_finish(attempt=attempt)
    outsider = StaffFactory(role=Role.TRAINER, unit=city["department2"])
    client.force_login(outsider)
    assert "李执法" not in client.get(reverse("quizzes:marking_queue")).content.decode()
    slot = attempt.slots.get(question__qtype=QuestionType.ESSAY)
    assert (
        client.post(reverse("quizzes:mark_essay", args=[slot.pk]), {"points": "1"}).status_code
        == 404
    )
    client.force_login(officer)
    assert client.get(reverse("quizzes:marking_queue")).status_code == 403


@pytest.mark.django_db
def test_unanswered_essay_scores_zero_without_marking(officer, essay_quiz):
    attempt = services.attempt_start(quiz=essay_quiz, user=officer)
    attempt, _done = services.attempt_finish(attempt=attempt)
    assert attempt.status == AttemptStatus.GRADED and attempt.score == 0


@pytest.mark.django_db
def test_partial_credit_and_all_or_nothing(officer, category):
    options = [("甲", True), ("乙", True), ("丙", False), ("丁", False)]
    partial = QuestionFactory(
        category=category, qtype=QuestionType.MULTIPLE, partial_credit=True, options=options
    )
    strict = QuestionFactory(category=category, qtype=QuestionType.MULTIPLE, options=options)
    quiz = QuizFactory(questions=[partial, strict])
    attempt = services.attempt_start(quiz=quiz, user=officer)
    # 甲 and 丙 on both: partial earns 1/2 - 1/2 = 0; choose 甲 only: 1/2.
    services.answer_save(attempt=attempt, position=1, answer=[0], seq=1)
    services.answer_save(attempt=attempt, position=2, answer=[0], seq=2)
    attempt, _done = services.attempt_finish(attempt=attempt)
    points = dict(attempt.slots.values_list("position", "points"))
    assert points == {1: Decimal("0.50"), 2: Decimal("0.00")}
    assert attempt.score == Decimal("25.00") and attempt.passed is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, passed", [(GradingMethod.HIGHEST, True), (GradingMethod.LAST, False)]
)
def test_grading_method_decides_what_counts(officer, quiz, method, passed):
    quiz.grading_method = method
    quiz.save()
    first = services.attempt_start(quiz=quiz, user=officer)
    _answer_all(first, right=True)
    services.attempt_finish(attempt=first)
    second = services.attempt_start(quiz=quiz, user=officer)
    _answer_all(second, right=False)
    services.attempt_finish(attempt=second)
    assert selectors.quiz_passed(user=officer, quiz=quiz) is passed
    assert selectors.quizzes_passed(user=officer, quizzes=[quiz]) == (
        {quiz.pk} if passed else set()
    )
    counted = selectors.quiz_result(user=officer, quiz=quiz)
    assert counted.number == (1 if method == GradingMethod.HIGHEST else 2)


@pytest.mark.django_db
def test_results_show_category_breakdown(client, officer, trainer, quiz, other_officer):
    attempt = services.attempt_start(quiz=quiz, user=officer)
    _answer_all(attempt, right=True)
    services.attempt_finish(attempt=attempt)
    client.force_login(officer)
    mine = client.get(reverse("quizzes:my_results")).content.decode()
    assert "行政处罚法" in mine and "100 %" in mine
    client.force_login(trainer)
    listing = client.get(reverse("quizzes:officer_results")).content.decode()
    assert "李执法" in listing
    detail = client.get(reverse("quizzes:officer_result_detail", args=[officer.pk]))
    assert detail.status_code == 200 and "行政处罚法" in detail.content.decode()
    assert (
        client.get(reverse("quizzes:officer_result_detail", args=[other_officer.pk])).status_code
        == 404
    )


@pytest.mark.django_db
def test_result_page_respects_review_policy(client, officer, quiz):
    quiz.review = "score_only"
    quiz.save()
    attempt = services.attempt_start(quiz=quiz, user=officer)
    services.attempt_finish(attempt=attempt)
    client.force_login(officer)
    page = client.get(reverse("quizzes:attempt_result", args=[attempt.public_id])).content.decode()
    assert "第三十六条" not in page and "0 %" in page


@pytest.mark.django_db
def test_item_analysis_flags_a_question_that_strong_officers_miss(city, trainer, category):
    from people.factories import OfficerFactory

    good = QuestionFactory(category=category, options=[("对", True), ("错", False)])
    other = QuestionFactory(category=category, options=[("对", True), ("错", False)])
    third = QuestionFactory(category=category, options=[("对", True), ("错", False)])
    broken = QuestionFactory(category=category, options=[("甲", True), ("乙", False)])
    quiz = QuizFactory(questions=[good, other, third, broken])
    # Strong officers get the first three right and broken wrong; weak ones the reverse.
    for n in range(6):
        officer = OfficerFactory(unit=city["township12"])
        attempt = services.attempt_start(quiz=quiz, user=officer)
        strong = n % 2 == 0
        services.answer_save(attempt=attempt, position=1, answer=0 if strong else 1, seq=1)
        services.answer_save(attempt=attempt, position=2, answer=0 if strong else 1, seq=2)
        services.answer_save(attempt=attempt, position=3, answer=0 if strong else 1, seq=3)
        services.answer_save(attempt=attempt, position=4, answer=1 if strong else 0, seq=4)
        services.attempt_finish(attempt=attempt)
    items = {item.question_id: item for item in selectors.item_analysis(quiz=quiz, user=trainer)}
    assert items[good.pk].facility == 50.0
    assert items[good.pk].discrimination > 90
    assert items[broken.pk].discrimination < -90
    assert [o.count for o in items[broken.pk].options] == [3, 3]
    assert selectors.item_analysis(quiz=quiz, user=trainer)[0].question_id == broken.pk


@pytest.mark.django_db
def test_item_analysis_admin_view(client, trainer, quiz, django_assert_max_num_queries):
    for codename in ("view_question", "access_admin"):
        trainer.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(trainer)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("quizzes_item_analysis", args=[quiz.pk]))
    assert response.status_code == 200
