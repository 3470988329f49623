"""The quiz engine's back office: findings 1, 4 and 6 of the probe of the running demo.

1. A trainer granted an officer of another county 9 attempts and 600 minutes at the
   general-law exam, and the override named nobody as its granter.
6. Any trainer could change any qualification exam live (a 1 % pass mark was accepted)
   and any question's right answers.
4. Practice quizzes drew from the exam's categories and showed the answers after each of
   their unlimited attempts: fifty blank attempts revealed most of the exam.

Every test drives the real admin (or officer) URLs with the test client.
"""

from datetime import timedelta
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest

from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from powers.factories import EnforcementFieldFactory
from quizzes import services
from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory, quiz_draw_add
from quizzes.models import (
    AttemptStatus,
    Question,
    QuestionCategory,
    Quiz,
    QuizKind,
    QuizOverride,
    QuizQuestion,
    ReviewPolicy,
)

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# --- the world -------------------------------------------------------------------------


@pytest.fixture
def staff(city):
    return SimpleNamespace(
        trainer=StaffFactory(role=Role.TRAINER, unit=city["department1"], username="q_trainer1"),
        trainer2=StaffFactory(role=Role.TRAINER, unit=city["department2"], username="q_trainer2"),
        cityadmin=StaffFactory(role=Role.CITY_ADMIN, unit=city["city"], username="q_cityadmin"),
        officer=OfficerFactory(unit=city["township11"], username="q_officer1"),
        officer2=OfficerFactory(unit=city["township21"], username="q_officer2"),
    )


@pytest.fixture
def exam(city):
    """The city's general-law exam: it draws from 通用法律知识 and every category under it,
    and has one fixed question that sits in county 1's own category."""
    root = QuestionCategoryFactory(name="通用法律知识")
    sub = QuestionCategoryFactory(name="行政处罚法", parent=root)
    deep = QuestionCategoryFactory(name="简易程序", parent=sub)
    drawn = QuestionFactory(
        category=sub, text="考试题：违法行为的追责时效", explanation="考试解析一"
    )
    deeper = QuestionFactory(category=deep, text="考试题：当场处罚的限额", explanation="考试解析二")
    county_category = QuestionCategoryFactory(name="县1自编题", owner_unit=city["county1"])
    fixed = QuestionFactory(category=county_category, text="考试题：县里出的固定题")
    quiz = QuizFactory(
        title="通用法律知识考试",
        kind=QuizKind.GENERAL_LAW,
        pass_mark=60,
        time_limit_minutes=60,
        attempts_allowed=2,
        review=ReviewPolicy.SCORE_ONLY,
        questions=[fixed],
    )
    quiz_draw_add(quiz=quiz, category=root, count=2)
    return SimpleNamespace(
        quiz=quiz,
        root=root,
        sub=sub,
        deep=deep,
        drawn=drawn,
        deeper=deeper,
        fixed=fixed,
        county_category=county_category,
    )


@pytest.fixture
def practice(city):
    """County 1's own practice quiz, drawing from county 1's practice category."""
    category = QuestionCategoryFactory(name="县1练习题", owner_unit=city["county1"])
    question = QuestionFactory(
        category=category, text="练习题：听证的告知期限", explanation="练习解析"
    )
    quiz = QuizFactory(title="县1随堂练习", kind=QuizKind.PRACTICE, owner_unit=city["county1"])
    quiz_draw_add(quiz=quiz, category=category, count=1)
    return SimpleNamespace(quiz=quiz, category=category, question=question)


def _url(model, action: str, *args) -> str:
    return reverse(f"wagtailsnippets_quizzes_{model._meta.model_name}:{action}", args=args)


def _post_data(values: dict, formsets: dict[str, int] | None = None) -> dict:
    """A form POST: True checkboxes as "on", False ones left out, formsets expanded."""

    def plain(items: dict) -> dict:
        out = {}
        for key, value in items.items():
            if value is True:
                out[key] = "on"
            elif value is False:
                continue
            else:
                out[key] = "" if value is None else value
        return out

    data = plain({k: v for k, v in values.items() if k not in (formsets or {})})
    for name, initial in (formsets or {}).items():
        data[name] = inline_formset([plain(item) for item in values[name]], initial=initial)
    return nested_form_data(data)


