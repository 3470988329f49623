"""Moodle XML questions: multiple choice (single and multiple answer), true/false and essay.

Moodle's own export format keeps what GIFT cannot: each text's format, and the files a
text shows (`<file name=… encoding="base64">`, referred to as `@@PLUGINFILE@@/name`).
Images and the other files a question may link to (audio, PDF, office documents, plain
text: `formats.files`) become `data:` URIs inside the HTML until the question is saved;
any other file, or a reference to a file the question does not carry, refuses the
question, naming the file.
A question's line is the line of its `<question>` tag.

`export_moodle_xml` writes the same shape back, as Moodle's own export does: one
`<question type="category">` entry where the sub-category changes, and for each question
its name, text, general feedback (the explanation), marks and answers with their
fractions and feedback. Moodle's multiple-answer question always gives partial credit,
so a question marked all-or-nothing is exported with the weights Moodle needs and comes
back with partial credit; enforcement fields and power codes travel in GIFT and XLSX only.
"""

import base64
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from urllib.parse import quote
from xml.etree.ElementTree import Element  # noqa: S405 - only the type; parsing is defusedxml
from xml.sax.saxutils import escape as xml_escape  # noqa: S406 - writing XML, not parsing it

from django.utils.translation import gettext as _

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from quizzes.models import QuestionType, TextFormat

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
)
from .files import data_uri as file_data_uri
from .files import file_check, html_files_embed, is_image_name
from .gift import category_path as gift_category_path
from .html import plain_to_html
from .images import MAX_IMAGE_BYTES, data_uri, decode_base64, html_images_embed, image_check

SUPPORTED = ("multichoice", "truefalse", "essay")


def _child_text(element: Element | None, tag: str = "text") -> str:
    if element is None:
        return ""
    child = element.find(tag)
    return (child.text or "") if child is not None else ""


def _format(element: Element | None, default: str) -> str:
    """Moodle's format names: html stays HTML; moodle_auto_format, plain_text and
    markdown are read as plain text."""
    if element is None:
        return default
    return "html" if element.get("format", default) == "html" else "plain"


def _embed_files(text: str, element: Element | None, label: str) -> tuple[str, list[str]]:
    """Put the files a text carries into it as data: URIs: images (stored as Wagtail images
    when the question is saved, `formats.images`) and the other files a question may link
    to (stored as Wagtail documents, `formats.files`); report any other file, naming the
    question and the file."""
    problems = []
    if element is None:
        return text, problems
    for file in element.findall("file"):
        name = file.get("name", "")
        data = decode_base64(file.text or "") if file.get("encoding") == "base64" else None
        uri = None
        if data is None:
            why = _("it is not base64")
        else:
            kind, why = image_check(data)
            if kind is not None:
                uri = data_uri(data, kind)
            elif data and len(data) <= MAX_IMAGE_BYTES and not is_image_name(name):
                # Not an image, and not meant to be one: a recording, a PDF, …
                mime, why = file_check(name, data)
                if mime is not None:
                    uri = file_data_uri(name, data, mime)
            elif not data:
                why = _("it is empty")
        if uri is None:
            problems.append(
                _("“%(question)s”: the file %(name)s cannot be shown in a question: %(why)s")
                % {"question": label, "name": name or _("(no name)"), "why": why}
            )
            continue
        path = file.get("path", "/")
        for reference in {f"@@PLUGINFILE@@{path}{name}", f"@@PLUGINFILE@@{path}{quote(name)}"}:
            text = text.replace(reference, uri)
    return text, problems


