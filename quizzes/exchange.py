"""Question import and export: Moodle GIFT, Aiken, and the product's own XLSX template.

Parsing and saving are separate steps. A parser turns a file into `ParsedQuestion`s and a
list of problems, each naming its line (GIFT, Aiken) or row (XLSX); `questions_import`
saves only when there are no problems at all, in one transaction. Exports write what the
parsers read, so exporting an imported category and importing the export again gives the
same questions (tested).

GIFT carries two things Moodle's format has no place for, in a comment line just before
the question that Moodle itself ignores: `// @meta points=2 partial=0 fields=water
powers=PY2023-SL-01`.
"""

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from people.spreadsheets import sheet_append, xlsx_bytes, xlsx_workbook
from people.tabular import TableError, read_rows
from powers.models import EnforcementField, Power

from .models import Option, Question, QuestionCategory, QuestionType

TRUE_TEXT = "正确"
FALSE_TEXT = "错误"
MAX_OPTIONS = 8
LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class Problem:
    where: str  # "line" or "row"
    number: int
    message: str

    def __str__(self) -> str:
        if self.where == "row":
            return _("Row %(n)s: %(message)s") % {"n": self.number, "message": self.message}
        return _("Line %(n)s: %(message)s") % {"n": self.number, "message": self.message}


@dataclass
class ParsedQuestion:
    qtype: str
    text: str
    options: list[tuple[str, bool]] = field(default_factory=list)
    explanation: str = ""
    partial_credit: bool = False
    points: Decimal = Decimal(1)
    subcategory: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    powers: list[str] = field(default_factory=list)
    number: int = 0  # line or row where it starts


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _split_codes(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,，;；\s]+", value or "") if part.strip()]


def _check_common(question: ParsedQuestion, where: str, problems: list[Problem]) -> None:
    """Rules every format shares (what the question bank accepts)."""

    def problem(message):
        problems.append(Problem(where, question.number, message))

    if not question.text.strip():
        problem(_("the question has no text"))
    if question.qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if len(question.options) < 2:
            problem(_("a choice question needs at least two options"))
        if len(question.options) > MAX_OPTIONS:
            problem(_("at most %(n)s options") % {"n": MAX_OPTIONS})
        if any(not text.strip() for text, _ok in question.options):
            problem(_("an option is empty"))
        right = sum(1 for _text, ok in question.options if ok)
        if right == 0:
            problem(_("no option is marked correct"))
        if question.qtype == QuestionType.SINGLE and right > 1:
            problem(_("a single-choice question has exactly one correct option"))
    if question.points <= 0:
        problem(_("the marks must be more than 0"))


# --- GIFT ------------------------------------------------------------------------------

_GIFT_ESCAPES = {"~": "\x01", "=": "\x02", "#": "\x03", "{": "\x04", "}": "\x05", ":": "\x06"}
_GIFT_UNESCAPE = {v: k for k, v in _GIFT_ESCAPES.items()}


def _gift_hide_escapes(text: str) -> str:
    text = text.replace("\\\\", "\x07")
    for char, placeholder in _GIFT_ESCAPES.items():
        text = text.replace("\\" + char, placeholder)
    return text.replace("\\n", "\n")


def _gift_restore(text: str) -> str:
    for placeholder, char in _GIFT_UNESCAPE.items():
        text = text.replace(placeholder, char)
    return text.replace("\x07", "\\").strip()


def gift_escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _strip_format(text: str) -> str:
    return re.sub(r"^\s*\[(plain|moodle|markdown|html)\]", "", text)


def _gift_category_path(value: str) -> list[str]:
    parts = [p.strip() for p in value.strip().split("/") if p.strip()]
    while parts and parts[0] in ("$course$", "$system$", "$module$", "$cat1$", "top"):
        parts.pop(0)
    return parts