def quiz_payload(quiz: Quiz | None = None, **changes) -> dict:
    """What the quiz form posts for `quiz` as it stands (or a new practice quiz), changed."""
    quiz = quiz or Quiz(title="新练习", kind=QuizKind.PRACTICE)
    editing = quiz.pk is not None
    fixed = list(quiz.fixed_questions.order_by("sort_order")) if editing else []
    draws = list(quiz.draws.order_by("sort_order")) if editing else []
    values = {
        "title": quiz.title,
        "description": quiz.description,
        "kind": quiz.kind,
        "field": quiz.field_id,
        "pass_mark": quiz.pass_mark,
        "owner_unit": quiz.owner_unit_id,
        "layout": quiz.layout,
        "review": quiz.review,
        "shuffle_questions": quiz.shuffle_questions,
        "shuffle_options": quiz.shuffle_options,
        "time_limit_minutes": quiz.time_limit_minutes,
        "attempts_allowed": quiz.attempts_allowed,
        "grading_method": quiz.grading_method,
        "opens_at": "",
        "closes_at": "",
        "success_text": quiz.success_text,
        "failure_text": quiz.failure_text,
        "fixed_questions": [{"id": f.pk, "question": f.question_id} for f in fixed],
        "draws": [
            {
                "id": d.pk,
                "category": d.category_id,
                "count": d.count,
                "include_subcategories": d.include_subcategories,
            }
            for d in draws
        ],
    }
    values.update(changes)
    return _post_data(values, {"fixed_questions": len(fixed), "draws": len(draws)})


def question_payload(question: Question | None = None, **changes) -> dict:
    """What the question form posts; `correct` lists the indexes of the right options."""
    correct = changes.pop("correct", None)
    editing = question is not None
    options = list(question.options.order_by("sort_order")) if editing else []
    values = {
        "category": question.category_id if editing else None,
        "qtype": question.qtype if editing else "single",
        "text": question.text if editing else "",
        "points": str(question.points) if editing else "1",
        "partial_credit": question.partial_credit if editing else False,
        "explanation": question.explanation if editing else "",
        "is_active": question.is_active if editing else True,
        "options": [
            {
                "id": option.pk,
                "text": option.text,
                "is_correct": option.is_correct if correct is None else i in correct,
            }
            for i, option in enumerate(options)
        ],
    }
    values.update(changes)
    return _post_data(values, {"options": len(options)})


def category_payload(category: QuestionCategory | None = None, **changes) -> dict:
    values = {
        "name": category.name if category else "",
        "parent": category.parent_id if category else None,
        "description": category.description if category else "",
        "owner_unit": category.owner_unit_id if category else None,
    }
    values.update(changes)
    return _post_data(values)


def _form_errors(response) -> str:
    form = response.context["form"] if response.context else None
    return " ".join(str(e) for e in form.errors.values()) if form is not None else ""


# --- finding 1: overrides ----------------------------------------------------------------


def _override_payload(quiz, user, **changes) -> dict:
    values = {
        "quiz": quiz.pk,
        "user": user.pk,
        "time_limit_minutes": "600",
        "attempts_allowed": "9",
        "opens_at": "",
        "closes_at": "",
        "reason": "考试时停电",
    }
    values.update(changes)
    return _post_data(values)


def test_trainer_cannot_give_another_countys_officer_more_exam_attempts(client, staff, exam):
    """The probe: 9 attempts and 600 minutes at the exam for an officer of county 2."""
    client.force_login(staff.trainer)
    response = client.post(_url(QuizOverride, "add"), _override_payload(exam.quiz, staff.officer2))
    assert response.status_code == 200
    assert not QuizOverride.objects.exists()
    form = response.context["form"]
    assert "quiz" in form.errors and "user" in form.errors


def test_overrides_on_qualification_exams_are_the_citys(client, staff, exam, practice):
    client.force_login(staff.trainer)
    client.post(_url(QuizOverride, "add"), _override_payload(exam.quiz, staff.officer))
    assert not QuizOverride.objects.exists()

    client.force_login(staff.cityadmin)
    response = client.post(_url(QuizOverride, "add"), _override_payload(exam.quiz, staff.officer2))
    assert response.status_code == 302
    override = QuizOverride.objects.get()
    assert override.user == staff.officer2 and override.created_by == staff.cityadmin


def test_override_form_offers_own_officers_and_own_quizzes_and_records_the_granter(
    client, staff, exam, practice
):
    client.force_login(staff.trainer)
    form = client.get(_url(QuizOverride, "add")).context["form"]
    assert set(form.fields["user"].queryset) == {staff.officer}  # no staff, no county 2
    quizzes = set(form.fields["quiz"].queryset)
    assert practice.quiz in quizzes and exam.quiz not in quizzes

    response = client.post(
        _url(QuizOverride, "add"),
        _override_payload(practice.quiz, staff.officer, attempts_allowed="3"),
    )
    assert response.status_code == 302, _form_errors(response)
    override = QuizOverride.objects.get()
    assert (override.user, override.created_by, override.attempts_allowed) == (
        staff.officer,
        staff.trainer,
        3,
    )


