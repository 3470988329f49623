"""`manage.py import_questions` (DESIGN.md §5) and category export, with round trips."""

import io

from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest
from openpyxl import Workbook, load_workbook

from powers.factories import EnforcementFieldFactory, PowerFactory
from quizzes import exchange
from quizzes.models import Question, QuestionCategory, QuestionType

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = pytest.mark.usefixtures("english")

GIFT = """// 行政处罚法 测试题
::期限::违法行为在几年内未被发现的，不再给予行政处罚？ {
  =二年
  ~一年
  ~三年 # 第三十六条
  ####《行政处罚法》第三十六条。
}

// @meta points=2 fields=ecology powers=PX-1
下列属于行政处罚种类的有 {~%50%警告 ~%50%罚款 ~%-100%查封}

$CATEGORY: $course$/top/行政处罚法/程序

执法人员不得少于两人。{T}

简述听证程序。{}

行政机关可以委托个人实施行政处罚。{FALSE ####第二十条}

比例符号\\{ 与冒号\\: 要转义 {=正确\\=答案 ~错误}
"""

AIKEN = """行政强制措施权可以委托吗？
A. 可以
B. 不可以
ANSWER: B

查封、扣押的期限一般不得超过（　）。
A) 十五日
B) 三十日
C) 六十日
ANSWER: B
"""


def _run(tmp_path, name, content, fmt, category="导入测试"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_questions", str(path), format=fmt, category=category, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def _snapshot(category):
    """What a question is, independent of ids: used to compare round trips."""
    return sorted(
        (
            "/".join(q.category.path_names()[len(category.path_names()) :]),
            q.qtype,
            q.text,
            q.explanation,
            q.partial_credit,
            str(q.points.normalize()),
            tuple((o.text, o.is_correct) for o in q.options.all()),
            tuple(sorted(f.code for f in q.fields.all())),
            tuple(sorted(p.code for p in q.powers.all())),
        )
        for q in exchange.category_questions(category)
    )


@pytest.fixture
def tags(db):
    EnforcementFieldFactory(code="ecology", name="生态环境保护")
    PowerFactory(code="PX-1")


@pytest.mark.django_db
def test_gift_import(tmp_path, tags):
    out, _err = _run(tmp_path, "q.gift", GIFT, "gift")
    assert out.strip() == "imported 6 questions"
    root = QuestionCategory.objects.get(name="导入测试", parent=None)
    single = Question.objects.get(text__startswith="违法行为在几年内")
    assert single.qtype == QuestionType.SINGLE and single.category == root
    assert [(o.text, o.is_correct) for o in single.options.all()] == [
        ("二年", True),
        ("一年", False),
        ("三年", False),
    ]
    assert single.explanation == "《行政处罚法》第三十六条。"
    multi = Question.objects.get(text__startswith="下列属于")
    assert multi.qtype == QuestionType.MULTIPLE and multi.partial_credit and multi.points == 2
    assert [f.code for f in multi.fields.all()] == ["ecology"]
    assert [p.code for p in multi.powers.all()] == ["PX-1"]
    tf = Question.objects.get(text="执法人员不得少于两人。")
    assert (
        tf.qtype == QuestionType.TRUE_FALSE and str(tf.category) == "导入测试 / 行政处罚法 / 程序"
    )
    assert [o.text for o in tf.options.filter(is_correct=True)] == ["正确"]
    assert Question.objects.get(text="简述听证程序。").qtype == QuestionType.ESSAY
    false = Question.objects.get(text__startswith="行政机关可以委托个人")
    assert [o.text for o in false.options.filter(is_correct=True)] == ["错误"]
    escaped = Question.objects.get(text__startswith="比例符号")
    assert escaped.text == "比例符号{ 与冒号: 要转义"
    assert escaped.options.get(is_correct=True).text == "正确=答案"


@pytest.mark.django_db
def test_malformed_gift_names_every_line_and_imports_nothing(tmp_path, tags):
    bad = """第一题 {=对 ~错}

第二题没有正确答案 {~甲 ~乙}

第三题 {=甲 ~乙

第四题 {#3:1}

第五题 {=一 ~ ~三}

// @meta powers=NOPE
第六题 {T}
"""
    out, err = io.StringIO(), io.StringIO()
    path = tmp_path / "bad.gift"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_questions", str(path), format="gift", category="X", stdout=out, stderr=err
        )
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Line 3",
        "Line 5",
        "Line 7",
        "Line 9",
        "Line 12",
    ]
    assert Question.objects.count() == 0 and not QuestionCategory.objects.exists()