def parse_gift(text: str) -> ParseResult:
    """Parse a GIFT file: single/multiple choice, true/false and essay questions."""
    result = ParseResult()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    subcategory: list[str] = []
    meta: dict[str, str] = {}
    block: list[tuple[int, str]] = []

    def flush():
        nonlocal meta
        if block:
            question = _gift_question(block, result.problems)
            if question is not None:
                question.subcategory = list(subcategory)
                _apply_meta(question, meta, block[0][0], result.problems)
                _check_common(question, "line", result.problems)
                result.questions.append(question)
        block.clear()
        meta = {}

    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            if stripped.startswith("// @meta") and not block:
                for pair in stripped[len("// @meta") :].split():
                    key, _sep, value = pair.partition("=")
                    meta[key] = value
            continue
        if stripped.startswith("$CATEGORY:") and not block:
            subcategory = _gift_category_path(stripped[len("$CATEGORY:") :])
            continue
        if not stripped:
            # A blank line ends a question, as in Moodle; an unclosed block is reported there.
            flush()
            continue
        block.append((number, raw))
    flush()
    return result


def _apply_meta(question: ParsedQuestion, meta: dict, line: int, problems: list[Problem]) -> None:
    if "points" in meta:
        try:
            question.points = Decimal(meta["points"])
        except InvalidOperation:
            problems.append(Problem("line", line, _("the marks are not a number")))
    if "partial" in meta and question.qtype == QuestionType.MULTIPLE:
        question.partial_credit = meta["partial"] in ("1", "yes", "true")
    question.fields = _split_codes(meta.get("fields", ""))
    question.powers = _split_codes(meta.get("powers", ""))


def _gift_question(block: list[tuple[int, str]], problems: list[Problem]) -> ParsedQuestion | None:
    start = block[0][0]
    body = _gift_hide_escapes("\n".join(line for _n, line in block))
    body = re.sub(r"^\s*::.*?::", "", body, count=1, flags=re.S)  # the title
    open_at = body.find("{")
    if open_at == -1:
        problems.append(Problem("line", start, _("no answer block {…} found")))
        return None
    close_at = body.find("}", open_at)
    if close_at == -1:
        problems.append(Problem("line", start, _("the answer block is not closed with }")))
        return None
    if body.find("{", open_at + 1, close_at) != -1:
        problems.append(Problem("line", start, _("an answer block is opened twice")))
        return None
    before, answers, after = body[:open_at], body[open_at + 1 : close_at], body[close_at + 1 :]
    text = _strip_format(before).strip()
    if after.strip():
        text = f"{text}（　）{after.strip()}"
    text = _gift_restore(text)
    explanation = ""
    if "####" in answers:
        answers, explanation = answers.split("####", 1)
        explanation = _gift_restore(_strip_format(explanation))
    answers = answers.strip()
    question = ParsedQuestion(
        qtype=QuestionType.ESSAY, text=text, explanation=explanation, number=start
    )
    if not answers:
        return question
    if answers.startswith("#"):
        problems.append(Problem("line", start, _("numerical questions are not supported")))
        return None
    truth = re.fullmatch(r"(T|TRUE|F|FALSE)\s*(#.*)?", answers, flags=re.S | re.I)
    if truth:
        value = truth.group(1).upper().startswith("T")
        question.qtype = QuestionType.TRUE_FALSE
        question.options = [(TRUE_TEXT, value), (FALSE_TEXT, not value)]
        return question
    if "->" in answers:
        problems.append(Problem("line", start, _("matching questions are not supported")))
        return None
    parts = re.split(r"(?=[=~])", answers)
    if parts and parts[0].strip():
        problems.append(Problem("line", start, _("answers must start with = (right) or ~ (wrong)")))
        return None
    weighted = []
    for part in parts:
        if not part.strip():
            continue
        marker, rest = part[0], part[1:]
        weight = Decimal(100) if marker == "=" else Decimal(0)
        match = re.match(r"\s*%(-?\d+(?:\.\d+)?)%", rest)
        if match:
            weight = Decimal(match.group(1))
            rest = rest[match.end() :]
        option_text = _gift_restore(rest.split("#", 1)[0])
        weighted.append((option_text, weight, marker))
    if weighted and all(marker == "=" for _t, _w, marker in weighted):
        problems.append(Problem("line", start, _("short-answer questions are not supported")))
        return None
    positive = [w for _t, w, _m in weighted if w > 0]
    question.options = [(option_text, weight > 0) for option_text, weight, _m in weighted]
    if len(positive) > 1 or any(0 < w < 100 for w in positive):
        question.qtype = QuestionType.MULTIPLE
        question.partial_credit = True
    else:
        question.qtype = QuestionType.SINGLE
    return question