def question_lines(data: str) -> list[int]:
    """The line of each <question> tag, in document order."""
    return [data.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<question[\s>]", data)]


def parse_moodle_xml(text: str) -> ParseResult:
    """Parse Moodle XML (`formats.moodle_xml`): multiple choice, true/false and essay;
    Moodle's other types are listed in `unsupported` with their line."""
    result = ParseResult()

    def finish(question, formats, refuse):
        question = formats_apply(question, formats, refuse)
        if question is not None:
            check_common(question, "line", result.problems)
        return question

    parse(
        text,
        result=result,
        make_question=ParsedQuestion,
        finish=finish,
        category_path=gift_category_path,
    )
    return result


def parse(text: str, *, result, make_question, finish, category_path) -> None:
    """Fill `result` (a `common.ParseResult`) from Moodle XML text. `make_question`
    builds a `common.ParsedQuestion`, `finish(question, formats, refuse)` applies the
    formats and checks, `category_path` turns `$course$/top/A/B` into names."""
    try:
        root = fromstring(text.encode("utf-8"))
    except (ParseError, DefusedXmlException) as error:
        line = getattr(error, "position", (1, 0))[0]
        result.problems.append(
            Problem("line", line, _("the file is not valid Moodle XML: %(e)s") % {"e": error})
        )
        return
    if root.tag != "quiz":
        result.problems.append(Problem("line", 1, _("a Moodle XML file starts with <quiz>")))
        return
    lines = question_lines(text)
    subcategory: list[str] = []
    penalised: list[int] = []
    for index, element in enumerate(root.findall("question")):
        number = lines[index] if index < len(lines) else 1
        qtype = element.get("type", "")
        if qtype == "category":
            subcategory = category_path(_child_text(element.find("category")))
            continue
        if qtype not in SUPPORTED:
            result.unsupported.append(Unsupported(number, qtype or "?"))
            continue
        found: list[str] = []

        def refuse(message, number=number, found=found):
            if message not in found:
                found.append(message)
                result.problems.append(Problem("line", number, message))

        formats = {"options": [], "feedback": []}
        question = _question(element, qtype, number, make_question, refuse, formats)
        if question is None or found:
            continue
        question.subcategory = list(subcategory)
        question = finish(question, formats, refuse)
        if question is not None and not found:
            result.questions.append(question)
            result.warnings += [Problem("line", number, m) for m in _not_kept(element, qtype)]
            if _decimal(_child_text(element, "penalty")) and qtype != "essay":
                penalised.append(number)
    if penalised:
        result.warnings.append(
            Problem(
                "line",
                penalised[0],
                _(
                    "%(n)s questions take marks off for each further try (Moodle's penalty); "
                    "it is not kept, as officers answer each question once"
                )
                % {"n": len(penalised)},
            )
        )


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value.strip() or "0")
    except InvalidOperation:
        return Decimal(0)


def _not_kept(element: Element, qtype: str) -> list[str]:
    """What Moodle keeps of a question and the bank does not: one warning each."""
    warnings = []
    if qtype == "multichoice":
        if _child_text(element, "shuffleanswers").strip().lower() in ("0", "false"):
            warnings.append(
                _(
                    "Moodle keeps this question's options in their order; here the quiz's "
                    "“shuffle options” setting decides"
                )
            )
        numbering = _child_text(element, "answernumbering").strip()
        if numbering not in ("", "abc", "ABCD", "ABC"):
            warnings.append(
                _("the options are numbered %(style)s in Moodle; here they are lettered A, B, C")
                % {"style": numbering}
            )
    if element.findall("hint"):
        warnings.append(_("the hints for further tries are not kept"))
    if element.find("tags") is not None and element.find("tags").findall("tag"):
        warnings.append(_("the tags are not kept"))
    if _child_text(element, "idnumber").strip():
        warnings.append(_("the ID number is not kept"))
    if qtype == "essay":
        if _child_text(element.find("responsetemplate")).strip():
            warnings.append(_("the response template is not kept"))
        if _decimal(_child_text(element, "attachments")) != 0:
            warnings.append(_("attachments to the answer are not accepted here"))
        if _child_text(element, "responseformat").strip() in ("noinline",):
            warnings.append(_("an answer is typed in here, not only attached"))
    return warnings


