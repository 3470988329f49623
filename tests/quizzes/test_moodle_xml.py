"""Moodle XML import (`--format moodle-xml`): multiple choice, true/false and essay, with
the images a question carries; Moodle's other types are skipped or refused by line."""

import io
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from wagtail.images import get_image_model

import pytest

from quizzes import exchange, services
from quizzes.factories import QuizFactory
from quizzes.models import Question, QuestionCategory, QuestionType, TextFormat

pytestmark = pytest.mark.usefixtures("english")

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"

XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/行政处罚法/简易程序</text></category>
  </question>
  <question type="multichoice">
    <name><text>当场处罚</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>看图回答：<img src="@@PLUGINFILE@@/sign%20one.png" alt="标志"></p>]]></text>
      <file name="sign one.png" path="/" encoding="base64">{PNG}</file>
    </questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>第五十一条</p>]]></text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <single>true</single>
    <answer fraction="100" format="html"><text>警告</text>
      <feedback format="html"><text><![CDATA[<b>对</b>]]></text></feedback></answer>
    <answer fraction="50" format="html"><text>二百元以下罚款</text>
      <feedback format="html"><text>一半</text></feedback></answer>
    <answer fraction="-50" format="html"><text>吊销执照</text>
      <feedback format="html"><text></text></feedback></answer>
  </question>
  <question type="multichoice">
    <name><text>多选</text></name>
    <questiontext format="moodle_auto_format"><text>下列属于行政处罚的有 &lt;多选&gt;</text></questiontext>
    <defaultgrade>1</defaultgrade>
    <single>false</single>
    <answer fraction="50"><text>警告</text></answer>
    <answer fraction="50"><text>罚款</text></answer>
    <answer fraction="-100"><text>查封</text></answer>
  </question>
  <question type="truefalse">
    <name><text>判断</text></name>
    <questiontext format="moodle_auto_format"><text>执法人员不得少于两人。</text></questiontext>
    <answer fraction="100"><text>true</text><feedback><text>对</text></feedback></answer>
    <answer fraction="0"><text>false</text><feedback><text>错</text></feedback></answer>
  </question>
  <question type="essay">
    <name><text>问答</text></name>
    <questiontext format="html"><text>简述听证程序。</text></questiontext>
  </question>
  <question type="shortanswer">
    <name><text>短答</text></name>
    <questiontext format="html"><text>填空</text></questiontext>
    <answer fraction="100"><text>行政处罚法</text></answer>
  </question>
  <question type="matching">
    <name><text>配对</text></name>
    <questiontext format="html"><text>配对</text></questiontext>
  </question>
  <question type="multianswer">
    <name><text>完形</text></name>
    <questiontext format="html"><text>{{1:SHORTANSWER:=甲}}</text></questiontext>
  </question>