def export_gift(questions: Iterable[Question], *, root: QuestionCategory) -> str:
    """GIFT text for the questions of a category tree (root's own questions first)."""
    out = [f"// {root} — exported from the question bank", ""]
    current: list[str] | None = []
    for question in _ordered(questions, root):
        path = _relative_path(question.category, root)
        if path != current:
            out.append(f"$CATEGORY: {'/'.join(path)}")
            out.append("")
            current = path
        fields = ",".join(f.code for f in question.fields.all())
        powers = ",".join(p.code for p in question.powers.all())
        meta = [f"points={question.points.normalize():f}"]
        if question.qtype == QuestionType.MULTIPLE:
            meta.append(f"partial={1 if question.partial_credit else 0}")
        if fields:
            meta.append(f"fields={fields}")
        if powers:
            meta.append(f"powers={powers}")
        out.append("// @meta " + " ".join(meta))
        explanation = f" ####{gift_escape(question.explanation)}" if question.explanation else ""
        options = list(question.options.all())
        if question.qtype == QuestionType.ESSAY:
            answers = ""
        elif question.qtype == QuestionType.TRUE_FALSE:
            right = next((o for o in options if o.is_correct), None)
            answers = "T" if right is not None and right.text == TRUE_TEXT else "F"
        elif question.qtype == QuestionType.SINGLE:
            answers = " ".join(
                ("=" if o.is_correct else "~") + gift_escape(o.text) for o in options
            )
        else:
            right = [o for o in options if o.is_correct]
            wrong = [o for o in options if not o.is_correct]
            share = _weight(100, len(right))
            penalty = _weight(-100, len(wrong))
            answers = " ".join(
                f"~%{share if o.is_correct else penalty}%{gift_escape(o.text)}" for o in options
            )
        out.append(f"{gift_escape(question.text)} {{{answers}{explanation}}}")
        out.append("")
    return "\n".join(out)


def _weight(total: int, n: int) -> str:
    if n == 0:
        return "0"
    value = Decimal(total) / Decimal(n)
    return f"{value.quantize(Decimal('0.00001')).normalize():f}"


# --- Aiken -----------------------------------------------------------------------------

_AIKEN_OPTION = re.compile(r"^([A-Z])\s*[.)．、]\s*(.*)$")
_AIKEN_ANSWER = re.compile(r"^ANSWER\s*[:：]\s*(.*)$", re.I)


def parse_aiken(text: str) -> ParseResult:
    """Parse an Aiken file: single-choice questions, one per block ending in `ANSWER: X`."""
    result = ParseResult()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    current: ParsedQuestion | None = None
    letters: list[str] = []

    def problem(number, message):
        result.problems.append(Problem("line", number, message))

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        option = _AIKEN_OPTION.match(line)
        answer = _AIKEN_ANSWER.match(line)
        if current is None:
            if answer or option:
                problem(number, _("an option or answer line comes before any question text"))
                continue
            current = ParsedQuestion(qtype=QuestionType.SINGLE, text=line, number=number)
            letters = []
            continue
        if answer:
            letter = answer.group(1).strip().upper()
            if not current.options:
                problem(number, _("the question has no options"))
            elif letter not in letters:
                problem(
                    number,
                    _("the answer %(letter)s is not one of the options")
                    % {"letter": letter or "?"},
                )
            else:
                index = letters.index(letter)
                current.options = [(t, i == index) for i, (t, _ok) in enumerate(current.options)]
                _check_common(current, "line", result.problems)
                result.questions.append(current)
            current = None
            continue
        if option:
            letter = option.group(1)
            expected = LETTERS[len(letters)] if len(letters) < len(LETTERS) else "?"
            if letter != expected:
                problem(number, _("expected option %(letter)s") % {"letter": expected})
            letters.append(letter)
            current.options.append((option.group(2).strip(), False))
            continue
        if current.options:
            problem(number, _("expected an option line or ANSWER: after the options"))
            continue
        current.text = f"{current.text}\n{line}"
    if current is not None:
        problem(current.number, _("the question has no ANSWER: line"))
    return result


