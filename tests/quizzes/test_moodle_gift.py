"""GIFT as Moodle means it: weights, single versus multiple answer, types the bank does not
have (DESIGN.md §5). Expected marks are worked out by hand from Moodle's rule."""

import io
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest
from openpyxl import Workbook

from quizzes import exchange, services
from quizzes.factories import QuizFactory
from quizzes.models import Question, QuestionCategory, QuestionType

pytestmark = pytest.mark.usefixtures("english")

WEIGHTED = """// Weighted questions written the way Moodle users write them.
::部分得分::简易程序可以当场作出的是（　）。{
  =警告
  ~%50%较小数额的罚款#只对一半
  ~%-50%吊销许可证#扣分
  ~没收违法所得
}

两个满分答案 {=甲 =乙 ~丙}

// @meta points=4
多选不等权 {~%60%甲 ~%40%乙 ~%-50%丙 ~丁}

多选只有一个正确 {~%100%甲 ~%-100%乙 ~丙}

三等分 {~%33.33333%甲 ~%33.33333%乙 ~%33.33333%丙 ~%-100%丁}

菜单路径 {~文件->页面设置 =编辑->查找 ~视图->缩放}
"""

# (question text start, type, marks per single option chosen alone)
EXPECTED = [
    ("简易程序", QuestionType.SINGLE, ["1.00", "0.50", "-0.50", "0.00"]),
    ("两个满分", QuestionType.SINGLE, ["1.00", "1.00", "0.00"]),
    ("多选不等权", QuestionType.MULTIPLE, ["2.40", "1.60", "0.00", "0.00"]),
    ("多选只有一个", QuestionType.MULTIPLE, ["1.00", "0.00", "0.00"]),
    ("三等分", QuestionType.MULTIPLE, ["0.33", "0.33", "0.33", "0.00"]),
    ("菜单路径", QuestionType.SINGLE, ["0.00", "1.00", "0.00"]),
]


def _import(tmp_path, content, *args, category="莫德尔"):
    path = tmp_path / "moodle.gift"
    path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_questions",
        str(path),
        "--format=gift",
        f"--category={category}",
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def _marks(officer, question, picks: list[list[int]]) -> list[str]:
    """The marks the engine gives for each choice of options (indices), one attempt each."""
    quiz = QuizFactory(questions=[question])
    marks = []
    for picked in picks:
        attempt = services.attempt_start(quiz=quiz, user=officer)
        answer = picked if question.qtype == QuestionType.MULTIPLE else picked[0]
        services.answer_save(attempt=attempt, position=1, answer=answer, seq=1)
        attempt, _done = services.attempt_finish(attempt=attempt)
        marks.append(str(attempt.slots.get().points))
    return marks


@pytest.mark.django_db
def test_every_option_of_weighted_questions_scores_as_in_moodle(tmp_path, officer):
    out, _err = _import(tmp_path, WEIGHTED)
    assert out.strip() == "imported 6 questions"
    for start, qtype, expected in EXPECTED:
        question = Question.objects.get(text__startswith=start)
        assert question.qtype == qtype, start
        picks = [[i] for i in range(question.options.count())]
        assert _marks(officer, question, picks) == expected, start


@pytest.mark.django_db
def test_a_negative_single_answer_takes_marks_away_but_no_total_goes_below_0(tmp_path, officer):
    _import(tmp_path, WEIGHTED)
    penalised = Question.objects.get(text__startswith="简易程序")  # its 3rd option is -50 %
    full = Question.objects.get(text__startswith="两个满分")
    quiz = QuizFactory(questions=[penalised, full])
    attempt = services.attempt_start(quiz=quiz, user=officer)
    by_question = {slot.question_id: slot for slot in attempt.slots.all()}
    for question, option_index in ((penalised, 2), (full, 0)):
        slot = by_question[question.pk]
        option = list(question.options.order_by("sort_order", "pk"))[option_index]
        answer = slot.option_order.index(option.pk)  # the page sends the shown position
        services.answer_save(attempt=attempt, position=slot.position, answer=answer, seq=1)
    attempt, _done = services.attempt_finish(attempt=attempt)
    assert attempt.points_awarded == Decimal("0.50")  # 1 - 0.5

    alone = QuizFactory(questions=[penalised])
    assert _marks(officer, penalised, [[2]]) == ["-0.50"]
    attempt = services.attempt_start(quiz=alone, user=officer)
    wrong = list(penalised.options.order_by("sort_order", "pk"))[2]
    shown = attempt.slots.get().option_order.index(wrong.pk)
    services.answer_save(attempt=attempt, position=1, answer=shown, seq=1)
    attempt, _done = services.attempt_finish(attempt=attempt)
    assert attempt.points_awarded == Decimal("0.00") and attempt.score == Decimal("0.00")


