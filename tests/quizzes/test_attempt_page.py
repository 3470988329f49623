"""The quiz page an officer sees: a live answered counter, scores as "100 %", a way back to the case."""

import json
import re
from decimal import Decimal

from django.urls import reverse

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from quizzes.models import Attempt, AttemptStatus, Layout
from quizzes.templatetags.quiz_format import score_percent

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (Decimal("100.00"), "100 %"),
        (Decimal("87.50"), "87.5 %"),
        (Decimal("66.67"), "66.67 %"),
        (0, "0 %"),
        (None, ""),
    ],
)
def test_scores_read_without_trailing_zeros(score, shown):
    assert score_percent(score) == shown


@pytest.mark.django_db
def test_the_answered_counter_is_in_view_and_updated_as_answers_are_saved(client, officer, quiz):
    client.force_login(officer)
    client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(quiz=quiz, status=AttemptStatus.IN_PROGRESS)
    url = reverse("quizzes:attempt", args=[attempt.public_id])
    page = client.get(url).text
    assert 'data-answered-count data-template="{n} of 3 answered">0 of 3 answered<' in page
    client.post(
        reverse("quizzes:attempt_answer", args=[attempt.public_id]),
        data=json.dumps({"q": 1, "a": 0, "seq": 1}),
        content_type="application/json",
    )
    assert ">1 of 3 answered<" in client.get(url).text


@pytest.mark.django_db
def test_the_result_shows_a_plain_percentage_and_leads_back_to_the_case(client, officer, quiz):
    case = CasePageFactory(parent=CaseLibraryPageFactory(), title="秸秆焚烧查处案", quiz=quiz)
    client.force_login(officer)
    client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(quiz=quiz, status=AttemptStatus.IN_PROGRESS)
    client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id]))
    attempt.refresh_from_db()
    Attempt.objects.filter(pk=attempt.pk).update(score=Decimal("100.00"))
    page = client.get(reverse("quizzes:attempt_result", args=[attempt.public_id])).text
    assert "100 %" in page and "100.00" not in page
    assert f'href="{case.url}">Back to 秸秆焚烧查处案</a>' in page


@pytest.mark.django_db
def test_the_question_boxes_show_where_the_officer_is_and_what_is_answered(client, officer, quiz):
    """One question per page: each box is a button that saves and goes to its question;
    the current one and the answered ones are marked."""
    quiz.layout = Layout.ONE_PER_PAGE
    quiz.save()
    client.force_login(officer)
    client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(quiz=quiz, status=AttemptStatus.IN_PROGRESS)
    client.post(
        reverse("quizzes:attempt_answer", args=[attempt.public_id]),
        data=json.dumps({"q": 3, "a": 0, "seq": 1}),
        content_type="application/json",
    )
    page = client.get(reverse("quizzes:attempt", args=[attempt.public_id]) + "?page=2").text
    boxes = re.findall(r'<button type="submit" name="go" value="(\d)" class="(navbox[^"]*)"', page)
    assert boxes == [
        ("1", "navbox"),
        ("2", "navbox navbox--current"),
        ("3", "navbox navbox--answered"),
    ]
    # All on one page, the boxes are links to the questions.
    quiz.layout = Layout.ALL_ON_ONE_PAGE
    quiz.save()
    page = client.get(reverse("quizzes:attempt", args=[attempt.public_id])).text
    links = re.findall(r'<a href="#q(\d)" class="([^"]+)" data-nav="\d">\d</a>', page)
    assert links == [("1", "navbox"), ("2", "navbox"), ("3", "navbox navbox--answered")]