@pytest.mark.django_db
def test_aiken_import_and_errors(tmp_path):
    out, _err = _run(tmp_path, "q.txt", AIKEN, "aiken")
    assert "imported 2 questions" in out
    question = Question.objects.get(text="行政强制措施权可以委托吗？")
    assert question.options.get(is_correct=True).text == "不可以"
    bad = "题一\nA. 甲\nB. 乙\nANSWER: C\n\n题二\nA. 甲\nC. 丙\nANSWER: A\n\n题三\nA. 甲\n"
    err = io.StringIO()
    path = tmp_path / "bad.txt"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), format="aiken", category="Y", stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Line 4", "Line 8", "Line 11"]
    assert Question.objects.count() == 2


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([header for _key, header in exchange.XLSX_COLUMNS])
    keys = [key for key, _header in exchange.XLSX_COLUMNS]
    for row in rows:
        sheet.append([row.get(key, "") for key in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_xlsx_import_errors_name_every_row(tmp_path, tags):
    data = _xlsx(
        [
            {"type": "单选", "text": "好题", "option_a": "甲", "option_b": "乙", "answer": "A"},
            {"type": "单选", "text": "答案越界", "option_a": "甲", "option_b": "乙", "answer": "D"},
            {"type": "填空", "text": "未知题型"},
            {"type": "判断", "text": "判断题", "answer": "也许"},
            {"type": "多选", "text": "", "option_a": "甲", "option_b": "乙", "answer": "AB"},
            {"type": "简答", "text": "简答", "fields": "nowhere"},
        ]
    )
    err = io.StringIO()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), format="xlsx", category="Z", stderr=err)
    rows = [line.split(":")[0] for line in err.getvalue().splitlines()]
    assert rows == ["Row 3", "Row 4", "Row 5", "Row 6", "Row 7"]
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_round_trips_xlsx_and_gift(tmp_path, tags):
    _run(tmp_path, "q.gift", GIFT, "gift", category="源")
    _run(tmp_path, "q.txt", AIKEN, "aiken", category="源/强制法")
    source = QuestionCategory.objects.get(name="源", parent=None)
    source_snapshot = _snapshot(source)
    assert len(source_snapshot) == 8

    xlsx = exchange.export_xlsx(list(exchange.category_questions(source)), root=source)
    out, _err = _run(tmp_path, "export.xlsx", xlsx, "xlsx", category="副本一")
    assert out.strip() == "imported 8 questions"
    assert _snapshot(QuestionCategory.objects.get(name="副本一")) == source_snapshot

    gift = exchange.export_gift(list(exchange.category_questions(source)), root=source)
    out, _err = _run(tmp_path, "export.gift", gift, "gift", category="副本二")
    assert out.strip() == "imported 8 questions"
    assert _snapshot(QuestionCategory.objects.get(name="副本二")) == source_snapshot


@pytest.mark.django_db
def test_admin_template_download_and_exports(client, trainer, tmp_path, tags):
    for codename in ("access_admin", "view_question", "add_question"):
        trainer.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(trainer)
    response = client.get(reverse("quizzes_xlsx_template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]][:3] == ["题型", "题干", "选项A"]
    _run(tmp_path, "q.gift", GIFT, "gift", category="导出")
    category = QuestionCategory.objects.get(name="导出", parent=None)
    gift = client.get(reverse("quizzes_category_export", args=[category.pk, "gift"]))
    assert "执法人员不得少于两人。" in gift.content.decode()
    xlsx = client.get(reverse("quizzes_category_export", args=[category.pk, "xlsx"]))
    assert xlsx.status_code == 200
    upload = io.BytesIO(AIKEN.encode())
    upload.name = "a.txt"
    response = client.post(
        reverse("quizzes_import"), {"file": upload, "format": "aiken", "category": "后台导入"}
    )
    assert response.status_code == 302
    assert Question.objects.filter(category__name="后台导入").count() == 2
    broken = io.BytesIO(b"no answer here\nA. x\n")
    broken.name = "b.txt"
    response = client.post(
        reverse("quizzes_import"), {"file": broken, "format": "aiken", "category": "坏"}
    )
    assert response.status_code == 200 and "Line" in response.content.decode()


@pytest.mark.django_db
def test_xlsx_template_and_import_carry_title_and_feedback(tmp_path):
    template = load_workbook(io.BytesIO(exchange.xlsx_template())).active
    headers = [cell.value for cell in template[1]]
    for header in ("标题", "解析", "选项A反馈", "选项H反馈"):
        assert header in headers
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["题型", "题干", "选项A", "选项B", "答案", "解析", "标题", "选项A反馈", "选项B反馈"]
    )
    sheet.append(["单选", "期限？", "二年", "一年", "A", "第三十六条", "期限", "对", "不对"])
    sheet.append(["判断", "两人以上", "", "", "正确", "", "人数", "是的", "想想"])
    sheet.append(["单选", "空反馈", "甲", "乙", "A", "", "", "", ""])
    sheet.append(["简答", "简述", "", "", "", "", "", "不该有", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = exchange.parse_xlsx(buffer.getvalue())
    assert [(p.number, p.message) for p in result.problems] == [
        (5, "an essay question has no options to give feedback on")
    ]
    single, true_false, empty = result.questions[:3]
    assert (single.title, single.explanation, single.option_feedback) == (
        "期限",
        "第三十六条",
        ["对", "不对"],
    )
    assert true_false.title == "人数" and true_false.option_feedback == ["是的", "想想"]
    assert empty.option_feedback == ["", ""]