</quiz>
"""


def _run(tmp_path, content, *args):
    path = tmp_path / "moodle.xml"
    path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_questions",
        str(path),
        "--format=moodle-xml",
        "--category=莫德尔XML",
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_moodle_xml_import_with_images_weights_and_feedback(tmp_path, officer):
    out, _err = _run(tmp_path, XML, "--skip-unsupported")
    assert out.splitlines() == [
        "imported 4 questions",
        "skipped 3 questions",
        "Line 41: shortanswer (short answer)",
        "Line 46: matching (matching)",
        "Line 50: multianswer (embedded answers (cloze))",
    ]
    single = Question.objects.get(title="当场处罚")
    assert str(single.category) == "莫德尔XML / 行政处罚法 / 简易程序"
    assert single.text_format == TextFormat.HTML and single.points == 2
    image = get_image_model().objects.get()
    assert image.collection.get_parent().name == "Question images"
    assert image.collection.name == "莫德尔XML"
    assert image.file.name.startswith("original_images/question-")
    assert f'src="/media/{image.file.name}"' in single.text
    assert "@@PLUGINFILE@@" not in single.text and "data:" not in single.text
    assert [(o.text, o.is_correct, o.weight, o.feedback) for o in single.options.all()] == [
        ("警告", True, Decimal(100), "<b>对</b>"),
        ("二百元以下罚款", False, Decimal(50), "一半"),
        ("吊销执照", False, Decimal(-50), ""),
    ]
    multi = Question.objects.get(title="多选")
    assert multi.qtype == QuestionType.MULTIPLE and multi.text_format == TextFormat.PLAIN
    assert multi.text == "下列属于行政处罚的有 <多选>"
    tf = Question.objects.get(title="判断")
    assert [(o.is_correct, o.feedback) for o in tf.options.all()] == [(True, "对"), (False, "错")]
    assert Question.objects.get(title="问答").qtype == QuestionType.ESSAY
    marks = []
    quiz = QuizFactory(questions=[single])
    for index in range(3):
        attempt = services.attempt_start(quiz=quiz, user=officer)
        services.answer_save(attempt=attempt, position=1, answer=index, seq=1)
        attempt, _done = services.attempt_finish(attempt=attempt)
        marks.append(str(attempt.slots.get().points))
    assert marks == ["2.00", "1.00", "-1.00"]  # -50 % of 2 marks, as Moodle gives


@pytest.mark.django_db
def test_moodle_xml_problems_name_their_lines_and_import_nothing(tmp_path):
    bad = XML.replace('<file name="sign one.png" path="/" encoding="base64">' + PNG + "</file>", "")
    bad = bad.replace(
        '<answer fraction="50"><text>罚款</text>', '<answer fraction="20"><text>罚款</text>'
    )
    path = tmp_path / "bad.xml"
    path.write_text(bad, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), format="moodle-xml", category="X", stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Line 6",
        "Line 22",
        "Line 41",
        "Line 46",
        "Line 50",
    ]
    assert "@@PLUGINFILE@@" in lines[0] and "70" in lines[1]
    assert not QuestionCategory.objects.exists()


@pytest.mark.django_db
def test_broken_xml_is_refused(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("<quiz><question type='essay'>\n<oops></quiz>", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), format="moodle-xml", category="X", stderr=err)
    assert err.getvalue().startswith("Line ")


def _xml_snapshot(category):
    """Everything Moodle XML carries of a category's questions, independent of ids."""
    return sorted(
        (
            "/".join(q.category.path_names()[len(category.path_names()) :]),
            q.title,
            q.qtype,
            q.text_format,
            q.text,
            q.explanation,
            str(q.points.normalize()),
            tuple(
                (
                    o.text,
                    o.is_correct,
                    None if o.weight is None else o.weight.normalize(),
                    o.feedback,
                )
                for o in q.options.all()
            ),
        )
        for q in exchange.category_questions(category)
    )


@pytest.mark.django_db
def test_moodle_xml_round_trip(tmp_path):
    _run(tmp_path, XML, "--skip-unsupported")
    source = QuestionCategory.objects.get(name="莫德尔XML", parent=None)
    before = _xml_snapshot(source)
    assert len(before) == 4
    exported = exchange.export_moodle_xml(list(exchange.category_questions(source)), root=source)
    image = get_image_model().objects.get()
    name = image.file.name.rsplit("/", 1)[-1]
    assert f'src="@@PLUGINFILE@@/{name}"' in exported and "<single>true</single>" in exported
    assert f'<file name="{name}" path="/" encoding="base64">{PNG}</file>' in exported
    path = tmp_path / "again.xml"
    path.write_text(exported, encoding="utf-8")
    out = io.StringIO()
    call_command("import_questions", str(path), format="moodle-xml", category="副本", stdout=out)
    assert out.getvalue().strip() == "imported 4 questions"
    assert _xml_snapshot(QuestionCategory.objects.get(name="副本", parent=None)) == before
    assert get_image_model().objects.count() == 1  # the same image, stored once


