"""Question import and export: Moodle GIFT and Moodle XML, Aiken, and the product's own XLSX
template.

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
from django.utils.translation import gettext_lazy as _lazy

from people.spreadsheets import sheet_append, xlsx_bytes, xlsx_workbook
from people.tabular import TableError, read_rows
from powers.models import EnforcementField, Power

from .formats import moodle_xml
from .formats.html import html_clean, html_problems, plain_to_html
from .models import Option, Question, QuestionCategory, QuestionType, TextFormat

TRUE_TEXT = "正确"
FALSE_TEXT = "错误"
# Moodle sets no limit; the bank's is the alphabet, the letters options are shown with.
MAX_OPTIONS = 26
OPTION_MAX_LENGTH = 500
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
XLSX_TEMPLATE_OPTIONS = 8  # option columns in the template; more are read and written


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
    # Moodle's grade of each option in per cent, when the file gives them (GIFT).
    weights: list[Decimal] | None = None
    title: str = ""
    text_format: str = "plain"  # TextFormat; "html" makes every text of it HTML
    option_feedback: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Unsupported:
    """A question of a type Moodle has and the bank does not (Moodle's type name)."""

    number: int
    qtype: str

    def label(self) -> str:
        return UNSUPPORTED_LABELS.get(self.qtype, self.qtype)


UNSUPPORTED_LABELS = {
    "shortanswer": "short answer",
    "numerical": "numerical",
    "match": "matching",
    "matching": "matching",
    "multianswer": "embedded answers (cloze)",
    "description": "description",
}


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)

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
            problem(
                _("“%(question)s” has %(count)s options; at most %(n)s are possible")
                % {
                    "question": question.title or question.text[:40],
                    "count": len(question.options),
                    "n": MAX_OPTIONS,
                }
            )
        if any(not text.strip() for text, _ok in question.options):
            problem(_("an option is empty"))
        if any(len(text.strip()) > OPTION_MAX_LENGTH for text, _ok in question.options):
            problem(_("an option is longer than %(n)s characters") % {"n": OPTION_MAX_LENGTH})
        right = sum(1 for _text, ok in question.options if ok)
        if right == 0:
            problem(_("no option is marked correct"))
        # Moodle lets several options of a single-choice question earn full marks.
        if question.qtype == QuestionType.SINGLE and right > 1 and question.weights is None:
            problem(_("a single-choice question has exactly one correct option"))
    if question.points <= 0:
        problem(_("the marks must be more than 0"))


# --- GIFT ------------------------------------------------------------------------------

_GIFT_ESCAPES = {"~": "\x01", "=": "\x02", "#": "\x03", "{": "\x04", "}": "\x05", ":": "\x06"}
_GIFT_UNESCAPE = {v: k for k, v in _GIFT_ESCAPES.items()}
# A weight right after ~ (or =), in per cent: ~%50%, ~%-33.33333%.
_GIFT_WEIGHT = re.compile(r"%(-?\d+(?:\.\d*)?)%")


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


def _gift_category_path(value: str) -> list[str]:
    parts = [p.strip() for p in value.strip().split("/") if p.strip()]
    while parts and parts[0] in ("$course$", "$system$", "$module$", "$cat1$", "top"):
        parts.pop(0)
    return parts


def parse_gift(text: str) -> ParseResult:
    """Parse a GIFT file: single/multiple choice, true/false and essay questions. Questions
    of Moodle's other GIFT types (short answer, numerical, matching, description) are
    listed in `unsupported` with their line."""
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
            question = _gift_question(block, result)
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
        if not question.partial_credit:
            # The bank's own all-or-nothing multiple choice, exported with the weights
            # Moodle needs: marked all or nothing again, not by those weights.
            question.weights = None
    question.fields = _split_codes(meta.get("fields", ""))
    question.powers = _split_codes(meta.get("powers", ""))


_GIFT_FORMATS = ("html", "moodle", "plain", "markdown")


def _gift_text(raw: str, default: str) -> tuple[str, str]:
    """(text, format) of a piece of GIFT: a leading [html], [moodle], [plain] or [markdown]
    names its format and is not part of the text; otherwise it has the question's."""
    text = raw.strip()
    match = re.match(r"\[(\w+)\]", text)
    if match and match.group(1) in _GIFT_FORMATS:
        return _gift_restore(text[match.end() :]), match.group(1)
    return _gift_restore(text), default