def test_overrides_are_append_only(client, staff, exam):
    override = QuizOverride.objects.create(
        quiz=exam.quiz,
        user=staff.officer,
        attempts_allowed=3,
        reason="因公出差",
        created_by=staff.cityadmin,
    )
    payload = _override_payload(exam.quiz, staff.officer, attempts_allowed="9")
    for user in (staff.trainer, staff.cityadmin):
        client.force_login(user)
        assert client.get(_url(QuizOverride, "edit", override.pk)).status_code == 404
        assert client.post(_url(QuizOverride, "edit", override.pk), payload).status_code == 404
        assert client.post(_url(QuizOverride, "delete", override.pk)).status_code == 404
    override.refresh_from_db()
    assert override.attempts_allowed == 3
    # The city still sees it in the list (the record), and a new override supersedes it.
    listing = client.get(_url(QuizOverride, "list")).content.decode()
    assert "因公出差" in listing


# --- finding 6: qualification exams and their pools are the city's ---------------------


def test_trainer_cannot_change_or_create_a_qualification_exam(client, staff, exam):
    client.force_login(staff.trainer)
    quiz = exam.quiz
    assert client.get(_url(Quiz, "edit", quiz.pk)).status_code == 404
    response = client.post(
        _url(Quiz, "edit", quiz.pk), {**quiz_payload(quiz, pass_mark=1), "action-publish": "1"}
    )
    assert response.status_code == 404
    assert client.post(_url(Quiz, "unpublish", quiz.pk)).status_code == 404
    quiz.refresh_from_db()
    assert (quiz.pass_mark, quiz.live, quiz.latest_revision_id) == (60, True, None)

    count = Quiz.objects.count()
    response = client.post(
        _url(Quiz, "add"),
        quiz_payload(
            title="自建资格考试",
            kind=QuizKind.GENERAL_LAW,
            owner_unit=staff.trainer.unit.get_parent().pk,
            draws=[{"category": exam.county_category.pk, "count": 1}],
        ),
    )
    assert response.status_code == 200 and Quiz.objects.count() == count
    assert "kind" in response.context["form"].errors


def test_trainer_cannot_change_a_question_or_category_an_exam_can_draw(client, staff, exam):
    """Questions drawn (with sub-categories) or fixed, and the categories drawn, are the
    city's, even a fixed question that sits in the trainer's own county's category."""
    client.force_login(staff.trainer)
    for question in (exam.drawn, exam.deeper, exam.fixed):
        url = _url(Question, "edit", question.pk)
        assert client.get(url).status_code == 404
        response = client.post(url, question_payload(question, correct=[0], explanation="改"))
        assert response.status_code == 404
        assert [o.is_correct for o in question.options.order_by("sort_order")] == [
            False,
            True,
            False,
            False,
        ]
    for category in (exam.root, exam.sub, exam.deep):
        response = client.post(
            _url(QuestionCategory, "edit", category.pk), category_payload(category, name="改名")
        )
        assert response.status_code == 404
    assert not QuestionCategory.objects.filter(name="改名").exists()

    # Nor can a trainer add a question to a drawn category or a category under one.
    before = Question.objects.count()
    response = client.post(
        _url(Question, "add"),
        question_payload(
            category=exam.deep.pk,
            text="混入考试的题",
            options=[{"text": "对", "is_correct": True}, {"text": "错"}],
        ),
    )
    assert response.status_code == 200 and Question.objects.count() == before
    response = client.post(
        _url(QuestionCategory, "add"),
        category_payload(
            name="混入分类", parent=exam.sub.pk, owner_unit=exam.county_category.owner_unit_id
        ),
    )
    assert response.status_code == 200
    assert not QuestionCategory.objects.filter(name="混入分类").exists()


