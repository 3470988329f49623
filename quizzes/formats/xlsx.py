"""The product's own XLSX template: parsing, export and the empty template."""

import io
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from people.spreadsheets import sheet_append, xlsx_bytes, xlsx_workbook
from people.tabular import TableError, read_rows
from quizzes.models import Question, QuestionCategory, QuestionType, TextFormat

from .common import (
    FALSE_TEXT,
    LETTERS,
    TRUE_TEXT,
    ParsedQuestion,
    ParseResult,
    Problem,
    check_common,
    ordered,
    relative_path,
    split_codes,
    weight_text,
)
from .files import html_file_problems
from .html import html_clean, html_problems
from .images import html_image_problems

XLSX_TEMPLATE_OPTIONS = 8  # option columns in the template; more are read and written


def _xlsx_columns(options: int = XLSX_TEMPLATE_OPTIONS) -> list[tuple[str, str]]:
    """The sheet's columns, with option columns 选项A… for `options` options."""
    return [
        ("type", "题型"),
        ("text", "题干"),
        *[(f"option_{letter.lower()}", f"选项{letter}") for letter in LETTERS[:options]],
        ("answer", "答案"),
        ("explanation", "解析"),
        ("points", "分值"),
        ("partial", "部分得分"),
        ("subcategory", "子分类"),
        ("fields", "执法领域"),
        ("powers", "事项编码"),
        ("weights", "选项权重"),
        ("format", "格式"),
        ("title", "标题"),
        *[(f"feedback_{letter.lower()}", f"选项{letter}反馈") for letter in LETTERS[:options]],
    ]


XLSX_COLUMNS = _xlsx_columns()
XLSX_ALIASES = {header: key for key, header in _xlsx_columns(len(LETTERS))} | {
    key: key for key, _header in _xlsx_columns(len(LETTERS))
}
TYPE_WORDS = {
    QuestionType.SINGLE: ("单选", "单选题", "single"),
    QuestionType.MULTIPLE: ("多选", "多选题", "multiple"),
    QuestionType.TRUE_FALSE: ("判断", "判断题", "true_false", "truefalse"),
    QuestionType.ESSAY: ("问答", "简答", "简答题", "论述", "essay"),
}
TYPE_LABEL = {
    QuestionType.SINGLE: "单选",
    QuestionType.MULTIPLE: "多选",
    QuestionType.TRUE_FALSE: "判断",
    QuestionType.ESSAY: "简答",
}
_TRUE_WORDS = {"正确", "对", "是", "t", "true", "√", "a"}
_FALSE_WORDS = {"错误", "错", "否", "f", "false", "×", "b"}


def parse_xlsx(data: bytes, *, filename: str = "questions.xlsx") -> ParseResult:
    """Parse the XLSX template (first sheet, header in row 1)."""
    result = ParseResult()
    try:
        rows = read_rows(
            io.BytesIO(data), filename=filename, aliases=XLSX_ALIASES, required=["type", "text"]
        )
    except TableError as error:
        result.problems.append(Problem("row", 1, str(error)))
        return result
    for row in rows:
        number = row.number
        before = len(result.problems)
        type_word = row.get("type").strip().lower()
        qtype = next((t for t, words in TYPE_WORDS.items() if type_word in words), None)
        if qtype is None:
            result.problems.append(
                Problem(
                    "row",
                    number,
                    _("unknown question type “%(type)s” (use 单选, 多选, 判断 or 简答)")
                    % {"type": row.get("type")},
                )
            )
            continue
        question = ParsedQuestion(
            qtype=qtype,
            text=row.get("text"),
            explanation=row.get("explanation"),
            subcategory=[p.strip() for p in row.get("subcategory").split("/") if p.strip()],
            fields=split_codes(row.get("fields")),
            powers=split_codes(row.get("powers")),
            number=number,
            title=row.get("title").strip(),
        )
        feedback = [row.get(f"feedback_{letter.lower()}") for letter in LETTERS]
        points = row.get("points")
        if points:
            try:
                question.points = Decimal(points)
            except InvalidOperation:
                result.problems.append(Problem("row", number, _("the marks are not a number")))
        answer = row.get("answer").strip()
        if qtype == QuestionType.TRUE_FALSE:
            word = answer.lower()
            question.option_feedback = feedback[:2]
            if word in _TRUE_WORDS:
                question.options = [(TRUE_TEXT, True), (FALSE_TEXT, False)]
            elif word in _FALSE_WORDS:
                question.options = [(TRUE_TEXT, False), (FALSE_TEXT, True)]
            else:
                result.problems.append(
                    Problem("row", number, _("the answer of a true/false question is 正确 or 错误"))
                )
        elif qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            texts = [row.get(f"option_{letter.lower()}") for letter in LETTERS]
            while texts and not texts[-1]:
                texts.pop()
            picked = [c for c in answer.upper() if c in LETTERS]
            if not picked:
                result.problems.append(
                    Problem("row", number, _("give the answer as option letters, e.g. A or ACD"))
                )
            for letter in picked:
                if LETTERS.index(letter) >= len(texts) or not texts[LETTERS.index(letter)]:
                    result.problems.append(
                        Problem(
                            "row",
                            number,
                            _("the answer %(letter)s is not one of the options")
                            % {"letter": letter},
                        )
                    )
            question.options = [(text, LETTERS[i] in picked) for i, text in enumerate(texts)]
            question.option_feedback = feedback[: len(texts)]
            if any(feedback[len(texts) :]):
                result.problems.append(
                    Problem("row", number, _("there is feedback for an option that is empty"))
                )
            if qtype == QuestionType.MULTIPLE:
                question.partial_credit = row.get("partial").strip().lower() in (
                    "是",
                    "y",
                    "yes",
                    "1",
                    "true",
                )
        if len(result.problems) == before and row.get("weights").strip():
            _xlsx_weights(question, row.get("weights"), result.problems)
        if len(result.problems) == before and row.get("format").strip():
            _xlsx_format(question, row.get("format"), result.problems)
        if qtype == QuestionType.ESSAY and any(feedback):
            result.problems.append(
                Problem("row", number, _("an essay question has no options to give feedback on"))
            )
        if len(result.problems) == before:
            check_common(question, "row", result.problems)
        result.questions.append(question)
    return result