@pytest.mark.django_db
def test_admin_exports_moodle_xml(client, trainer, tmp_path):
    for codename in ("access_admin", "view_question"):
        trainer.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(trainer)
    _run(tmp_path, XML, "--skip-unsupported")
    category = QuestionCategory.objects.get(name="莫德尔XML", parent=None)
    response = client.get(reverse("quizzes_category_export", args=[category.pk, "xml"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert f"category-{category.pk}.xml" in response["Content-Disposition"]
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert "<text>$course$/top/行政处罚法/简易程序</text>" in body
    assert '<answer fraction="-50" format="html">' in body


def _image_bytes(fmt="PNG", size=(4, 3)):
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.django_db
def test_moodle_xml_reimport_reuses_stored_images(tmp_path):
    _run(tmp_path, XML, "--skip-unsupported")
    _run(tmp_path, XML.replace("$course$/top/", "$course$/top/again/"), "--skip-unsupported")
    assert Question.objects.filter(title="当场处罚").count() == 2
    image = get_image_model().objects.get()  # the same bytes: one Wagtail image
    assert len({q.text for q in Question.objects.filter(title="当场处罚")}) == 1
    assert image.file_hash and image.width == 1 and image.height == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "name", "why"),
    [
        ("TVqQAAMAAAAEAAAA", "bonjour.exe", "PDF, DOCX, XLSX, PPTX and TXT files)"),
        ("not base64 at all!", "sign.png", "it is not base64"),
        (None, "huge.png", "it is larger than 5 MB"),
        ("BMP", "sign.bmp", "it is not a PNG, JPEG, GIF or WebP image"),
    ],
)
def test_moodle_xml_files_that_are_not_showable_images_refuse_the_question(
    tmp_path, payload, name, why
):
    import base64

    if payload is None:  # a real PNG padded past the limit
        payload = base64.b64encode(_image_bytes() + b"\0" * (5 * 1024 * 1024)).decode()
    elif payload == "BMP":
        payload = base64.b64encode(_image_bytes("BMP")).decode()
    bad = XML.replace(f'name="sign one.png" path="/" encoding="base64">{PNG}', "X").replace(
        "<file X</file>",
        f'<file name="{name}" path="/" encoding="base64">{payload}</file>',
    )
    bad = bad.replace("@@PLUGINFILE@@/sign%20one.png", f"@@PLUGINFILE@@/{name}")
    path = tmp_path / "bad.xml"
    path.write_text(bad, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_questions",
            str(path),
            "--skip-unsupported",
            format="moodle-xml",
            category="X",
            stderr=err,
        )
    first = err.getvalue().splitlines()[0]
    assert first.startswith("Line 6: “当场处罚”: the file ")
    assert name in first and first.endswith(why)
    assert not get_image_model().objects.exists() and not Question.objects.exists()


@pytest.mark.parametrize("fmt", ["JPEG", "GIF", "WEBP"])
def test_moodle_xml_other_image_kinds_are_read(fmt):
    import base64

    data = base64.b64encode(_image_bytes(fmt)).decode()
    xml = (
        XML.replace(PNG, data)
        .replace("sign one.png", "sign one.img")
        .replace("sign%20one.png", "sign%20one.img")
    )
    result = exchange.parse_moodle_xml(xml)
    assert result.ok, result.problems
    mime = {"JPEG": "jpeg", "GIF": "gif", "WEBP": "webp"}[fmt]
    assert f"data:image/{mime};base64," in result.questions[0].text


@pytest.mark.django_db
def test_question_images_are_shown_to_officers_and_only_from_public_folders(tmp_path):
    from quizzes.formats.html import text_render

    _run(tmp_path, XML, "--skip-unsupported")
    single = Question.objects.get(title="当场处罚")
    image = get_image_model().objects.get()
    shown = text_render(single.text, is_html=True)
    assert f'<img src="/media/{image.file.name}" alt="标志">' in shown
    for src in (
        "/media/reflections/secret.png",
        "/media/original_images/../reflections/a.png",
        "javascript:alert(1)",
        "https://example.com/a.png",
        "//example.com/a.png",
        "/media/original_images/a.png?x=1",
    ):
        assert "src" not in text_render(f'<img src="{src}" alt="x">', is_html=True), src


OLD_IMAGE_AND_BAD_GRADE = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>旧式图片</text></name>
    <questiontext format="moodle_auto_format"><text>看图 &lt;选&gt;</text></questiontext>
    <image>sign.png</image>
    <image_base64>
{PNG}
    </image_base64>
    <single>true</single>
    <answer fraction="100"><text>甲</text></answer>
    <answer fraction="0"><text>乙</text></answer>
  </question>
  <question type="multichoice">
    <name><text>权重</text></name>
    <questiontext format="html"><text>选</text></questiontext>
    <single>false</single>
    <answer fraction="33"><text>甲</text></answer>
    <answer fraction="33.33333"><text>乙</text></answer>
    <answer fraction="33.33333"><text>丙</text></answer>
    <answer fraction="-50"><text>丁</text></answer>
  </question>
</quiz>
"""


@pytest.mark.django_db
def test_moodle_19_image_field_is_kept_and_grades_moodle_refuses_are_refused(tmp_path):
    path = tmp_path / "old.xml"
    path.write_text(OLD_IMAGE_AND_BAD_GRADE, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), format="moodle-xml", category="旧", stderr=err)
    assert err.getvalue().splitlines() == [
        "Line 14: the weight 33 % is not one Moodle gives; use one of 100, 90, 83.33333, 80, "
        "75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, "
        "11.11111, 10, 5, 0 (or the same below 0)"
    ]
    path.write_text(OLD_IMAGE_AND_BAD_GRADE.replace('"33"', '"33.33333"'), encoding="utf-8")
    call_command(
        "import_questions", str(path), format="moodle-xml", category="旧", stdout=io.StringIO()
    )
    question = Question.objects.get(title="旧式图片")
    image = get_image_model().objects.get()
    assert question.text_format == TextFormat.HTML
    assert question.text == f'看图 &lt;选&gt; <img src="/media/{image.file.name}" alt="">'


KEPT_AND_WARNED = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>组合反馈</text></name>
    <questiontext format="html"><text>选</text></questiontext>
    <penalty>0.3333333</penalty>
    <hidden>1</hidden>
    <single>true</single>
    <shuffleanswers>0</shuffleanswers>
    <answernumbering>123</answernumbering>
    <correctfeedback format="html"><text><![CDATA[<p>全对</p>]]></text></correctfeedback>
    <partiallycorrectfeedback format="html"><text>部分</text></partiallycorrectfeedback>
    <incorrectfeedback format="html"><text>错了</text></incorrectfeedback>
    <answer fraction="100"><text>甲</text></answer>
    <answer fraction="0"><text>乙</text></answer>
    <hint format="html"><text>再想想</text></hint>
    <tags><tag><text>法律</text></tag></tags>
  </question>
  <question type="essay">
    <name><text>评分说明</text></name>
    <questiontext format="moodle_auto_format"><text>简述。</text></questiontext>
    <penalty>0</penalty>
    <graderinfo format="moodle_auto_format"><text>要点：两人以上</text></graderinfo>
    <responsetemplate format="html"><text>我认为……</text></responsetemplate>
  </question>
  <question type="truefalse">
    <name><text>判断</text></name>
    <questiontext format="moodle_auto_format"><text>对吗</text></questiontext>
    <penalty>1</penalty>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
</quiz>
"""


@pytest.mark.django_db
def test_moodle_extras_are_kept_or_reported_never_dropped_silently(tmp_path):
    out, err = _run(tmp_path, KEPT_AND_WARNED, "--skip-unsupported")
    assert out.splitlines() == ["imported 3 questions", "skipped 0 questions"]
    assert err.splitlines() == [
        "Line 3: warning: Moodle keeps this question's options in their order; here the "
        "quiz's “shuffle options” setting decides",
        "Line 3: warning: the options are numbered 123 in Moodle; here they are lettered A, B, C",
        "Line 3: warning: the hints for further tries are not kept",
        "Line 3: warning: the tags are not kept",
        "Line 19: warning: the response template is not kept",
        "Line 3: warning: 2 questions take marks off for each further try (Moodle's penalty); "
        "it is not kept, as officers answer each question once",
    ]
    choice = Question.objects.get(title="组合反馈")
    assert not choice.is_active
    assert (
        choice.correct_feedback,
        choice.partially_correct_feedback,
        choice.incorrect_feedback,
    ) == ("<p>全对</p>", "部分", "错了")
    essay = Question.objects.get(title="评分说明")
    assert essay.grader_info == "要点：两人以上" and essay.is_active
    root = QuestionCategory.objects.get(name="莫德尔XML")
    exported = exchange.export_moodle_xml(list(exchange.category_questions(root)), root=root)
    assert '<correctfeedback format="html"><text>&lt;p&gt;全对&lt;/p&gt;</text>' in exported
    assert '<graderinfo format="plain_text"><text>要点：两人以上</text>' in exported
    assert "<hidden>1</hidden>" in exported


@pytest.mark.django_db
def test_admin_import_screen_lists_what_was_not_kept(client, trainer):
    for codename in ("access_admin", "view_question", "add_question"):
        trainer.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(trainer)
    upload = io.BytesIO(KEPT_AND_WARNED.encode())
    upload.name = "bank.xml"
    response = client.post(
        reverse("quizzes_import"),
        {"file": upload, "format": "moodle-xml", "category": "后台", "skip_unsupported": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 3: the hints for further tries are not kept" in page
    assert "Nothing was imported" not in page and "Imported 3 questions." in page
    assert Question.objects.count() == 3