def test_trainers_keep_their_own_countys_practice_content(client, city, staff, practice):
    client.force_login(staff.trainer2)  # another county: not even the edit page
    for model, obj in ((Quiz, practice.quiz), (Question, practice.question)):
        assert client.get(_url(model, "edit", obj.pk)).status_code == 404
    assert client.get(_url(QuestionCategory, "edit", practice.category.pk)).status_code == 404

    client.force_login(staff.trainer)
    field = EnforcementFieldFactory()
    page = client.get(_url(Question, "edit", practice.question.pk))
    assert page.status_code == 200
    assert "data-w-autosave-interval-value" not in page.content.decode()  # no autosave
    assert field in page.context["form"].fields["fields"].queryset  # the catalogue to tag with
    response = client.post(
        _url(Question, "edit", practice.question.pk),
        question_payload(practice.question, correct=[0]),
    )
    assert response.status_code == 302, _form_errors(response)
    assert practice.question.options.get(sort_order=0).is_correct
    assert practice.question.revisions.latest("pk").user == staff.trainer

    # A published quiz changes when its county's trainer publishes the change.
    response = client.post(
        _url(Quiz, "edit", practice.quiz.pk),
        {**quiz_payload(practice.quiz, title="县1随堂练习（修订）"), "action-publish": "1"},
    )
    assert response.status_code == 302, _form_errors(response)
    practice.quiz.refresh_from_db()
    assert practice.quiz.title == "县1随堂练习（修订）" and practice.quiz.live


def test_new_content_belongs_to_the_trainers_county(client, city, staff):
    client.force_login(staff.trainer)
    form = client.get(_url(QuestionCategory, "add")).context["form"]
    assert form["owner_unit"].value() == city["county1"].pk
    assert set(form.fields["owner_unit"].queryset) == {city["county1"]}

    for owner in ("", city["county2"].pk):  # the city's, or another county's: refused
        client.post(
            _url(QuestionCategory, "add"), category_payload(name="越权分类", owner_unit=owner)
        )
    assert not QuestionCategory.objects.filter(name="越权分类").exists()
    response = client.post(
        _url(QuestionCategory, "add"),
        category_payload(name="县1新分类", owner_unit=city["county1"].pk),
    )
    assert response.status_code == 302, _form_errors(response)
    category = QuestionCategory.objects.get(name="县1新分类")
    assert category.owner_unit == city["county1"]

    QuestionFactory(category=category)
    response = client.post(
        _url(Quiz, "add"),
        quiz_payload(
            title="县1新练习",
            owner_unit=city["county1"].pk,
            draws=[{"category": category.pk, "count": 5, "include_subcategories": True}],
        ),
    )
    assert response.status_code == 302, _form_errors(response)
    quiz = Quiz.objects.get(title="县1新练习")
    assert quiz.owner_unit == city["county1"] and not quiz.live  # a draft until published


def test_trainers_read_the_whole_bank_and_place_any_quiz(client, staff, exam, practice):
    client.force_login(staff.trainer)
    quizzes = client.get(_url(Quiz, "list")).content.decode()
    assert exam.quiz.title in quizzes and practice.quiz.title in quizzes
    questions = client.get(_url(Question, "list")).content.decode()
    assert exam.drawn.text in questions and practice.question.text in questions
    assert exam.root.name in client.get(_url(QuestionCategory, "list")).content.decode()
    chooser = client.get(reverse("wagtailsnippetchoosers_quizzes_quiz:choose"))
    assert chooser.status_code == 200 and exam.quiz.title in chooser.json()["html"]


def test_a_change_to_a_live_exam_is_a_draft_until_the_city_publishes_it(client, staff, exam):
    quiz = exam.quiz
    client.force_login(staff.cityadmin)
    response = client.post(_url(Quiz, "edit", quiz.pk), quiz_payload(quiz, pass_mark=75))
    assert response.status_code == 302, _form_errors(response)
    quiz.refresh_from_db()
    assert quiz.pass_mark == 60 and quiz.has_unpublished_changes  # officers sit 60 still
    attempt = services.attempt_start(quiz=quiz, user=staff.officer)
    assert attempt.pass_mark == 60

    response = client.post(
        _url(Quiz, "edit", quiz.pk), {**quiz_payload(quiz, pass_mark=75), "action-publish": "1"}
    )
    assert response.status_code == 302, _form_errors(response)
    quiz.refresh_from_db()
    assert quiz.pass_mark == 75 and not quiz.has_unpublished_changes

    # Who changed it, when, and from what: the first revision is the exam as it stood.
    revisions = list(quiz.revisions.order_by("pk"))
    assert revisions[0].user is None and revisions[0].content["pass_mark"] == 60
    assert revisions[-1].user == staff.cityadmin and revisions[-1].content["pass_mark"] == 75
    history = client.get(_url(Quiz, "history", quiz.pk))
    assert history.status_code == 200
    assert staff.cityadmin.get_full_name() in history.content.decode()
    compare = reverse(
        "wagtailsnippets_quizzes_quiz:revisions_compare",
        args=[quiz.pk, revisions[0].pk, revisions[-1].pk],
    )
    assert client.get(compare).status_code == 200