def _xlsx_weights(question: ParsedQuestion, value: str, problems: list[Problem]) -> None:
    """Moodle's option weights in per cent, one per option ("100,50,-50,0"); they must
    agree with the answer letters: the 100 % options of a single-choice question, the
    positive ones (adding up to 100) of a multiple-choice one."""

    def problem(message):
        problems.append(Problem("row", question.number, message))

    if question.qtype not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        problem(_("only single- and multiple-choice questions have option weights"))
        return
    try:
        weights = [Decimal(part) for part in re.split(r"[,，;；\s]+", value.strip())]
    except InvalidOperation:
        problem(_("the option weights are not numbers"))
        return
    if len(weights) != len(question.options):
        problem(_("give one weight for each option"))
        return
    if any(not Decimal(-100) <= w <= Decimal(100) for w in weights):
        problem(_("a weight is between -100 and 100"))
        return
    if question.qtype == QuestionType.SINGLE:
        right = [w == 100 for w in weights]
    else:
        right = [w > 0 for w in weights]
        if abs(sum((w for w in weights if w > 0), Decimal(0)) - 100) > Decimal("0.5"):
            problem(_("the positive weights of a multiple-choice question add up to 100"))
            return
    if right != [ok for _text, ok in question.options]:
        problem(_("the answer letters do not match the options with full or positive weight"))
        return
    question.weights = weights
    question.partial_credit = question.qtype == QuestionType.MULTIPLE


def _xlsx_format(question: ParsedQuestion, value: str, problems: list[Problem]) -> None:
    if value.strip().lower() != TextFormat.HTML:
        problems.append(Problem("row", question.number, _("the format is html or empty")))
        return
    texts = [question.text, question.explanation, *(text for text, _ok in question.options)]
    texts += question.option_feedback
    found = [message for text in texts for message in html_problems(text)]
    for message in dict.fromkeys(found):
        problems.append(Problem("row", question.number, message))
    if found:
        return
    question.text_format = TextFormat.HTML
    question.text = html_clean(question.text)
    question.explanation = html_clean(question.explanation)
    question.options = [(html_clean(text), ok) for text, ok in question.options]
    question.option_feedback = [html_clean(text) for text in question.option_feedback]
    texts = [question.text, question.explanation, *(text for text, _ok in question.options)]
    texts += question.option_feedback
    # A data: image or file pasted into a cell is checked as a Moodle XML file's would be.
    found = [m for text in texts for m in html_image_problems(text) + html_file_problems(text)]
    for message in dict.fromkeys(found):
        problems.append(Problem("row", question.number, message))