def _gift_question(block: list[tuple[int, str]], result: ParseResult) -> ParsedQuestion | None:
    """One GIFT question, its type decided in Moodle's order (qformat_gift::readquestion):
    no answer block is a description, an empty one an essay, # first a numerical question,
    any ~ multiple choice, = with -> matching, then true/false, else short answer."""
    problems = result.problems
    start = block[0][0]

    def refuse(message):
        problems.append(Problem("line", start, message))

    body = _gift_hide_escapes("\n".join(line for _n, line in block))
    title = ""
    titled = re.match(r"\s*::(.*?)::", body, flags=re.S)
    if titled:
        title = _gift_restore(titled.group(1))
        body = body[titled.end() :]
    open_at = body.find("{")
    close_at = body.find("}", open_at) if open_at != -1 else body.find("}")
    if open_at == -1 and close_at == -1:
        result.unsupported.append(Unsupported(start, "description"))
        return None
    if open_at == -1:
        refuse(_("no answer block {…} found"))
        return None
    if close_at == -1:
        refuse(_("the answer block is not closed with }"))
        return None
    if body.find("{", open_at + 1, close_at) != -1:
        refuse(_("an answer block is opened twice"))
        return None
    before, answers, after = body[:open_at], body[open_at + 1 : close_at], body[close_at + 1 :]
    raw_text = before.strip()
    if after.strip():
        raw_text = f"{raw_text}（　）{after.strip()}"
    text, fmt = _gift_text(raw_text, "moodle")
    explanation, explanation_fmt = "", fmt
    if "####" in answers:
        answers, raw_explanation = answers.rsplit("####", 1)
        explanation, explanation_fmt = _gift_text(raw_explanation, fmt)
    answers = answers.strip()
    question = ParsedQuestion(
        qtype=QuestionType.ESSAY, text=text, explanation=explanation, number=start, title=title
    )
    formats = {"text": fmt, "explanation": explanation_fmt, "options": [], "feedback": []}
    if not answers:
        return _gift_formats(question, formats, refuse)
    if answers.startswith("#"):
        result.unsupported.append(Unsupported(start, "numerical"))
        return None
    if "~" not in answers:
        if "=" in answers and "->" in answers:
            result.unsupported.append(Unsupported(start, "match"))
            return None
        truth = re.fullmatch(r"(T|TRUE|F|FALSE)\s*(#.*)?", answers, flags=re.S)
        if truth:
            value = truth.group(1).startswith("T")
            # T#feedback if wrong#feedback if right, each kept on the option it is about.
            bits = (answers.split("#", 2) + ["", ""])[1:3]
            wrong, wrong_fmt = _gift_text(bits[0], fmt)
            right, right_fmt = _gift_text(bits[1], fmt)
            question.qtype = QuestionType.TRUE_FALSE
            question.options = [(TRUE_TEXT, value), (FALSE_TEXT, not value)]
            question.option_feedback = [right, wrong] if value else [wrong, right]
            formats["options"] = ["plain", "plain"]
            formats["feedback"] = [right_fmt, wrong_fmt] if value else [wrong_fmt, right_fmt]
            return _gift_formats(question, formats, refuse)
        result.unsupported.append(Unsupported(start, "shortanswer"))
        return None
    if _gift_choice(question, answers, refuse, fmt, formats) is None:
        return None
    return _gift_formats(question, formats, refuse)


def _gift_formats(question: ParsedQuestion, formats: dict, refuse) -> ParsedQuestion | None:
    """Make the question plain text, or HTML when any part of it is [html]: then its plain
    parts are escaped and its HTML parts cleaned. A part that shows a file the GIFT file
    does not carry (Moodle's @@PLUGINFILE@@) or a remote image refuses the question."""
    parts = [question.text, question.explanation]
    parts += [text for text, _ok in question.options] + list(question.option_feedback)
    found: list[str] = []
    for part in parts:
        found += [message for message in html_problems(part) if message not in found]
    if found:
        for message in found:
            refuse(message)
        return None
    kinds = [formats["text"], formats["explanation"], *formats["options"], *formats["feedback"]]
    if "html" not in kinds:
        return question

    def as_html(value: str, fmt: str) -> str:
        return html_clean(value) if fmt == "html" else plain_to_html(value)

    question.text_format = TextFormat.HTML
    question.text = as_html(question.text, formats["text"])
    question.explanation = as_html(question.explanation, formats["explanation"])
    question.options = [
        (as_html(text, kind), ok)
        for (text, ok), kind in zip(question.options, formats["options"], strict=True)
    ]
    question.option_feedback = [
        as_html(text, kind)
        for text, kind in zip(question.option_feedback, formats["feedback"], strict=True)
    ]
    return question