def _question(element: Element, qtype: str, number: int, make_question, refuse, formats: dict):
    text_element = element.find("questiontext")
    text_format = _format(text_element, "moodle_auto_format")
    title = _child_text(element.find("name")).strip()
    label = title or _child_text(text_element).strip()[:40]
    text, problems = _embed_files(_child_text(text_element), text_element, label)
    feedback_element = element.find("generalfeedback")
    explanation, more = _embed_files(_child_text(feedback_element), feedback_element, label)
    old_image = element.find("image_base64")
    shown_format = text_format
    if old_image is not None and (old_image.text or "").strip():
        # Moodle 1.9 kept one image beside the text; Moodle shows it after the text.
        name = _child_text(element, "image").strip() or "image"
        data = decode_base64(old_image.text or "")
        kind, why = image_check(data) if data is not None else (None, _("it is not base64"))
        if why:
            problems.append(
                _("“%(question)s”: the file %(name)s cannot be shown in a question: %(why)s")
                % {"question": label, "name": name, "why": why}
            )
        else:
            if text_format != "html":
                text, shown_format = plain_to_html(text.strip()), "html"
            text = f'{text.rstrip()} <img src="{data_uri(data, kind)}" alt="">'
    for message in problems + more:
        refuse(message)
    question = make_question(
        qtype=QuestionType.ESSAY,
        text=text.strip(),
        explanation=explanation.strip(),
        number=number,
        title=title,
    )
    formats["text"] = shown_format
    formats["explanation"] = _format(feedback_element, text_format)
    grade = _child_text(element, "defaultgrade").strip()
    if grade:
        try:
            question.points = Decimal(grade).normalize()
        except InvalidOperation:
            refuse(_("the marks are not a number"))
    if _child_text(element, "hidden").strip() == "1":
        question.is_active = False
    extras = {
        "essay": ["grader_info"],
        "multichoice": ["correct_feedback", "partially_correct_feedback", "incorrect_feedback"],
    }.get(qtype, [])
    formats["extras"] = {}
    for name in extras:
        tag = name.replace("_", "") if name != "grader_info" else "graderinfo"
        extra_element = element.find(tag)
        value, problems = _embed_files(_child_text(extra_element), extra_element, label)
        for message in problems:
            refuse(message)
        setattr(question, name, value.strip())
        formats["extras"][name] = _format(extra_element, text_format)
    if qtype == "essay":
        return question
    answers = []
    for answer in element.findall("answer"):
        try:
            weight = Decimal(answer.get("fraction", "0"))
        except InvalidOperation:
            refuse(_("an answer's fraction is not a number"))
            return None
        if not Decimal(-100) <= weight <= Decimal(100):
            refuse(_("a weight is between -100 and 100"))
            return None
        option, problems = _embed_files(_child_text(answer), answer, label)
        feedback_of = answer.find("feedback")
        feedback, more = _embed_files(_child_text(feedback_of), feedback_of, label)
        for message in problems + more:
            refuse(message)
        answers.append(
            (
                option.strip(),
                weight,
                feedback.strip(),
                _format(answer, text_format),
                _format(feedback_of, text_format),
            )
        )
    if qtype == "truefalse":
        by_value = {a[0].lower(): a for a in answers}
        if set(by_value) != {"true", "false"}:
            refuse(_("a true/false question has the answers true and false"))
            return None
        value = by_value["true"][1] == 100
        question.qtype = QuestionType.TRUE_FALSE
        question.options = [(TRUE_TEXT, value), (FALSE_TEXT, not value)]
        question.option_feedback = [by_value["true"][2], by_value["false"][2]]
        formats["options"] = ["plain", "plain"]
        formats["feedback"] = [by_value["true"][4], by_value["false"][4]]
        return question
    single = _child_text(element, "single").strip().lower() in ("true", "1")
    weights = [a[1] for a in answers]
    if single and Decimal(100) not in weights:
        refuse(_("a single-choice question needs an answer worth 100 %"))
        return None
    if not single:
        total = sum((w for w in weights if w > 0), Decimal(0))
        if abs(total - 100) > Decimal("0.5"):
            refuse(
                _("the positive weights of a multiple-choice question add up to %(total)s, not 100")
                % {"total": f"{total.normalize():f}"}
            )
            return None
    question.qtype = QuestionType.SINGLE if single else QuestionType.MULTIPLE
    question.partial_credit = not single
    question.weights = weights
    question.options = [(a[0], a[1] == 100 if single else a[1] > 0) for a in answers]
    question.option_feedback = [a[2] for a in answers]
    formats["options"] = [a[3] for a in answers]
    formats["feedback"] = [a[4] for a in answers]
    return question


# --- export ----------------------------------------------------------------------------


def _xml_text(value: str) -> str:
    # A carriage return would come back as a line feed; everything else XML 1.0 allows.
    return xml_escape(value).replace("\r", "&#13;")


def _text_and_files(value: str, fmt: str, indent: str) -> str:
    """`<text>` and, for HTML, a base64 `<file>` for each image the text shows and each
    other file it links to."""
    files = []
    if fmt == "html":
        value, files = html_images_embed(value)
        value, more = html_files_embed(value)
        files += more
    out = f"<text>{_xml_text(value)}</text>"
    for name, data in files:
        out += (
            f'\n{indent}  <file name="{_xml_text(name)}" path="/" encoding="base64">'
            f"{base64.b64encode(data).decode()}</file>"
        )
    if files:
        out += f"\n{indent}"
    return out