def test_a_qualification_exam_needs_a_pass_mark_of_at_least_60(client, staff, exam):
    client.force_login(staff.cityadmin)
    for action in ({}, {"action-publish": "1"}):
        response = client.post(
            _url(Quiz, "edit", exam.quiz.pk), {**quiz_payload(exam.quiz, pass_mark=1), **action}
        )
        assert response.status_code == 200
        assert "pass mark is at least 60%" in _form_errors(response)
    exam.quiz.refresh_from_db()
    assert exam.quiz.pass_mark == 60 and exam.quiz.latest_revision_id is None


def test_a_running_attempt_keeps_the_rules_it_started_with(client, staff, exam):
    quiz = exam.quiz
    quiz.draws.all().delete()
    QuizQuestion.objects.create(quiz=quiz, question=exam.drawn, sort_order=1)
    now = timezone.now()
    attempt = services.attempt_start(quiz=quiz, user=staff.officer, now=now)
    assert attempt.deadline == now + timedelta(minutes=60)
    for slot in attempt.slots.all():  # the right answer, as the key stood at the start
        right = slot.question.options.get(is_correct=True).pk
        services.answer_save(
            attempt=attempt, position=slot.position, answer=slot.option_order.index(right), seq=1
        )

    client.force_login(staff.cityadmin)
    response = client.post(
        _url(Quiz, "edit", quiz.pk),
        {**quiz_payload(quiz, pass_mark=100, time_limit_minutes=5), "action-publish": "1"},
    )
    assert response.status_code == 302, _form_errors(response)
    response = client.post(
        _url(Question, "edit", exam.drawn.pk), question_payload(exam.drawn, correct=[0])
    )
    assert response.status_code == 302, _form_errors(response)

    attempt.refresh_from_db()
    assert attempt.deadline == now + timedelta(minutes=60)
    finished, _changed = services.attempt_finish(attempt=attempt)
    assert finished.status == AttemptStatus.GRADED
    assert finished.score == 100 and finished.passed and finished.pass_mark == 60

    quiz.refresh_from_db()  # the published version, as the next officer's request reads it
    second = services.attempt_start(quiz=quiz, user=staff.officer)
    assert second.pass_mark == 100
    assert second.deadline <= timezone.now() + timedelta(minutes=5)


def test_a_change_to_an_exam_question_is_recorded_from_before_to_after(client, staff, exam):
    client.force_login(staff.cityadmin)
    response = client.post(
        _url(Question, "edit", exam.drawn.pk), question_payload(exam.drawn, correct=[2])
    )
    assert response.status_code == 302, _form_errors(response)
    before, after = exam.drawn.revisions.order_by("pk")

    def right(revision):
        return [o["is_correct"] for o in revision.content["options"]]

    assert before.user is None and right(before) == [False, True, False, False]
    assert after.user == staff.cityadmin and right(after) == [False, False, True, False]
    history = client.get(_url(Question, "history", exam.drawn.pk)).content.decode()
    assert staff.cityadmin.get_full_name() in history


# --- finding 4: exam pools are secret and separate --------------------------------------


def _sit(client, officer, quiz):
    """Start and submit an attempt through the officer's pages; returns the result page."""
    client.force_login(officer)
    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    assert response.status_code == 302, response
    attempt = quiz.attempts.filter(user=officer).latest("pk")
    client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id]), {"shown": []})
    return client.get(reverse("quizzes:attempt_result", args=[attempt.public_id]))


def test_no_review_shows_the_answer_of_an_exam_pool_question(client, staff, exam, practice):
    """A practice quiz made before the pools were separated, fixing one exam question."""
    legacy = QuizFactory(
        title="旧练习", questions=[exam.drawn, practice.question], review=ReviewPolicy.AFTER_SUBMIT
    )
    page = _sit(client, staff.officer, legacy).content.decode()
    assert "练习解析" in page  # the practice question's explanation and right option
    assert "考试解析一" not in page
    assert "belongs to a qualification exam's question pool" in page
    reviewed = {
        item.slot.question_id: item
        for item in _sit(client, staff.officer, legacy).context["reviewed"]
    }
    secret = reviewed[exam.drawn.pk]
    assert secret.secret and not any(o["correct"] for o in secret.options)
    assert any(o["correct"] for o in reviewed[practice.question.pk].options)


