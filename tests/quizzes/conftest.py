"""Fixtures for the quiz engine tests: officers in the small city, a bank, a quiz."""

import pytest

from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory
from quizzes.models import QuestionType


@pytest.fixture
def officer(city):
    return OfficerFactory(unit=city["township11"], full_name="李执法")


@pytest.fixture
def other_officer(city):
    return OfficerFactory(unit=city["township21"], full_name="王执法")


@pytest.fixture
def trainer(city):
    """A trainer of county 1 (officer's county)."""
    return StaffFactory(role=Role.TRAINER, unit=city["department1"])


@pytest.fixture
def category(db):
    return QuestionCategoryFactory(name="行政处罚法")


@pytest.fixture
def bank(category):
    """One question of each auto-marked type plus an essay, in a known order."""
    return {
        "single": QuestionFactory(
            category=category,
            text="违法行为在（　）内未被发现的，不再给予行政处罚。",
            options=[("一年", False), ("二年", True), ("三年", False), ("五年", False)],
            explanation="《行政处罚法》第三十六条",
        ),
        "multiple": QuestionFactory(
            category=category,
            qtype=QuestionType.MULTIPLE,
            partial_credit=True,
            text="下列属于行政处罚种类的有（　）。",
            options=[("警告", True), ("罚款", True), ("行政拘留", True), ("查封场所", False)],
            explanation="第九条",
        ),
        "true_false": QuestionFactory(
            category=category,
            qtype=QuestionType.TRUE_FALSE,
            text="执法人员不得少于两人。",
            options=True,
            explanation="第四十二条",
        ),
    }


@pytest.fixture
def quiz(bank):
    return QuizFactory(
        title="行政处罚法练习",
        questions=[bank["single"], bank["multiple"], bank["true_false"]],
    )
