"""The question bank: categories, withdrawn powers flag questions, admin viewsets."""

import datetime

from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

import pytest

from powers.factories import PowerFactory
from quizzes import services
from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory, quiz_draw_add
from quizzes.models import Question

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.django_db
def test_questions_on_withdrawn_powers_are_flagged_and_never_drawn(officer, category):
    today = timezone.localdate()
    withdrawn = PowerFactory(withdrawn_on=today - datetime.timedelta(days=1))
    held = PowerFactory()
    stale = QuestionFactory(category=category, text="已取消事项的题")
    fresh = QuestionFactory(category=category, text="现行事项的题")
    stale.powers.set([withdrawn])
    stale.save()
    fresh.powers.set([held])
    fresh.save()
    assert list(Question.objects.needing_review(today)) == [stale]
    quiz = QuizFactory()
    quiz_draw_add(quiz=quiz, category=category, count=5)
    for _ in range(5):
        attempt = services.attempt_start(quiz=quiz, user=officer)
        assert list(attempt.slots.values_list("question_id", flat=True)) == [fresh.pk]
        services.attempt_finish(attempt=attempt)


@pytest.mark.django_db
def test_draws_include_sub_categories(officer):
    top = QuestionCategoryFactory(name="通用法律知识")
    sub = QuestionCategoryFactory(name="行政强制法", parent=top)
    subsub = QuestionCategoryFactory(name="查封扣押", parent=sub)
    QuestionFactory(category=subsub)
    QuestionFactory(category=top)
    assert str(subsub) == "通用法律知识 / 行政强制法 / 查封扣押"
    quiz = QuizFactory()
    quiz_draw_add(quiz=quiz, category=top, count=10)
    attempt = services.attempt_start(quiz=quiz, user=officer)
    assert attempt.slots.count() == 2


@pytest.mark.django_db
def test_quiz_without_questions_cannot_start(client, officer):
    quiz = QuizFactory()
    client.force_login(officer)
    response = client.post(reverse("quizzes:start", args=[quiz.pk]), follow=True)
    assert "no questions" in response.content.decode()


@pytest.fixture
def editor(trainer):
    for codename in (
        "access_admin",
        "view_question",
        "add_question",
        "change_question",
        "view_quiz",
        "change_quiz",
        "add_quiz",
    ):
        trainer.user_permissions.add(Permission.objects.get(codename=codename))
    return trainer


@pytest.mark.django_db
def test_question_admin_lists_searches_and_flags(
    client, editor, category, django_assert_max_num_queries
):
    withdrawn = PowerFactory(withdrawn_on=timezone.localdate())
    flagged = QuestionFactory(category=category, text="关于已取消事项的题目")
    flagged.powers.set([withdrawn])
    flagged.save()
    QuestionFactory(category=category, text="其他题目")
    client.force_login(editor)
    url = reverse("wagtailsnippets_quizzes_question:list")
    with django_assert_max_num_queries(40):
        response = client.get(url, {"q": "已取消"})
    content = response.content.decode()
    assert (
        response.status_code == 200
        and "关于已取消事项的题目" in content
        and "其他题目" not in content
    )
    only_flagged = client.get(url, {"needs_review": "true"}).content.decode()
    assert "关于已取消事项的题目" in only_flagged and "其他题目" not in only_flagged


@pytest.mark.django_db
def test_quiz_is_a_snippet_with_a_chooser(client, editor, quiz):
    client.force_login(editor)
    response = client.get(reverse("wagtailsnippetchoosers_quizzes_quiz:choose"))
    assert response.status_code == 200 and quiz.title in response.json()["html"]
    from wagtail.snippets.blocks import SnippetChooserBlock

    block = SnippetChooserBlock("quizzes.Quiz")
    assert block.to_python(quiz.pk) == quiz


@pytest.mark.django_db
def test_draft_visible_to_editors_only(client, editor, officer, quiz):
    quiz.live = False
    quiz.save()
    client.force_login(editor)
    assert client.get(reverse("quizzes:detail", args=[quiz.pk])).status_code == 200
    assert services.attempt_start(quiz=quiz, user=editor).pk
    with pytest.raises(services.QuizUnavailable):
        services.attempt_start(quiz=quiz, user=officer)