@pytest.mark.django_db
def test_multiple_answer_sums_chosen_weights_between_0_and_full(tmp_path, officer):
    _import(tmp_path, WEIGHTED)
    unequal = Question.objects.get(text__startswith="多选不等权")
    # 60+40 = 100 %; 60+40-50 = 50 %; everything = 50 %; 40-50 < 0 gives 0.
    picks = [[0, 1], [0, 1, 2], [0, 1, 2, 3], [1, 2]]
    assert _marks(officer, unequal, picks) == ["4.00", "2.00", "2.00", "0.00"]
    thirds = Question.objects.get(text__startswith="三等分")
    assert _marks(officer, thirds, [[0, 1, 2], [0, 1, 2, 3]]) == ["1.00", "0.00"]


@pytest.mark.django_db
def test_weights_and_right_options_are_stored(tmp_path):
    _import(tmp_path, WEIGHTED)
    single = Question.objects.get(text__startswith="简易程序")
    assert [(o.text, o.is_correct, o.weight) for o in single.options.all()] == [
        ("警告", True, Decimal(100)),
        ("较小数额的罚款", False, Decimal(50)),
        ("吊销许可证", False, Decimal(-50)),
        ("没收违法所得", False, Decimal(0)),
    ]
    one_right = Question.objects.get(text__startswith="多选只有一个")
    assert [o.is_correct for o in one_right.options.all()] == [True, False, False]
    menu = Question.objects.get(text__startswith="菜单路径")
    assert [o.text for o in menu.options.all()] == ["文件->页面设置", "编辑->查找", "视图->缩放"]


@pytest.mark.django_db
def test_marking_key_is_recorded_at_the_start(tmp_path, officer):
    """A weight changed during an attempt applies to later attempts only."""
    _import(tmp_path, WEIGHTED)
    question = Question.objects.get(text__startswith="简易程序")
    quiz = QuizFactory(questions=[question])
    attempt = services.attempt_start(quiz=quiz, user=officer)
    question.options.filter(text="较小数额的罚款").update(weight=Decimal(0))
    services.answer_save(attempt=attempt, position=1, answer=1, seq=1)
    attempt, _done = services.attempt_finish(attempt=attempt)
    assert attempt.slots.get().points == Decimal("0.50")


@pytest.mark.django_db
def test_weighted_questions_round_trip_through_gift_export(tmp_path):
    _import(tmp_path, WEIGHTED)
    root = QuestionCategory.objects.get(name="莫德尔")
    text = exchange.export_gift(list(exchange.category_questions(root)), root=root)
    assert "~%-50%吊销许可证" in text and "=甲 =乙 ~丙" in text
    _import(tmp_path, text, category="再导入")
    for start, qtype, _marks_expected in EXPECTED:
        before, after = Question.objects.filter(text__startswith=start).order_by("pk")
        assert after.qtype == qtype == before.qtype
        assert [(o.text, o.is_correct, o.weight) for o in after.options.all()] == [
            (o.text, o.is_correct, o.weight) for o in before.options.all()
        ]


@pytest.mark.django_db
def test_weights_moodle_would_not_accept_are_refused_with_their_line(tmp_path):
    bad = """加起来不是一百 {~%50%甲 ~%30%乙 ~丙}

等号后的权重 {=%50%甲 ~乙}

超过一百 {~%150%甲 ~乙}

写错的权重 {~%abc%甲 ~%100%乙}

没有正确答案 {~甲 ~乙}
"""
    path = tmp_path / "bad.gift"
    path.write_text(bad, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), format="gift", category="X", stderr=err)
    assert [line.split(":")[0] for line in err.getvalue().splitlines()] == [
        "Line 1",
        "Line 3",
        "Line 5",
        "Line 7",
        "Line 9",
    ]
    assert not Question.objects.exists()


