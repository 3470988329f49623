"""axe-core, run in the browser, on the pages officers and supervisors use most: no serious
or critical violations."""

import datetime
import re

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from certification.factories import certificate, hours_add
from courses.factories import lesson_create, module_create
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from quizzes.factories import QuestionFactory, QuizFactory

from .conftest import axe_violations, login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_site")]


PASSWORD = "axe-pass-2026"


def _user(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def content(city):
    """An officer with hours and a certificate, a lesson with a quiz, a case library with a case."""
    cache.clear()
    today = timezone.localdate()
    officer = _user(OfficerFactory(unit=city["township11"], full_name="林无障"))
    certificate(officer, issued_on=datetime.date(today.year, 1, 1))
    hours_add(officer, 12, on=datetime.date(today.year, 1, 1))
    OfficerFactory(unit=city["township12"], full_name="何新人")
    quiz = QuizFactory(
        title="行政处罚法随堂测验",
        questions=[QuestionFactory(text="行政处罚的种类有哪些？"), QuestionFactory()],
    )
    module = module_create(title="行政处罚法基础")
    lesson = lesson_create(
        module=module,
        title="第一课 行政处罚的种类",
        body=[
            ("text", "<p>行政处罚的种类包括警告、通报批评、罚款。</p>"),
            ("quiz", {"quiz": quiz, "intro": "学完本课，做一组练习题。"}),
        ],
    )
    library = CaseLibraryPageFactory()
    CasePageFactory(parent=library, title="某村村民未经批准占地建房案")
    bureau = _user(StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]))
    return {
        "officer": officer,
        "lesson": lesson,
        "quiz": quiz,
        "library": library,
        "bureau": bureau,
    }


def _check(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def test_officer_home(phone, content):
    login(phone, content["officer"].username, PASSWORD)
    assert phone.url.endswith("/")
    _check(phone)


def test_lesson_page(phone, content):
    login(phone, content["officer"].username, PASSWORD)
    phone.goto(content["lesson"].url)
    phone.wait_for_selector(".lesson-complete")
    _check(phone)


def test_quiz_attempt_page(phone, content):
    login(phone, content["officer"].username, PASSWORD)
    phone.goto(reverse("quizzes:detail", args=[content["quiz"].pk]))
    phone.click("main form button[type=submit]")
    phone.wait_for_url(re.compile(r"/quizzes/attempt/[0-9a-f-]+/$"))
    _check(phone)


def test_case_library_with_a_search(phone, content):
    login(phone, content["officer"].username, PASSWORD)
    phone.goto(f"{content['library'].url}?q=占地")
    assert phone.locator("main mark").count() >= 1
    _check(phone)


def test_readiness_dashboard(desktop, content, city):
    login(desktop, content["bureau"].username, PASSWORD)
    desktop.goto(reverse("certification:dashboard"))
    desktop.wait_for_url(re.compile(rf"/readiness/{city['county1'].code}/"))
    _check(desktop)