def _gift_choice(
    question: ParsedQuestion, answers: str, refuse, fmt: str, formats: dict
) -> ParsedQuestion | None:
    """Moodle's multichoice: any = makes it single choice, each = option earning 100 %;
    without = it is multiple choice, and the options' weights must add up to 100 %."""
    single = "=" in answers
    parts = re.split(r"(?=[=~])", answers)
    if parts and parts[0].strip():
        refuse(_("answers must start with = (right) or ~ (wrong)"))
        return None
    options: list[tuple[str, Decimal]] = []
    for part in parts:
        if not part.strip():
            continue
        marker, rest = part[0], part[1:].lstrip()
        weight = Decimal(100) if marker == "=" else Decimal(0)
        if rest.startswith("%"):
            match = _GIFT_WEIGHT.match(rest)
            if marker == "=" or not match:
                refuse(
                    _("a weight is written ~%%50%%, right after ~: “%(option)s”")
                    % {"option": _gift_restore(part)}
                )
                return None
            weight = Decimal(match.group(1))
            if not Decimal(-100) <= weight <= Decimal(100):
                refuse(
                    _("a weight is between -100 %% and 100 %%: “%(option)s”")
                    % {"option": _gift_restore(part)}
                )
                return None
            rest = rest[match.end() :]
        option_raw, _hash, feedback_raw = rest.partition("#")
        option_text, option_fmt = _gift_text(option_raw, fmt)
        feedback, feedback_fmt = _gift_text(feedback_raw, fmt)
        options.append((option_text, weight))
        question.option_feedback.append(feedback)
        formats["options"].append(option_fmt)
        formats["feedback"].append(feedback_fmt)
    if not single:
        total = sum((w for _t, w in options if w > 0), Decimal(0))
        if abs(total - 100) > Decimal("0.5"):
            refuse(
                _(
                    "without = this is a multiple-answer question, and the weights of its "
                    "right options add up to %(total)s %%, not 100 %%"
                )
                % {"total": f"{total.normalize():f}"}
            )
            return None
    question.qtype = QuestionType.SINGLE if single else QuestionType.MULTIPLE
    question.partial_credit = not single
    question.weights = [w for _t, w in options]
    question.options = [(t, w == 100 if single else w > 0) for t, w in options]
    return question


def _weight_text(weight: Decimal) -> str:
    return f"{weight.normalize():f}"


def _gift_feedback(option: Option | None) -> str:
    return f"#{gift_escape(option.feedback)}" if option is not None and option.feedback else ""