MIXED = """// Supported and unsupported types, as a Moodle export holds them.
单选 {=甲 ~乙}

短答 {=行政处罚法 =处罚法}

数值 {#3:1}

配对 {=警告->申诫罚 =罚款->财产罚 =拘留->人身罚}

这是一段说明文字，没有答案块。

判断 {TRUE}

小写不是判断 {true}

问答 {}
"""


@pytest.mark.django_db
def test_skip_unsupported_lists_each_skipped_question(tmp_path):
    out, _err = _import(tmp_path, MIXED, "--skip-unsupported")
    assert out.splitlines() == [
        "imported 3 questions",
        "skipped 5 questions",
        "Line 4: shortanswer (short answer)",
        "Line 6: numerical (numerical)",
        "Line 8: match (matching)",
        "Line 10: description (description)",
        "Line 14: shortanswer (short answer)",
    ]
    assert sorted(Question.objects.values_list("qtype", flat=True)) == [
        QuestionType.ESSAY,
        QuestionType.SINGLE,
        QuestionType.TRUE_FALSE,
    ]


@pytest.mark.django_db
def test_without_the_flag_unsupported_questions_refuse_the_file(tmp_path):
    path = tmp_path / "mixed.gift"
    path.write_text(MIXED, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), format="gift", category="X", stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Line 4",
        "Line 6",
        "Line 8",
        "Line 10",
        "Line 14",
    ]
    assert "not supported" in lines[0]
    assert not Question.objects.exists()


@pytest.mark.django_db
def test_admin_import_screen_skips_and_lists_unsupported_questions(client, trainer):
    for codename in ("access_admin", "view_question", "add_question"):
        trainer.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(trainer)

    def post(**extra):
        upload = io.BytesIO(MIXED.encode())
        upload.name = "mixed.gift"
        data = {"file": upload, "format": "gift", "category": "后台莫德尔", **extra}
        return client.post(reverse("quizzes_import"), data)

    refused = post()
    assert refused.status_code == 200 and "Line 4" in refused.content.decode()
    assert not Question.objects.exists()
    response = post(skip_unsupported="on")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 8: match (matching)" in page and "Line 14: shortanswer" in page
    assert Question.objects.filter(category__name="后台莫德尔").count() == 3


@pytest.mark.django_db
def test_weighted_questions_round_trip_through_xlsx(tmp_path):
    _import(tmp_path, WEIGHTED)
    root = QuestionCategory.objects.get(name="莫德尔")
    data = exchange.export_xlsx(list(exchange.category_questions(root)), root=root)
    path = tmp_path / "again.xlsx"
    path.write_bytes(data)
    call_command(
        "import_questions", str(path), format="xlsx", category="表格", stdout=io.StringIO()
    )
    for start, qtype, _marks_expected in EXPECTED:
        before, after = Question.objects.filter(text__startswith=start).order_by("pk")
        assert after.qtype == qtype
        assert [(o.text, o.is_correct, o.weight) for o in after.options.all()] == [
            (o.text, o.is_correct, o.weight) for o in before.options.all()
        ]


@pytest.mark.django_db
def test_xlsx_weights_must_agree_with_the_answer_letters(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["题型", "题干", "选项A", "选项B", "选项C", "答案", "选项权重"])
    sheet.append(["单选", "对得上", "甲", "乙", "丙", "A", "100,50,-50"])
    sheet.append(["单选", "对不上", "甲", "乙", "丙", "B", "100,50,-50"])
    sheet.append(["多选", "不满一百", "甲", "乙", "丙", "AB", "50,30,-50"])
    sheet.append(["多选", "个数不对", "甲", "乙", "丙", "AB", "50,50"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = exchange.parse_xlsx(buffer.getvalue())
    assert [p.number for p in result.problems] == [3, 4, 5]
    assert result.questions[0].weights == [Decimal(100), Decimal(50), Decimal(-50)]
