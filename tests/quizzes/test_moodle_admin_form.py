"""Editing a question in the Wagtail admin: the options must mark the way the question says
(the importers' rules), or the form says which option is wrong, never a 500."""

from decimal import Decimal

from django.urls import reverse

import pytest

from quizzes.factories import QuestionCategoryFactory, QuestionFactory
from quizzes.forms import options_problems
from quizzes.models import Option, Question, QuestionType
from quizzes.selectors import authoring_county

pytestmark = pytest.mark.usefixtures("english")


def _payload(question, options, **fields):
    data = {
        "category": str(question.category_id),
        "qtype": question.qtype,
        "title": question.title,
        "text": question.text,
        "points": "1",
        "explanation": "",
        "correct_feedback": "",
        "partially_correct_feedback": "",
        "incorrect_feedback": "",
        "grader_info": "",
        "is_active": "on",
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, (text, ok, weight) in enumerate(options):
        data[f"options-{index}-text"] = text
        data[f"options-{index}-weight"] = "" if weight is None else str(weight)
        data[f"options-{index}-feedback"] = ""
        data[f"options-{index}-ORDER"] = str(index + 1)
        data[f"options-{index}-id"] = ""
        data[f"options-{index}-DELETE"] = ""
        if ok:
            data[f"options-{index}-is_correct"] = "on"
    return data


@pytest.fixture
def editable(trainer):
    category = QuestionCategoryFactory(name="县题库", owner_unit=authoring_county(user=trainer))
    question = QuestionFactory(category=category, options=[("甲", True), ("乙", False)])
    question.options.all().delete()  # the posts below give every option anew
    return question


def _post(client, trainer, question, options, **fields):
    client.force_login(trainer)
    url = reverse("wagtailsnippets_quizzes_question:edit", args=[question.pk])
    return client.post(url, _payload(question, options, **fields))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("qtype", "options", "message"),
    [
        (
            QuestionType.SINGLE,
            [("甲", True, None), ("乙", True, None)],
            "A single-choice question has exactly one correct option",
        ),
        (QuestionType.SINGLE, [("甲", True, 50), ("乙", False, 0)], "an option weighted 100."),
        (QuestionType.SINGLE, [("甲", True, 100), ("乙", True, 50)], "Tick “correct” exactly"),
        (QuestionType.SINGLE, [("甲", True, 100), ("乙", False, None)], "or for none of them."),
        (QuestionType.SINGLE, [("甲", True, 100), ("乙", False, 33)], "weight 33 %"),
        (QuestionType.SINGLE, [("甲", True, 100), ("乙", False, -150)], "-100"),
        (
            QuestionType.MULTIPLE,
            [("甲", True, 50), ("乙", True, 25), ("丙", False, -100)],
            "add up to 75, not 100.",
        ),
        (QuestionType.MULTIPLE, [("甲", True, 50), ("乙", False, 50)], "positive weight."),
        (QuestionType.MULTIPLE, [("甲", False, None), ("乙", False, None)], "at least one"),
        (QuestionType.TRUE_FALSE, [("正确", True, None), ("错误", True, None)], "exactly one"),
        (QuestionType.ESSAY, [("甲", True, None)], "An essay question has no options"),
    ],
)
def test_trainer_gets_a_clear_error_for_options_that_cannot_mark(
    client, trainer, editable, qtype, options, message
):
    response = _post(client, trainer, editable, options, qtype=qtype)
    assert response.status_code == 200  # the form again, with the error; nothing saved
    assert message in response.content.decode()
    assert not editable.options.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("qtype", "options"),
    [
        (QuestionType.SINGLE, [("甲", True, None), ("乙", False, None)]),
        (QuestionType.SINGLE, [("甲", True, 100), ("乙", False, 50), ("丙", False, -50)]),
        (QuestionType.SINGLE, [("甲", True, 100), ("乙", True, 100)]),
        (
            QuestionType.MULTIPLE,
            [("甲", True, "33.33333"), ("乙", True, "33.33333"), ("丙", True, "33.33333")],
        ),
        (QuestionType.MULTIPLE, [("甲", True, 50), ("乙", True, 50), ("丙", False, -100)]),
        (QuestionType.TRUE_FALSE, [("正确", False, None), ("错误", True, None)]),
    ],
)
def test_trainer_saves_options_that_mark_as_moodle_does(client, trainer, editable, qtype, options):
    response = _post(client, trainer, editable, options, qtype=qtype)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Question.objects.get(pk=editable.pk)
    assert saved.qtype == qtype
    assert [(o.text, o.is_correct) for o in Option.objects.filter(question=saved)] == [
        (text, ok) for text, ok, _weight in options
    ]


def test_options_problems_name_the_option():
    problems = options_problems(
        QuestionType.MULTIPLE, [(True, Decimal(50)), (False, Decimal(50)), (False, Decimal(0))]
    )
    assert [(index, field) for index, field, _message in problems] == [(1, "is_correct")]
    assert (
        "add up"
        in options_problems(QuestionType.MULTIPLE, [(True, Decimal(50)), (False, Decimal(0))])[0][2]
    )