def export_xlsx(questions: Iterable[Question], *, root: QuestionCategory) -> bytes:
    """The XLSX template filled in; every text stays text (an option "=A1" is not a formula)."""
    workbook = xlsx_workbook()
    sheet = workbook.active
    sheet.title = "试题"
    questions = ordered(questions, root)
    most = max((len(q.options.all()) for q in questions), default=0)
    columns = _xlsx_columns(max(most, XLSX_TEMPLATE_OPTIONS))
    sheet_append(sheet, [header for _key, header in columns])
    for question in questions:
        options = list(question.options.all())
        row = {
            "type": TYPE_LABEL[question.qtype],
            "text": question.text,
            "explanation": question.explanation,
            "points": float(question.points) if question.points % 1 else int(question.points),
            "partial": "是" if question.partial_credit else "",
            "subcategory": "/".join(relative_path(question.category, root)),
            "fields": ",".join(f.code for f in question.fields.all()),
            "powers": ",".join(p.code for p in question.powers.all()),
            "format": "html" if question.text_format == TextFormat.HTML else "",
            "title": question.title,
        }
        if any(o.weight is not None for o in options):
            row["weights"] = ",".join(weight_text(o.weight or Decimal(0)) for o in options)
        if question.qtype == QuestionType.TRUE_FALSE:
            right = next((o for o in options if o.is_correct), None)
            row["answer"] = (
                TRUE_TEXT if right is not None and right.text == TRUE_TEXT else FALSE_TEXT
            )
            by_text = {o.text: o.feedback for o in options}
            row["feedback_a"] = by_text.get(TRUE_TEXT, "")
            row["feedback_b"] = by_text.get(FALSE_TEXT, "")
        elif question.qtype != QuestionType.ESSAY:
            for index, option in enumerate(options):
                row[f"option_{LETTERS[index].lower()}"] = option.text
                row[f"feedback_{LETTERS[index].lower()}"] = option.feedback
            row["answer"] = "".join(LETTERS[i] for i, o in enumerate(options) if o.is_correct)
        sheet_append(sheet, [row.get(key, "") for key, _header in columns])
    _style(sheet)
    return xlsx_bytes(workbook)


def _style(sheet) -> None:
    from openpyxl.styles import Font

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["B"].width = 60


def xlsx_template() -> bytes:
    """The empty import template that ships with the product, with an instructions sheet."""
    workbook = xlsx_workbook()
    sheet = workbook.active
    sheet.title = "试题"
    sheet_append(sheet, [header for _key, header in XLSX_COLUMNS])
    _style(sheet)
    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 90
    for line in [
        ("列", "说明（只读取第一个工作表“试题”，第1行为表头，从第2行开始每行一题）"),
        ("题型", "单选、多选、判断 或 简答（简答题由培训讲师人工评分）"),
        ("题干", "题目内容，必填"),
        (
            "选项A–选项H",
            "单选、多选题的选项，至少两个；判断题和简答题留空；选项更多时可加列 选项I、选项J…（最多26个）",
        ),
        ("答案", "单选填一个字母，如 B；多选填多个字母，如 ACD；判断填 正确 或 错误"),
        ("解析", "答题后向学员展示的解析；简答题可写评分要点"),
        ("分值", "默认 1"),
        ("部分得分", "仅多选题：填 是 则按选对比例给分（选错倒扣），否则全对才得分"),
        ("子分类", "导入分类下的子分类路径，用 / 分隔，如 行政处罚法/简易程序；可留空"),
        (
            "执法领域",
            "领域编码，用逗号分隔：natural_resources, ecology, urban, water, agriculture, transport, fire",
        ),
        ("事项编码", "所涉行政处罚事项编码，用逗号分隔；事项被取消后该题自动标记待复核"),
        (
            "选项权重",
            "可留空。按 Moodle 的规则给每个选项一个百分比，用逗号分隔，如 100,50,-50,0："
            "单选题得所选选项的百分比，多选题得所选各项之和（正数合计须为100），不低于0",
        ),
        ("格式", "可留空；填 html 时题干、选项、反馈和解析按 HTML 显示（脚本和样式会被清除）"),
        ("标题", "可留空；题目的简短名称（Moodle 的题目名称）"),
        (
            "选项A反馈–选项H反馈",
            "可留空；回顾时显示在该选项旁的反馈（仅在允许显示答案时）；判断题用 选项A反馈 写“正确”的反馈，"
            "选项B反馈 写“错误”的反馈",
        ),
        (
            "示例",
            "单选 | 违法行为在（　）内未被发现的，不再给予行政处罚。 | 一年 | 二年 | 三年 | 五年 | 答案 B",
        ),
    ]:
        sheet_append(notes, line)
    return xlsx_bytes(workbook)
