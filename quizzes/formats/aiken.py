"""Aiken: single-choice questions, one per block ending in `ANSWER: X`."""

import re

from django.utils.translation import gettext as _

from quizzes.models import QuestionType

from .common import LETTERS, ParsedQuestion, ParseResult, Problem, check_common

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
                check_common(current, "line", result.problems)
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