def _gift_answers(question: Question, options: list[Option]) -> str:
    if question.qtype == QuestionType.TRUE_FALSE:
        right = next((o for o in options if o.is_correct), None)
        wrong = next((o for o in options if not o.is_correct), None)
        answer = "T" if right is not None and right.text == TRUE_TEXT else "F"
        # T#feedback when answered wrongly#feedback when answered rightly.
        wrong_feedback, right_feedback = _gift_feedback(wrong), _gift_feedback(right)
        if right_feedback:
            return f"{answer}{wrong_feedback or '#'}{right_feedback}"
        return f"{answer}{wrong_feedback}"
    if any(o.weight is not None for o in options):
        marks = []
        for o in options:
            weight = o.weight or Decimal(0)
            if question.qtype == QuestionType.SINGLE and weight == 100:
                marks.append("=")
            elif weight == 0:
                marks.append("~")
            else:
                marks.append(f"~%{_weight_text(weight)}%")
        return " ".join(
            m + gift_escape(o.text) + _gift_feedback(o) for m, o in zip(marks, options, strict=True)
        )
    if question.qtype == QuestionType.SINGLE:
        return " ".join(
            ("=" if o.is_correct else "~") + gift_escape(o.text) + _gift_feedback(o)
            for o in options
        )
    # Multiple choice without weights: the weights Moodle needs for the same marking
    # (all-or-nothing is carried by the @meta line).
    right = [o for o in options if o.is_correct]
    wrong = [o for o in options if not o.is_correct]
    share = _weight(100, len(right))
    penalty = _weight(-100, len(wrong))
    return " ".join(
        f"~%{share if o.is_correct else penalty}%{gift_escape(o.text)}{_gift_feedback(o)}"
        for o in options
    )


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
        answers = "" if question.qtype == QuestionType.ESSAY else _gift_answers(question, options)
        title = f"::{gift_escape(question.title)}::" if question.title else ""
        html = "[html]" if question.text_format == TextFormat.HTML else ""
        out.append(f"{title}{html}{gift_escape(question.text)} {{{answers}{explanation}}}")
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
        if len(result.problems) == before and row.get("weights").strip():
            _xlsx_weights(question, row.get("weights"), result.problems)
        if len(result.problems) == before and row.get("format").strip():
            _xlsx_format(question, row.get("format"), result.problems)
        if len(result.problems) == before:
            _check_common(question, "row", result.problems)
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
    found = [message for text in texts for message in html_problems(text)]
    for message in dict.fromkeys(found):
        problems.append(Problem("row", question.number, message))
    if found:
        return
    question.text_format = TextFormat.HTML
    question.text = html_clean(question.text)
    question.explanation = html_clean(question.explanation)
    question.options = [(html_clean(text), ok) for text, ok in question.options]


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
    questions = _ordered(questions, root)
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
            "subcategory": "/".join(_relative_path(question.category, root)),
            "fields": ",".join(f.code for f in question.fields.all()),
            "powers": ",".join(p.code for p in question.powers.all()),
            "format": "html" if question.text_format == TextFormat.HTML else "",
        }
        if any(o.weight is not None for o in options):
            row["weights"] = ",".join(_weight_text(o.weight or Decimal(0)) for o in options)
        if question.qtype == QuestionType.TRUE_FALSE:
            right = next((o for o in options if o.is_correct), None)
            row["answer"] = (
                TRUE_TEXT if right is not None and right.text == TRUE_TEXT else FALSE_TEXT
            )
        elif question.qtype != QuestionType.ESSAY:
            for index, option in enumerate(options):
                row[f"option_{LETTERS[index].lower()}"] = option.text
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
        ("格式", "可留空；填 html 时题干、选项和解析按 HTML 显示（脚本和样式会被清除）"),
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
    """Parse a file in `fmt` (gift, aiken, xlsx, moodle-xml). Returns the result and the unit of
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
    if fmt == "moodle-xml":
        return parse_moodle_xml(text), "line"
    raise ValueError(f"unknown format {fmt}")


def parse_moodle_xml(text: str) -> ParseResult:
    """Parse Moodle XML (`formats.moodle_xml`): multiple choice, true/false and essay;
    Moodle's other types are listed in `unsupported` with their line."""
    result = ParseResult()

    def finish(question, formats, refuse):
        question = _gift_formats(question, formats, refuse)
        if question is not None:
            _check_common(question, "line", result.problems)
        return question

    moodle_xml.parse(
        text,
        result=result,
        make_question=ParsedQuestion,
        finish=finish,
        category_path=_gift_category_path,
    )
    return result


UNSUPPORTED_MESSAGES = {
    "shortanswer": _lazy("short-answer questions are not supported"),
    "numerical": _lazy("numerical questions are not supported"),
    "match": _lazy("matching questions are not supported"),
    "description": _lazy("descriptions (text without an answer block {…}) are not supported"),
}


def questions_import(
    *,
    data: bytes,
    fmt: str,
    category_path: list[str],
    filename: str = "",
    skip_unsupported: bool = False,
) -> ParseResult:
    """Import a file into the category at `category_path`: everything, or nothing if any
    line/row has a problem. The result lists the problems in file order.

    A question of a type Moodle has and the bank does not is a problem too, unless
    `skip_unsupported`: then it is left out and listed in `result.unsupported`."""
    result, where = questions_parse(data=data, fmt=fmt, filename=filename)
    if not skip_unsupported:
        for skipped in result.unsupported:
            message = UNSUPPORTED_MESSAGES.get(skipped.qtype)
            result.problems.append(
                Problem(
                    where,
                    skipped.number,
                    str(message)
                    if message
                    else _("%(type)s questions are not supported") % {"type": skipped.qtype},
                )
            )
    fields, powers = questions_resolve(result, where=where)
    if not result.questions and not result.problems and not result.unsupported:
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
                title=parsed.title[:255],
                text_format=parsed.text_format,
                text=parsed.text.strip(),
                explanation=parsed.explanation.strip(),
                partial_credit=parsed.partial_credit and parsed.qtype == QuestionType.MULTIPLE,
                points=parsed.points,
            )
            weights = parsed.weights or [None] * len(parsed.options)
            feedback = parsed.option_feedback or [""] * len(parsed.options)
            Option.objects.bulk_create(
                Option(
                    question=question,
                    text=text.strip(),
                    is_correct=ok,
                    weight=weight,
                    feedback=remark.strip(),
                    sort_order=i,
                )
                for i, ((text, ok), weight, remark) in enumerate(
                    zip(parsed.options, weights, feedback, strict=True)
                )
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
