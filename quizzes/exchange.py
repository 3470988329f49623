"""Question import and export: Moodle GIFT and Moodle XML, Aiken, and the product's own XLSX
template.

Parsing and saving are separate steps. A parser turns a file into `ParsedQuestion`s and a
list of problems, each naming its line (GIFT, Aiken) or row (XLSX); `questions_import`
saves only when there are no problems at all, in one transaction. Exports write what the
parsers read, so exporting an imported category and importing the export again gives the
same questions (tested).

Each format is a module of `quizzes.formats` (gift, aiken, xlsx, moodle_xml) sharing
`formats.common`; this module saves what they parse and re-exports their public names.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from powers.models import EnforcementField, Power

# The formats, re-exported here for the callers of `quizzes.exchange`.
from .formats.aiken import parse_aiken
from .formats.common import (
    FALSE_TEXT,
    LETTERS,
    MAX_OPTIONS,
    OPTION_MAX_LENGTH,
    TRUE_TEXT,
    UNSUPPORTED_LABELS,
    ParsedQuestion,
    ParseResult,
    Problem,
    Unsupported,
)
from .formats.files import files_collection, has_data_files, html_files_store
from .formats.gift import export_gift, gift_escape, parse_gift
from .formats.images import has_data_images, html_images_store, question_collection
from .formats.moodle_xml import export_moodle_xml, parse_moodle_xml
from .formats.xlsx import (
    TYPE_LABEL,
    TYPE_WORDS,
    XLSX_ALIASES,
    XLSX_COLUMNS,
    XLSX_TEMPLATE_OPTIONS,
    export_xlsx,
    parse_xlsx,
    xlsx_template,
)
from .models import Option, Question, QuestionCategory, QuestionType, TextFormat

__all__ = [
    "FALSE_TEXT",
    "LETTERS",
    "MAX_OPTIONS",
    "OPTION_MAX_LENGTH",
    "TRUE_TEXT",
    "TYPE_LABEL",
    "TYPE_WORDS",
    "UNSUPPORTED_LABELS",
    "UNSUPPORTED_MESSAGES",
    "XLSX_ALIASES",
    "XLSX_COLUMNS",
    "XLSX_TEMPLATE_OPTIONS",
    "ParseResult",
    "ParsedQuestion",
    "Problem",
    "Unsupported",
    "category_get_or_create",
    "category_questions",
    "export_gift",
    "export_moodle_xml",
    "export_xlsx",
    "gift_escape",
    "parse_aiken",
    "parse_gift",
    "parse_moodle_xml",
    "parse_xlsx",
    "questions_import",
    "questions_parse",
    "questions_resolve",
    "xlsx_template",
]

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
        images: dict[str, str] = {}
        files: dict[str, str] = {}
        collection = files_in = None
        for parsed in result.questions:
            if parsed.text_format == TextFormat.HTML and _has_images(parsed):
                if collection is None:
                    collection = question_collection(category_path[0])
                _store_images(parsed, collection=collection, cache=images)
            if parsed.text_format == TextFormat.HTML and _has_files(parsed):
                if files_in is None:
                    files_in = files_collection(category_path[0])
                _store_files(parsed, collection=files_in, cache=files)
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
                correct_feedback=parsed.correct_feedback.strip(),
                partially_correct_feedback=parsed.partially_correct_feedback.strip(),
                incorrect_feedback=parsed.incorrect_feedback.strip(),
                grader_info=parsed.grader_info.strip(),
                is_active=parsed.is_active,
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


def _has_images(parsed: ParsedQuestion) -> bool:
    return any(has_data_images(part) for part in parsed.html_parts())


def _has_files(parsed: ParsedQuestion) -> bool:
    return any(has_data_files(part) for part in parsed.html_parts())


def _store_images(parsed: ParsedQuestion, *, collection, cache: dict) -> None:
    """Store the question's embedded images as Wagtail images and point its HTML at them."""

    def store(value: str) -> str:
        return html_images_store(value, collection=collection, title=parsed.title, cache=cache)

    _store_each(parsed, store)


def _store_files(parsed: ParsedQuestion, *, collection, cache: dict) -> None:
    """Store the other files the question links to as Wagtail documents (`formats.files`)
    and point its HTML at them."""

    def store(value: str) -> str:
        return html_files_store(value, collection=collection, cache=cache)

    _store_each(parsed, store)


def _store_each(parsed: ParsedQuestion, store) -> None:
    parsed.text = store(parsed.text)
    parsed.explanation = store(parsed.explanation)
    parsed.options = [(store(text), ok) for text, ok in parsed.options]
    parsed.option_feedback = [store(text) for text in parsed.option_feedback]
    for name in parsed.EXTRA_TEXTS:
        setattr(parsed, name, store(getattr(parsed, name)))


def category_questions(category: QuestionCategory):
    """Every question of a category and its sub-categories, ready to export."""
    return (
        Question.objects.filter(category_id__in=category.descendant_ids())
        .select_related("category__parent__parent__parent")
        .prefetch_related("options", "fields", "powers")
    )
