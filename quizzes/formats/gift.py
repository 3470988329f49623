"""Moodle GIFT: parsing and export.

GIFT carries two things Moodle's format has no place for, in a comment line just before
the question that Moodle itself ignores: `// @meta points=2 partial=0 fields=water
powers=PY2023-SL-01`.
"""

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from quizzes.models import Option, Question, QuestionCategory, QuestionType, TextFormat

from .common import (
    FALSE_TEXT,
    TRUE_TEXT,
    ParsedQuestion,
    ParseResult,
    Problem,
    Unsupported,
    check_common,
    formats_apply,
    ordered,
    relative_path,
    split_codes,
    weight_text,
)

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


def category_path(value: str) -> list[str]:
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
                check_common(question, "line", result.problems)
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
            subcategory = category_path(stripped[len("$CATEGORY:") :])
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
    question.fields = split_codes(meta.get("fields", ""))
    question.powers = split_codes(meta.get("powers", ""))


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
        return formats_apply(question, formats, refuse)
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
            return formats_apply(question, formats, refuse)
        result.unsupported.append(Unsupported(start, "shortanswer"))
        return None
    if _gift_choice(question, answers, refuse, fmt, formats) is None:
        return None
    return formats_apply(question, formats, refuse)


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


def _gift_part(text: str, *, html: bool) -> str:
    """A piece of text written so that it reads back as itself: one that starts like a
    format ([html]…), a weight (%…) or a comment (//…) gets its question's format first."""
    escaped = gift_escape(text)
    marker = re.match(r"\[(\w+)\]", escaped)
    if (marker and marker.group(1) in _GIFT_FORMATS) or escaped.startswith(("%", "//")):
        return ("[html]" if html else "[plain]") + escaped
    return escaped


def _gift_feedback(option: Option | None, *, html: bool) -> str:
    if option is None or not option.feedback:
        return ""
    return f"#{_gift_part(option.feedback, html=html)}"


def _gift_answers(question: Question, options: list[Option]) -> str:
    html = question.text_format == TextFormat.HTML
    if question.qtype == QuestionType.TRUE_FALSE:
        right = next((o for o in options if o.is_correct), None)
        wrong = next((o for o in options if not o.is_correct), None)
        answer = "T" if right is not None and right.text == TRUE_TEXT else "F"
        # T#feedback when answered wrongly#feedback when answered rightly.
        wrong_feedback = _gift_feedback(wrong, html=html)
        right_feedback = _gift_feedback(right, html=html)
        if right_feedback:
            return f"{answer}{wrong_feedback or '#'}{right_feedback}"
        return f"{answer}{wrong_feedback}"
    if any(o.weight is not None for o in options):
        marks = []
        # Moodle reads answers without any ~ as short answer (or, with ->, matching): when
        # every option earns full marks, the ones after the first are written ~%100%.
        every_full = all(o.weight == 100 for o in options)
        for o in options:
            weight = o.weight or Decimal(0)
            if question.qtype == QuestionType.SINGLE and weight == 100:
                marks.append("~%100%" if every_full and "=" in marks else "=")
            elif weight == 0:
                marks.append("~")
            else:
                marks.append(f"~%{weight_text(weight)}%")
        return " ".join(
            m + _gift_part(o.text, html=html) + _gift_feedback(o, html=html)
            for m, o in zip(marks, options, strict=True)
        )
    if question.qtype == QuestionType.SINGLE:
        return " ".join(
            ("=" if o.is_correct else "~")
            + _gift_part(o.text, html=html)
            + _gift_feedback(o, html=html)
            for o in options
        )
    # Multiple choice without weights: the weights Moodle needs for the same marking
    # (all-or-nothing is carried by the @meta line).
    right = [o for o in options if o.is_correct]
    wrong = [o for o in options if not o.is_correct]
    share = _weight(100, len(right))
    penalty = _weight(-100, len(wrong))
    return " ".join(
        f"~%{share if o.is_correct else penalty}%"
        + _gift_part(o.text, html=html)
        + _gift_feedback(o, html=html)
        for o in options
    )


def export_gift(questions: Iterable[Question], *, root: QuestionCategory) -> str:
    """GIFT text for the questions of a category tree (root's own questions first)."""
    out = [f"// {root} — exported from the question bank", ""]
    current: list[str] | None = []
    for question in ordered(questions, root):
        path = relative_path(question.category, root)
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
        html = question.text_format == TextFormat.HTML
        explanation = (
            f" ####{_gift_part(question.explanation, html=html)}" if question.explanation else ""
        )
        options = list(question.options.all())
        answers = "" if question.qtype == QuestionType.ESSAY else _gift_answers(question, options)
        title = f"::{gift_escape(question.title)}::" if question.title else ""
        text = (
            "[html]" + gift_escape(question.text) if html else _gift_part(question.text, html=False)
        )
        out.append(f"{title}{text} {{{answers}{explanation}}}")
        out.append("")
    return "\n".join(out)


def _weight(total: int, n: int) -> str:
    if n == 0:
        return "0"
    value = Decimal(total) / Decimal(n)
    return f"{value.quantize(Decimal('0.00001')).normalize():f}"
