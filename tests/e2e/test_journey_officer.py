"""Journey: an officer on a phone studies a lesson, sits its quiz through a dropped
connection, and sees the hours and the certificate status change."""

import datetime
import re
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

import pytest

from certification.factories import certificate, hours_add
from certification.selectors import credential_status
from certification.selectors.status import policy_current
from courses.factories import lesson_create, module_create
from courses.models import LessonProgress
from people.factories import OfficerFactory
from quizzes.factories import QuestionFactory, QuizFactory

from .conftest import assert_accessible, login

pytestmark = [
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_site"),
]


PASSWORD = "phone-pass-2026"
MODULE_HOURS = Decimal("2")


def _number(text: str) -> Decimal:
    """The first number in a piece of visible text ("46.0 / 60" → 46.0)."""
    match = re.search(r"\d+(?:\.\d+)?", text)
    assert match, f"no number in {text!r}"
    return Decimal(match.group())


def _pace_expected(today: datetime.date) -> Decimal | None:
    """Hours the policy expects by today (its last pace checkpoint passed), or None.

    Early in the year no checkpoint has passed; the policy is then moved to this month
    (it is editable by the city admin) so that being behind pace is possible today.
    January cannot hold a checkpoint, and there only the hours are followed.
    """
    policy = policy_current()
    passed = [hours for day, hours in policy.checkpoints(today.year) if day <= today]
    if passed:
        return passed[-1]
    if today.month < 2:
        return None
    policy.checkpoint1_month = today.month
    policy.save()
    return policy.checkpoint1_hours


@pytest.fixture
def officer(city):
    today = timezone.localdate()
    officer = OfficerFactory(unit=city["township11"], full_name="李学员")
    officer.set_password(PASSWORD)
    officer.save()
    certificate(officer, issued_on=datetime.date(today.year, 1, 1))
    expected = _pace_expected(today)
    # One module short of the pace: its hours are what make the certificate good again.
    hours_add(officer, (expected or Decimal("20")) - 1, on=datetime.date(today.year, 1, 1))
    return officer


@pytest.fixture
def lesson(city):
    questions = [
        QuestionFactory(text="行政处罚由违法行为发生地的哪一级行政机关管辖？"),
        QuestionFactory(text="当事人有权进行陈述和申辩吗？"),
    ]
    quiz = QuizFactory(title="行政处罚法随堂测验", questions=questions)
    module = module_create(title="行政处罚法基础", credit_hours=MODULE_HOURS, category="public_law")
    return lesson_create(
        module=module,
        title="第一课 行政处罚的种类",
        min_study_minutes=5,
        body=[
            ("text", "<p>行政处罚的种类包括警告、通报批评、罚款、没收违法所得。</p>"),
            ("quiz", {"quiz": quiz, "intro": "学完本课，做一组练习题。"}),
        ],
    )


def _my_training_total(page) -> Decimal:
    page.goto(reverse("courses:my_training"))
    assert_accessible(page)
    return _number(page.inner_text("label[for=hours-total] strong"))


def _my_certificate(page) -> tuple[str, Decimal]:
    page.goto(reverse("certification:mine"))
    assert_accessible(page)
    status = page.get_attribute(".status-hero [data-status]", "data-status")
    hours = _number(page.inner_text("section[aria-labelledby=hours-heading] p strong"))
    return status, hours


def _choose(page, position: int, text: str) -> None:
    page.locator(f"#q{position} label.option", has_text=text).click()


def _chosen(page, position: int) -> str | None:
    chosen = page.locator(f"#q{position} label.option:has(input:checked)")
    return chosen.locator("span").last.inner_text() if chosen.count() == 1 else None


def test_officer_studies_a_lesson_sits_its_quiz_offline_and_sees_hours_and_status(
    phone, officer, lesson
):
    today = timezone.localdate()
    login(phone, officer.username, PASSWORD)
    hours_before = _my_training_total(phone)
    status_before, cert_hours_before = _my_certificate(phone)
    assert cert_hours_before == hours_before
    pace = today.month >= 2
    if pace:
        assert status_before == "at_risk"

    # The lesson: opening it starts the server's study clock; finishing early is refused.
    phone.goto(lesson.url)
    assert_accessible(phone)
    assert "行政处罚的种类包括警告" in phone.inner_text("main")
    assert phone.is_disabled(".lesson-complete button[type=submit]")  # the countdown runs
    # Sent anyway (as without JavaScript), the server refuses it with a message.
    phone.eval_on_selector(".lesson-complete form", "form => form.submit()")
    phone.wait_for_selector(".message--error")
    assert phone.locator(".lesson-complete form").count() == 1

    # Five minutes of study pass (the lesson's clock has run since it was opened, see
    # docs/study-clock.md).
    LessonProgress.objects.filter(officer=officer, lesson=lesson).update(
        clock_started_at=timezone.now() - datetime.timedelta(minutes=6)
    )
    phone.reload()
    phone.click(".lesson-complete button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator(".lesson-complete .badge--ok").count() == 1
    # The module's hours wait for its quiz.
    assert _my_training_total(phone) == hours_before

    # The quiz placed in the lesson.
    phone.goto(lesson.url)
    phone.click(".quiz-block a.button")
    assert_accessible(phone)
    phone.click("main form button[type=submit]")
    phone.wait_for_url(re.compile(r"/quizzes/attempt/[0-9a-f-]+/$"))
    assert_accessible(phone)
    attempt_url = phone.url
    answer = re.compile(r"/answer/$")

    with phone.expect_response(answer) as saved:
        _choose(phone, 1, "选项二")  # B, the right answer
    assert saved.value.json()["status"] == "saved"
    # The "answered" counter in the bar follows the answers without a reload.
    assert _number(phone.inner_text("[data-answered-count]")) == 1

    # The connection drops while the second question is answered.
    phone.context.set_offline(True)
    _choose(phone, 2, "选项二")
    phone.wait_for_selector(".attempt__status--error")
    assert phone.is_visible(".attempt__status--error")
    # It comes back: the answer waiting in the page is sent again on its own.
    with phone.expect_response(answer) as resent:
        phone.context.set_offline(False)
    assert resent.value.json()["status"] == "saved"

    # Resuming the attempt (a reload, as after a lost connection) shows both answers kept.
    phone.goto(attempt_url)
    assert _chosen(phone, 1) == "选项二"
    assert _chosen(phone, 2) == "选项二"
    assert phone.locator(".navbox--answered").count() == 2

    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("[data-finish]")
    phone.wait_for_url(re.compile(r"/result/$"))
    assert_accessible(phone)
    assert _number(phone.inner_text(".result__score")) == 100
    assert ".00" not in phone.inner_text(".result__score")
    # The result leads back to the lesson the quiz belongs to.
    assert phone.locator(f'main a[href="{lesson.url}"]').count() == 1
    assert phone.locator(".result .badge--ok").count() == 1

    # The module's hours are in, on "My training" and on "My certificate".
    assert _my_training_total(phone) == hours_before + MODULE_HOURS
    status_after, cert_hours_after = _my_certificate(phone)
    assert cert_hours_after == cert_hours_before + MODULE_HOURS
    if pace:
        assert status_after == "valid"
    assert credential_status(officer=officer).code == status_after
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
