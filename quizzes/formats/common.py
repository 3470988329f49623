"""What every question format shares: the parsed question, problems, the bank's rules, and
the order and paths exports write."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from quizzes.models import Question, QuestionCategory, QuestionType, TextFormat

from .files import html_file_problems, length_before_storing
from .html import html_clean, html_problems, plain_to_html
from .images import html_image_problems

TRUE_TEXT = "正确"
FALSE_TEXT = "错误"
# Moodle sets no limit; the bank's is the alphabet, the letters options are shown with.
MAX_OPTIONS = 26
OPTION_MAX_LENGTH = 500
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# The grades Moodle offers for an option, in per cent (its `fraction_options_full`); Moodle
# refuses a file with any other. The shares of 100 % this bank's exports write for
# all-or-nothing multiple choice (100/n, rounded as written) are accepted as well.
MOODLE_GRADES = [
    Decimal(v)
    for v in (
        "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333",
        "30", "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0",
    )
]  # fmt: skip
_SHARES = [(Decimal(100) / n).quantize(Decimal("0.00001")) for n in range(1, MAX_OPTIONS + 1)]
ALLOWED_WEIGHTS = sorted({*MOODLE_GRADES, *(-g for g in MOODLE_GRADES), *_SHARES,
                          *(-g for g in _SHARES)})  # fmt: skip


def weight_allowed(weight: Decimal) -> bool:
    """Whether Moodle (or this bank's own export) gives an option this weight."""
    return any(abs(weight - allowed) < Decimal("0.001") for allowed in ALLOWED_WEIGHTS)


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
    # Moodle's combined feedback and essay marking notes (Moodle XML only).
    correct_feedback: str = ""
    partially_correct_feedback: str = ""
    incorrect_feedback: str = ""
    grader_info: str = ""
    is_active: bool = True

    EXTRA_TEXTS = (
        "correct_feedback",
        "partially_correct_feedback",
        "incorrect_feedback",
        "grader_info",
    )

    def html_parts(self) -> list[str]:
        """Every text of the question (HTML when the question is)."""
        parts = [self.text, self.explanation, *(getattr(self, n) for n in self.EXTRA_TEXTS)]
        return parts + [text for text, _ok in self.options] + list(self.option_feedback)


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
    # What the file holds that the bank does not keep (the questions are imported).
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def split_codes(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,，;；\s]+", value or "") if part.strip()]


def check_common(question: ParsedQuestion, where: str, problems: list[Problem]) -> None:
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
        if any(
            length_before_storing(text.strip()) > OPTION_MAX_LENGTH
            for text, _ok in question.options
        ):
            problem(_("an option is longer than %(n)s characters") % {"n": OPTION_MAX_LENGTH})
        right = sum(1 for _text, ok in question.options if ok)
        if right == 0:
            problem(_("no option is marked correct"))
        bad = [w for w in question.weights or [] if not weight_allowed(w)]
        if bad:
            problem(
                _(
                    "the weight %(weight)s %% is not one Moodle gives; use one of 100, 90, "
                    "83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, "
                    "16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0 (or the same below 0)"
                )
                % {"weight": weight_text(bad[0])}
            )
        # Moodle lets several options of a single-choice question earn full marks.
        if question.qtype == QuestionType.SINGLE and right > 1 and question.weights is None:
            problem(_("a single-choice question has exactly one correct option"))
    if question.points <= 0:
        problem(_("the marks must be more than 0"))


def formats_apply(question: ParsedQuestion, formats: dict, refuse) -> ParsedQuestion | None:
    """Make the question plain text, or HTML when any part of it is [html]: then its plain
    parts are escaped and its HTML parts cleaned. A part that shows a file the GIFT file
    does not carry (Moodle's @@PLUGINFILE@@) or a remote image refuses the question."""
    parts = question.html_parts()
    found: list[str] = []
    for part in parts:
        found += [message for message in html_problems(part) if message not in found]
    if found:
        for message in found:
            refuse(message)
        return None
    extras = formats.get("extras", {})
    kinds = [formats["text"], formats["explanation"], *formats["options"], *formats["feedback"]]
    kinds += list(extras.values())
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
    for name, fmt in extras.items():
        setattr(question, name, as_html(getattr(question, name), fmt))
    for part in question.html_parts():
        found += [message for message in html_image_problems(part) if message not in found]
        found += [message for message in html_file_problems(part) if message not in found]
    for message in found:
        refuse(message)
    return None if found else question


def weight_text(weight: Decimal) -> str:
    return f"{weight.normalize():f}"


def ordered(questions: Iterable[Question], root: QuestionCategory) -> list[Question]:
    return sorted(
        questions,
        key=lambda q: (q.category_id != root.pk, relative_path(q.category, root), q.pk),
    )


def relative_path(category: QuestionCategory, root: QuestionCategory) -> list[str]:
    names = category.path_names()
    root_names = root.path_names()
    return names[len(root_names) :]