# --- XLSX ------------------------------------------------------------------------------

XLSX_COLUMNS = [
    ("type", "题型"),
    ("text", "题干"),
    *[(f"option_{letter.lower()}", f"选项{letter}") for letter in LETTERS],
    ("answer", "答案"),
    ("explanation", "解析"),
    ("points", "分值"),
    ("partial", "部分得分"),
    ("subcategory", "子分类"),
    ("fields", "执法领域"),
    ("powers", "事项编码"),
]
XLSX_ALIASES = {header: key for key, header in XLSX_COLUMNS} | {
    key: key for key, _header in XLSX_COLUMNS
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
            fields=_split_codes(row.get("fields")),
            powers=_split_codes(row.get("powers")),
            number=number,
        )
        points = row.get("points")
        if points:
            try:
                question.points = Decimal(points)
            except InvalidOperation:
                result.problems.append(Problem("row", number, _("the marks are not a number")))
        answer = row.get("answer").strip()
        if qtype == QuestionType.TRUE_FALSE:
            word = answer.lower()
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
            if qtype == QuestionType.MULTIPLE:
                question.partial_credit = row.get("partial").strip().lower() in (
                    "是",
                    "y",
                    "yes",
                    "1",
                    "true",
                )
        if len(result.problems) == before:
            _check_common(question, "row", result.problems)
        result.questions.append(question)
    return result


def _ordered(questions: Iterable[Question], root: QuestionCategory) -> list[Question]:
    return sorted(
        questions,
        key=lambda q: (q.category_id != root.pk, _relative_path(q.category, root), q.pk),
    )


def _relative_path(category: QuestionCategory, root: QuestionCategory) -> list[str]:
    names = category.path_names()
    root_names = root.path_names()
    return names[len(root_names) :]


def export_xlsx(questions: Iterable[Question], *, root: QuestionCategory) -> bytes:
    """The XLSX template filled in; every text stays text (an option "=A1" is not a formula)."""
    workbook = xlsx_workbook()
    sheet = workbook.active
    sheet.title = "试题"
    sheet_append(sheet, [header for _key, header in XLSX_COLUMNS])
    for question in _ordered(questions, root):
        options = list(question.options.all())
        row = {
            "type": TYPE_LABEL[question.qtype],
            "text": question.text,
            "explanation": question.explanation,
            "points": float(question.points) if question.points % 1 else int(question.points),
            "partial": "是" if question.partial_credit else "",
            "subcategory": "/".join(_relative_path(question.category, root)),
            "fields": ",".join(f.code for f in question.fields.all()),
            "powers": ",".join(p.code for p in question.powers.all()),
        }
        if question.qtype == QuestionType.TRUE_FALSE:
            right = next((o for o in options if o.is_correct), None)
            row["answer"] = (
                TRUE_TEXT if right is not None and right.text == TRUE_TEXT else FALSE_TEXT
            )
        elif question.qtype != QuestionType.ESSAY:
            for index, option in enumerate(options[:MAX_OPTIONS]):
                row[f"option_{LETTERS[index].lower()}"] = option.text
            row["answer"] = "".join(
                LETTERS[i] for i, o in enumerate(options[:MAX_OPTIONS]) if o.is_correct
            )
        sheet_append(sheet, [row.get(key, "") for key, _header in XLSX_COLUMNS])
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
        ("选项A–选项H", "单选、多选题的选项，至少两个；判断题和简答题留空"),
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
            "示例",
            "单选 | 违法行为在（　）内未被发现的，不再给予行政处罚。 | 一年 | 二年 | 三年 | 五年 | 答案 B",
        ),
    ]:
        sheet_append(notes, line)
    return xlsx_bytes(workbook)