def _text_element(tag: str, value: str, fmt: str, indent: str = "    ") -> str:
    return f'{indent}<{tag} format="{fmt}">{_text_and_files(value, fmt, indent)}</{tag}>'


def _fraction(weight) -> str:
    return f"{Decimal(weight).normalize():f}"


def _fractions(question, options) -> list[str]:
    """Each option's fraction: its weight, or the weights Moodle needs for the bank's own
    marking when the question has none (full marks for a right option of a single-choice
    question; shares of 100 % for right options and of -100 % for wrong ones of a
    multiple-choice one, as the GIFT export writes them)."""
    if any(o.weight is not None for o in options):
        return [_fraction(o.weight or 0) for o in options]
    if question.qtype == QuestionType.SINGLE:
        return ["100" if o.is_correct else "0" for o in options]
    right = sum(1 for o in options if o.is_correct)
    wrong = len(options) - right

    def share(total: int, n: int) -> str:
        if n == 0:
            return "0"
        return _fraction((Decimal(total) / Decimal(n)).quantize(Decimal("0.00001")))

    return [share(100, right) if o.is_correct else share(-100, wrong) for o in options]


def _question_xml(question) -> list[str]:
    fmt = "html" if question.text_format == TextFormat.HTML else "plain_text"
    options = list(question.options.all())
    qtype = {
        QuestionType.SINGLE: "multichoice",
        QuestionType.MULTIPLE: "multichoice",
        QuestionType.TRUE_FALSE: "truefalse",
        QuestionType.ESSAY: "essay",
    }[question.qtype]
    out = [
        f'  <question type="{qtype}">',
        f"    <name><text>{_xml_text(question.title)}</text></name>",
        _text_element("questiontext", question.text, fmt),
        _text_element("generalfeedback", question.explanation, fmt),
        f"    <defaultgrade>{Decimal(question.points):.7f}</defaultgrade>",
        f"    <hidden>{0 if question.is_active else 1}</hidden>",
    ]
    if question.qtype == QuestionType.ESSAY:
        out += [
            "    <responseformat>editor</responseformat>",
            "    <responserequired>1</responserequired>",
            "    <responsefieldlines>15</responsefieldlines>",
            "    <attachments>0</attachments>",
            "    <attachmentsrequired>0</attachmentsrequired>",
            _text_element("graderinfo", question.grader_info, fmt),
            _text_element("responsetemplate", "", fmt),
        ]
    elif question.qtype == QuestionType.TRUE_FALSE:
        right = next((o for o in options if o.is_correct), None)
        value = right is not None and right.text == TRUE_TEXT
        by_text = {o.text == TRUE_TEXT: o for o in options}
        for word, is_true in (("true", True), ("false", False)):
            option = by_text.get(is_true)
            feedback = option.feedback if option is not None else ""
            fraction = "100" if value == is_true else "0"
            out += [
                f'    <answer fraction="{fraction}" format="moodle_auto_format">',
                f"      <text>{word}</text>",
                _text_element("feedback", feedback, fmt, indent="      "),
                "    </answer>",
            ]
    else:
        single = question.qtype == QuestionType.SINGLE
        out += [
            f"    <single>{'true' if single else 'false'}</single>",
            "    <shuffleanswers>true</shuffleanswers>",
            "    <answernumbering>ABCD</answernumbering>",
            _text_element("correctfeedback", question.correct_feedback, fmt),
            _text_element("partiallycorrectfeedback", question.partially_correct_feedback, fmt),
            _text_element("incorrectfeedback", question.incorrect_feedback, fmt),
        ]
        for option, fraction in zip(options, _fractions(question, options), strict=True):
            out += [
                f'    <answer fraction="{fraction}" format="{fmt}">',
                f"      {_text_and_files(option.text, fmt, '      ')}",
                _text_element("feedback", option.feedback, fmt, indent="      "),
                "    </answer>",
            ]
    out.append("  </question>")
    return out


def export_moodle_xml(questions: Iterable, *, root) -> str:
    """Moodle XML for the questions of a category tree (root's own questions first); the
    sub-categories are written as `$course$/top/…` paths below the category imported into."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    current: list[str] = []
    for question in ordered(questions, root):
        path = relative_path(question.category, root)
        if path != current:
            category = "/".join(["$course$", "top", *path])
            out += [
                '  <question type="category">',
                f"    <category><text>{_xml_text(category)}</text></category>",
                "  </question>",
            ]
            current = path
        out += _question_xml(question)
    out.append("</quiz>")
    return "\n".join(out) + "\n"
