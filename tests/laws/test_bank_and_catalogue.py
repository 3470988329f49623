"""The bank counts withheld questions, an exam warns its owner of a pool emptied by law
review, and the powers catalogue flags a power whose legal basis was repealed."""

import datetime

from django.urls import reverse

import pytest

from laws import services as laws
from people.factories import StaffFactory
from people.models import Role
from powers.factories import PowerFactory
from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory, quiz_draw_add
from quizzes.models import QuizKind
from quizzes.selectors import exam_pool_check

from .conftest import TITLE, V2_EFFECTIVE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BEFORE = V2_EFFECTIVE - datetime.timedelta(days=1)


@pytest.fixture
def city_admin(city):
    return StaffFactory(role=Role.CITY_ADMIN, unit=city["city"])


@pytest.fixture
def stale_bank(sanitation_v2):
    category = QuestionCategoryFactory(name="环境卫生")
    stale = QuestionFactory(category=category, text="本条例适用于哪些区域？")
    laws.citation_add(obj=stale, title=TITLE, number=2, on=BEFORE)
    return category, stale


def test_the_question_bank_says_how_many_are_withheld(
    client, city_admin, stale_bank, django_assert_max_num_queries
):
    category, _stale = stale_bank
    QuestionFactory(category=category, text="其他题目")
    client.force_login(city_admin)
    url = reverse("wagtailsnippets_quizzes_question:list")
    client.get(url)
    with django_assert_max_num_queries(45):
        html = client.get(url).content.decode()
    assert "1 question is withheld from qualification exams" in html
    assert "w-status--label" in html


def test_an_exam_whose_pool_is_emptied_warns_on_its_edit_page(client, city_admin, stale_bank):
    category, stale = stale_bank
    exam = QuizFactory(kind=QuizKind.GENERAL_LAW, owner_unit=None)
    quiz_draw_add(quiz=exam, category=category, count=1)
    check = exam_pool_check(quiz=exam, on=V2_EFFECTIVE)
    assert (check.available, check.withheld, check.left, check.short) == (1, 1, 0, True)
    assert not exam_pool_check(quiz=exam, on=BEFORE).short
    client.force_login(city_admin)
    html = client.get(reverse("wagtailsnippets_quizzes_quiz:edit", args=[exam.pk])).content
    assert "could draw no question" in html.decode()
    practice = QuizFactory(kind=QuizKind.PRACTICE)
    quiz_draw_add(quiz=practice, category=category, count=1)
    assert exam_pool_check(quiz=practice, on=V2_EFFECTIVE) is None
    html = client.get(reverse("wagtailsnippets_quizzes_quiz:edit", args=[practice.pk])).content
    assert "could draw no question" not in html.decode()


def test_a_power_whose_legal_basis_is_repealed_is_flagged_in_the_catalogue(
    client, city_admin, sanitation_v2
):
    from powers.selectors import powers_basis_repealed_ids

    repealed = PowerFactory(name="对未参加检查评比的处理")
    amended = PowerFactory(name="对不适用区域的处理")
    laws.citation_add(obj=repealed, title=TITLE, number=3, on=BEFORE)  # repealed in v2
    laws.citation_add(obj=amended, title=TITLE, number=2, on=BEFORE)  # amended only
    assert powers_basis_repealed_ids(on=V2_EFFECTIVE) == {repealed.pk}
    assert powers_basis_repealed_ids(on=BEFORE) == set()
    client.force_login(city_admin)
    html = client.get(reverse("wagtailsnippets_powers_power:list")).content.decode()
    assert html.count("Legal basis repealed") == 1