# --- saving ----------------------------------------------------------------------------


def category_get_or_create(
    *, path: list[str], parent: QuestionCategory | None = None
) -> QuestionCategory:
    """The category at `path` (names from the top, or from `parent`), created as needed."""
    node = parent
    for name in path:
        node, _created = QuestionCategory.objects.get_or_create(parent=node, name=name)
    if node is None:
        raise ValueError("empty category path")
    return node


def questions_resolve(result: ParseResult, *, where: str) -> tuple[dict, dict]:
    """Look up field and power codes; unknown codes become problems of their line/row."""
    field_codes = {code for q in result.questions for code in q.fields}
    power_codes = {code for q in result.questions for code in q.powers}
    fields = {f.code: f for f in EnforcementField.objects.filter(code__in=field_codes)} | {
        f.name: f for f in EnforcementField.objects.filter(name__in=field_codes)
    }
    powers = {p.code: p for p in Power.objects.filter(code__in=power_codes)}
    for question in result.questions:
        for code in question.fields:
            if code not in fields:
                result.problems.append(
                    Problem(
                        where,
                        question.number,
                        _("unknown enforcement field %(code)s") % {"code": code},
                    )
                )
        for code in question.powers:
            if code not in powers:
                result.problems.append(
                    Problem(
                        where, question.number, _("unknown power code %(code)s") % {"code": code}
                    )
                )
    return fields, powers


def questions_parse(*, data: bytes, fmt: str, filename: str = "") -> tuple[ParseResult, str]:
    """Parse a file in `fmt` (gift, aiken, xlsx). Returns the result and the unit of
    position its problems use ("line" or "row")."""
    if fmt == "xlsx":
        return parse_xlsx(data, filename=filename or "questions.xlsx"), "row"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            result = ParseResult(
                problems=[Problem("line", 1, _("the file is not UTF-8 or GB18030 text"))]
            )
            return result, "line"
    if fmt == "gift":
        return parse_gift(text), "line"
    if fmt == "aiken":
        return parse_aiken(text), "line"
    raise ValueError(f"unknown format {fmt}")


def questions_import(
    *, data: bytes, fmt: str, category_path: list[str], filename: str = ""
) -> ParseResult:
    """Import a file into the category at `category_path`: everything, or nothing if any
    line/row has a problem. The result lists the problems in file order."""
    result, where = questions_parse(data=data, fmt=fmt, filename=filename)
    fields, powers = questions_resolve(result, where=where)
    if not result.questions and not result.problems:
        result.problems.append(Problem(where, 1, _("the file holds no questions")))
    result.problems.sort(key=lambda p: p.number)
    if result.problems:
        return result
    with transaction.atomic():
        root = category_get_or_create(path=category_path)
        categories: dict[tuple[str, ...], QuestionCategory] = {(): root}
        for parsed in result.questions:
            key = tuple(parsed.subcategory)
            if key not in categories:
                categories[key] = category_get_or_create(path=list(key), parent=root)
            question = Question.objects.create(
                category=categories[key],
                qtype=parsed.qtype,
                text=parsed.text.strip(),
                explanation=parsed.explanation.strip(),
                partial_credit=parsed.partial_credit and parsed.qtype == QuestionType.MULTIPLE,
                points=parsed.points,
            )
            Option.objects.bulk_create(
                Option(question=question, text=text.strip(), is_correct=ok, sort_order=i)
                for i, (text, ok) in enumerate(parsed.options)
            )
            if parsed.fields or parsed.powers:
                # Parental many-to-many relations are written when the question is saved.
                question.fields.set([fields[c] for c in parsed.fields])
                question.powers.set([powers[c] for c in parsed.powers])
                question.save()
    return result


def category_questions(category: QuestionCategory):
    """Every question of a category and its sub-categories, ready to export."""
    return (
        Question.objects.filter(category_id__in=category.descendant_ids())
        .select_related("category__parent__parent__parent")
        .prefetch_related("options", "fields", "powers")
    )
