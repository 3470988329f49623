"""A case's study quiz is a practice quiz; the home page and the quiz list agree on open exams."""

import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from powers.factories import EnforcementFieldFactory, PowerFactory
from quizzes.models import Quiz, QuizKind
from quizzes.selectors import exams_open_to
from tests.cases.test_cases_moderation import case_form


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def exam(db):
    field = EnforcementFieldFactory(code="natural_resources", name="自然资源")
    return Quiz.objects.create(
        title="专门法律知识考试（自然资源）", kind=QuizKind.SPECIALISED, field=field, is_draft=False
    )


@pytest.fixture
def practice(db):
    return Quiz.objects.create(title="《行政处罚法》随堂练习", is_draft=False)


@pytest.mark.django_db
def test_a_case_cannot_take_a_qualification_exam_as_its_study_quiz(exam, practice):
    library = CaseLibraryPageFactory()
    case = CasePageFactory(parent=library, quiz=practice)
    case.full_clean()
    case.quiz = exam
    with translation.override("en"), pytest.raises(ValidationError) as error:
        case.full_clean()
    with translation.override("en"):
        assert "not a practice quiz" in str(error.value.message_dict["quiz"])


@pytest.mark.django_db
def test_the_case_editor_says_why_an_exam_is_refused_in_chinese(client, city, exam, practice):
    field = exam.field
    power = PowerFactory(name="对农村村民未经批准非法占用土地建住宅的行政处罚", field=field)
    admin = StaffFactory(role=Role.CITY_ADMIN, unit=city["city"], is_superuser=True)
    library = CaseLibraryPageFactory()
    client.force_login(admin)
    url = reverse("wagtailadmin_pages:add", args=["cases", "casepage", library.pk])
    data = case_form(field, power)
    data["quiz"] = exam.pk
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "不是练习测验" in response.text or "not a practice quiz" in response.text
    data["quiz"] = practice.pk
    assert client.post(url, data).status_code == 302


@pytest.mark.django_db
def test_demo_cases_study_practice_quizzes_never_exams():
    from cases.demo import seed_cases
    from cases.models import CasePage
    from people import demo as people_demo
    from powers import demo as powers_demo
    from quizzes.demo import seed_quizzes

    units = people_demo.seed_org_tree()
    powers_demo.seed_catalogue(city=units["PY"])
    quizzes = seed_quizzes()
    seed_cases(with_assignments=False)
    case = CasePage.objects.get(title="村民未经批准占用耕地建住宅案")
    assert case.quiz is not None and case.quiz.kind == QuizKind.PRACTICE
    assert not CasePage.objects.exclude(quiz__isnull=True).exclude(quiz__kind="practice").exists()
    # A library seeded before the rule is put right by seeding again.
    CasePage.objects.filter(pk=case.pk).update(quiz=quizzes["specialised_natural_resources"])
    seed_cases(with_assignments=False)
    case.refresh_from_db()
    assert case.quiz.kind == QuizKind.PRACTICE


@pytest.mark.django_db
def test_home_page_and_quiz_list_show_the_same_open_exams(client, city, exam, practice, english):
    officer = OfficerFactory(unit=city["township11"])
    Quiz.objects.create(title="通用法律知识考试", kind=QuizKind.GENERAL_LAW, is_draft=False)
    later = timezone.now() + datetime.timedelta(days=3)
    Quiz.objects.create(
        title="下月开考的考试", kind=QuizKind.GENERAL_LAW, is_draft=False, opens_at=later
    )
    client.force_login(officer)
    home = client.get(reverse("home")).text
    index = client.get(reverse("quizzes:index"))
    open_titles = {q.title for q in exams_open_to(user=officer)}
    assert open_titles == {"通用法律知识考试", "专门法律知识考试（自然资源）"}
    assert {q.title for q in index.context["open_exams"]} == open_titles
    for title in open_titles:
        assert title in home and title in index.text
    assert "下月开考的考试" not in home
    assert "No exams are open to you now." not in home
    # Practice quizzes are in the list, not among the open exams.
    assert practice.title in index.text and practice.title not in home
