"""This project's own files shaped like Moodle's format fixtures (GIFT `examples.txt`,
`questions.gift.txt`, `questions_in_category.gift.txt`, Aiken `questions.aiken.txt`, the
Moodle XML fixtures): with --skip-unsupported, the imported and skipped counts are what
Moodle supports of those types (Moodle's own files are GPL and stay out of the repository;
their counts are in README's question formats section)."""

import io
from collections import Counter
from pathlib import Path

from django.core.management import call_command

from wagtail.images import get_image_model

import pytest

from quizzes.models import Question, QuestionCategory, QuestionType

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.usefixtures("english")


def _import(name, fmt, category):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_questions",
        str(FIXTURES / name),
        f"--format={fmt}",
        f"--category={category}",
        "--skip-unsupported",
        stdout=out,
        stderr=err,
    )
    lines = out.getvalue().splitlines()
    skipped = Counter(line.split(": ", 1)[1].split(" ")[0] for line in lines[2:])
    return lines[0], lines[1], skipped


def _types(category):
    root = QuestionCategory.objects.get(name=category, parent=None)
    return Counter(
        Question.objects.filter(category_id__in=root.descendant_ids()).values_list(
            "qtype", flat=True
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "fmt", "imported", "skipped", "types"),
    [
        (
            "gift_examples_shapes.gift",
            "gift",
            23,
            {"shortanswer": 9, "numerical": 8, "match": 3},
            {QuestionType.SINGLE: 16, QuestionType.MULTIPLE: 2, QuestionType.TRUE_FALSE: 5},
        ),
        (
            "gift_fixture_shapes.gift",
            "gift",
            6,
            {"match": 1, "numerical": 1, "shortanswer": 1},
            {
                QuestionType.ESSAY: 1,
                QuestionType.SINGLE: 1,
                QuestionType.MULTIPLE: 1,
                QuestionType.TRUE_FALSE: 3,
            },
        ),
        (
            "gift_category_shapes.gift",
            "gift",
            2,
            {"match": 1, "shortanswer": 1},
            {QuestionType.SINGLE: 1, QuestionType.TRUE_FALSE: 1},
        ),
        ("aiken_shapes.txt", "aiken", 2, {}, {QuestionType.SINGLE: 2}),
        (
            "moodle_xml_shapes.xml",
            "moodle-xml",
            8,
            {"cloze": 1, "shortanswer": 1},
            {QuestionType.TRUE_FALSE: 5, QuestionType.SINGLE: 2, QuestionType.ESSAY: 1},
        ),
    ],
)
def test_files_shaped_like_moodles_fixtures_import_what_moodle_supports(
    name, fmt, imported, skipped, types
):
    first, second, kinds = _import(name, fmt, "样例")
    assert first == f"imported {imported} questions"
    assert second == f"skipped {sum(skipped.values())} questions"
    assert kinds == Counter(skipped)
    assert _types("样例") == Counter(types)


@pytest.mark.django_db
def test_moodle_xml_shapes_keep_categories_and_images_once():
    _import("moodle_xml_shapes.xml", "moodle-xml", "样例")
    paths = {str(q.category) for q in Question.objects.select_related("category")}
    assert "样例 / 甲 / 乙 / 丙" in paths and "样例 / 甲 / 丁" in paths
    # logo, infos, thumbs up and down, four flags, and the Moodle 1.9 image of the
    # multiple-choice question (the cloze question carrying the same one is skipped).
    assert get_image_model().objects.count() == 9
    flags = Question.objects.get(title="问候")
    assert all("/media/original_images/" in o.text for o in flags.options.all())
    _import("moodle_xml_shapes.xml", "moodle-xml", "再次")
    assert get_image_model().objects.count() == 9