def test_an_exam_review_shows_no_answers_whatever_its_review_setting(client, staff, exam):
    exam.quiz.review = ReviewPolicy.AFTER_SUBMIT
    exam.quiz.save()
    response = _sit(client, staff.officer, exam.quiz)
    page = response.content.decode()
    assert "考试解析" not in page
    assert all(item.secret for item in response.context["reviewed"])
    assert not any(o["correct"] for item in response.context["reviewed"] for o in item.options)


def test_a_practice_quiz_may_not_use_the_exam_pool(client, staff, exam, practice):
    client.force_login(staff.cityadmin)
    attempts = [
        {"draws": [{"category": exam.deep.pk, "count": 3, "include_subcategories": True}]},
        {"fixed_questions": [{"question": exam.fixed.pk}]},
        {"fixed_questions": [{"question": exam.deeper.pk}]},
    ]
    for changes in attempts:
        response = client.post(_url(Quiz, "add"), quiz_payload(title="偷看考试的练习", **changes))
        assert response.status_code == 200
        assert "may not use questions that a qualification exam can draw" in _form_errors(response)
    assert not Quiz.objects.filter(title="偷看考试的练习").exists()

    client.force_login(staff.trainer)  # nor by editing a county's practice quiz
    response = client.post(
        _url(Quiz, "edit", practice.quiz.pk),
        quiz_payload(practice.quiz, fixed_questions=[{"question": exam.fixed.pk}]),
    )
    assert response.status_code == 200
    assert not practice.quiz.fixed_questions.exists()

    with pytest.raises(ValidationError):
        services.quiz_create(title="偷看考试的练习", kind=QuizKind.PRACTICE, draws=[(exam.sub, 3)])


def test_an_exam_may_not_draw_what_practice_quizzes_use(client, staff, exam, practice):
    client.force_login(staff.cityadmin)
    quiz = exam.quiz
    draws = [
        {"id": d.pk, "category": d.category_id, "count": d.count, "include_subcategories": True}
        for d in quiz.draws.all()
    ] + [{"category": practice.category.pk, "count": 1}]
    response = client.post(_url(Quiz, "edit", quiz.pk), quiz_payload(quiz, draws=draws))
    assert response.status_code == 200
    assert "may not draw questions that practice or module quizzes use" in _form_errors(response)
    assert quiz.draws.count() == 1


def test_practice_starts_are_limited_per_hour(client, staff, practice, settings):
    settings.QUIZZES_PRACTICE_STARTS_PER_HOUR = 10
    client.force_login(staff.officer)
    start = reverse("quizzes:start", args=[practice.quiz.pk])
    for _ in range(10):
        assert client.post(start).status_code == 302
        attempt = practice.quiz.attempts.filter(status=AttemptStatus.IN_PROGRESS).get()
        services.attempt_finish(attempt=attempt)
    response = client.post(start, follow=True)
    assert "You have started this quiz 10 times in the last hour" in response.content.decode()
    assert practice.quiz.attempts.count() == 10


def test_an_import_cannot_reach_into_the_exam_pool(client, city, staff, exam):
    gift = "::q1:: 行政处罚由违法行为发生地管辖。{T}\n".encode()
    client.force_login(staff.trainer)
    before = Question.objects.count()
    for path in ("通用法律知识/行政处罚法", "通用法律知识/行政处罚法/新子类"):
        upload = SimpleUploadedFile("q.gift", gift, content_type="text/plain")
        response = client.post(
            reverse("quizzes_import"), {"file": upload, "format": "gift", "category": path}
        )
        assert "Nothing was imported" in response.content.decode()
    assert Question.objects.count() == before
    assert not QuestionCategory.objects.filter(name="新子类").exists()

    upload = SimpleUploadedFile("q.gift", gift, content_type="text/plain")
    response = client.post(
        reverse("quizzes_import"), {"file": upload, "format": "gift", "category": "县1题库/练习"}
    )
    assert response.status_code == 302
    new = QuestionCategory.objects.get(name="练习")
    assert new.owner_unit == city["county1"] and new.parent.owner_unit == city["county1"]
    assert Question.objects.filter(category=new).count() == 1
    # The import is attributed: the question's history starts with it, by the trainer.
    imported = Question.objects.get(category=new)
    entry = ModelLogEntry.objects.for_instance(imported).get(action="wagtail.create")
    assert entry.user == staff.trainer
