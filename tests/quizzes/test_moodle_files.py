"""Moodle XML questions that link to a file that is not an image (a recording, a PDF): the
file is stored as a Wagtail document in "Question files", the question links to it, and a
Moodle XML export carries the file again. A file of another type refuses the question."""

import base64
import io

from django.core.management import CommandError, call_command

from wagtail.documents import get_document_model

import pytest

from quizzes import exchange
from quizzes.formats.html import html_clean, text_render
from quizzes.models import Question, QuestionCategory, TextFormat

pytestmark = pytest.mark.usefixtures("english")

# A tiny fake MP3: an ID3 tag and one frame header, then silence.
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\0" * 10 + b"\xff\xfb\x90\x64" + b"\0" * 60
MP3_B64 = base64.b64encode(MP3).decode()

# Shaped like Moodle's multichoice export: the text links a recording through
# @@PLUGINFILE@@ and carries it as a base64 <file> (with no path, as Moodle writes it).
XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/听力</text></category>
  </question>
  <question type="multichoice">
    <name><text>听录音选处罚</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>请听录音：<a href="@@PLUGINFILE@@/%E5%BD%95%E9%9F%B3%20one.mp3">录音</a></p>]]></text>
      <file name="录音 one.mp3" encoding="base64">{MP3_B64}</file>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <correctfeedback format="html"><text>答对了</text></correctfeedback>
    <partiallycorrectfeedback format="html"><text></text></partiallycorrectfeedback>
    <incorrectfeedback format="html"><text>答错了</text></incorrectfeedback>
    <answer fraction="100" format="html"><text>警告</text>
      <feedback format="html"><text>对</text></feedback></answer>
    <answer fraction="0" format="html"><text>罚款</text>
      <feedback format="html"><text>不对</text></feedback></answer>
  </question>
</quiz>
"""


def _run(tmp_path, content, category="听力题库"):
    path = tmp_path / "files.xml"
    path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_questions",
        str(path),
        "--format=moodle-xml",
        f"--category={category}",
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_linked_recording_is_stored_as_a_document_and_linked(tmp_path, client):
    out, _err = _run(tmp_path, XML)
    assert out.splitlines()[0] == "imported 1 questions"
    question = Question.objects.get(title="听录音选处罚")
    assert question.text_format == TextFormat.HTML
    document = get_document_model().objects.get()
    assert document.collection.get_parent().name == "Question files"
    assert document.collection.name == "听力题库"
    assert (
        document.title == "录音 one.mp3" and document.file_hash and document.file_size == len(MP3)
    )
    assert document.filename.endswith(".mp3")
    assert document.url.startswith(f"/documents/{document.pk}/")
    assert f'href="{document.url}"' in question.text
    assert "@@PLUGINFILE@@" not in question.text and "data:" not in question.text
    # What an officer's page gets keeps the link, and the link serves the recording.
    assert f'href="{document.url}"' in text_render(question.text, is_html=True)
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MP3


@pytest.mark.django_db
def test_reimport_reuses_the_document_and_export_carries_it_again(tmp_path):
    _run(tmp_path, XML)
    _run(tmp_path, XML, category="听力题库二")
    document = get_document_model().objects.get()  # the same bytes: one document
    assert Question.objects.filter(title="听录音选处罚").count() == 2
    assert len({q.text for q in Question.objects.filter(title="听录音选处罚")}) == 1

    source = QuestionCategory.objects.get(name="听力题库", parent=None)
    exported = exchange.export_moodle_xml(list(exchange.category_questions(source)), root=source)
    name = document.filename
    assert f'<file name="{name}" path="/" encoding="base64">{MP3_B64}</file>' in exported
    assert "@@PLUGINFILE@@/" in exported and document.url not in exported
    # The export imports again to the same question, still linking the one document.
    _run(tmp_path, exported, category="副本")
    copy = Question.objects.get(category__parent__name="副本")
    assert copy.text == Question.objects.filter(title="听录音选处罚").first().text
    assert get_document_model().objects.count() == 1


@pytest.mark.django_db
def test_an_audio_player_of_a_stored_recording_is_kept(tmp_path):
    played = XML.replace(
        '<a href="@@PLUGINFILE@@/%E5%BD%95%E9%9F%B3%20one.mp3">录音</a>',
        '<audio controls src="@@PLUGINFILE@@/录音 one.mp3"></audio>',
    )
    _run(tmp_path, played)
    document = get_document_model().objects.get()
    question = Question.objects.get()
    assert f'src="{document.url}"' in question.text and "<audio" in question.text
    source = QuestionCategory.objects.get(name="听力题库", parent=None)
    exported = exchange.export_moodle_xml(list(exchange.category_questions(source)), root=source)
    assert f'<file name="{document.filename}" path="/" encoding="base64">' in exported


def test_the_cleaner_keeps_document_links_and_drops_other_data_links():
    cleaned = html_clean(
        '<p><a href="/documents/7/a.pdf">规定</a> <a href="data:text/html;base64,PHA+">x</a>'
        ' <audio controls src="/documents/7/a.mp3"></audio><audio src="/media/reflections/a.mp3">'
        "</audio></p>"
    )
    assert 'href="/documents/7/a.pdf"' in cleaned and 'src="/documents/7/a.mp3"' in cleaned
    assert "data:text/html" not in cleaned and "reflections" not in cleaned


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "payload", "why"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\0" * 40, "files of this type are not accepted"),
        ("录音.mp3", b"MZ\x90\x00" + b"\0" * 40, "its content is not a .mp3 file"),
        ("", MP3, "it has no name"),
        ("empty.mp3", b"", "it is empty"),
        ("long.mp3", MP3 + b"\0" * (5 * 1024 * 1024), "it is larger than 5 MB"),
    ],
)
def test_a_file_that_cannot_be_kept_refuses_the_question_naming_it(tmp_path, name, payload, why):
    bad = XML.replace(
        f'<file name="录音 one.mp3" encoding="base64">{MP3_B64}</file>',
        f'<file name="{name}" path="/" encoding="base64">{base64.b64encode(payload).decode()}</file>',
    )
    path = tmp_path / "bad.xml"
    path.write_text(bad, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), format="moodle-xml", category="X", stderr=err)
    first = err.getvalue().splitlines()[0]
    assert first.startswith("Line 6: “听录音选处罚”: the file ")
    assert (name or "(no name)") in first and why in first
    assert not get_document_model().objects.exists() and not Question.objects.exists()


def _gift_link(payload: bytes) -> bytes:
    uri = f"data:audio/mpeg;name=gift.mp3;base64,{base64.b64encode(payload).decode()}"
    uri = uri.replace(":", "\\:").replace("=", "\\=")  # GIFT's escapes
    return f'[html]<p>听 <a href\\="{uri}">录音</a></p> {{=甲 ~乙}}\n'.encode()


@pytest.mark.django_db
def test_a_data_file_pasted_into_a_gift_question_is_checked_then_stored(tmp_path):
    # 75 bytes: base64 without padding.
    good = MP3[:75]
    result = exchange.questions_import(data=_gift_link(good), fmt="gift", category_path=["文本"])
    assert not result.problems
    document = get_document_model().objects.get()
    assert (
        document.title == "gift.mp3" and document.collection.get_parent().name == "Question files"
    )
    assert f'href="{document.url}"' in Question.objects.get().text

    bad = b"MZ\x90\x00" + b"\0" * 71
    result = exchange.questions_import(data=_gift_link(bad), fmt="gift", category_path=["文本2"])
    assert [p.message for p in result.problems] == [
        "the file gift.mp3 cannot be linked from a question: its content is not a .mp3 file"
    ]
    assert Question.objects.count() == 1 and get_document_model().objects.count() == 1


@pytest.mark.django_db
def test_a_data_file_in_an_xlsx_cell_is_checked_before_anything_is_saved():
    from openpyxl import Workbook

    bad = base64.b64encode(b"MZ\x90\x00" + b"\0" * 71).decode()
    row = {
        "type": "单选",
        "format": "html",
        "text": f'<a href="data:audio/mpeg;name=x.mp3;base64,{bad}">录音</a>',
        "option_a": "甲",
        "option_b": "乙",
        "answer": "A",
    }
    workbook = Workbook()
    keys = [key for key, _header in exchange.XLSX_COLUMNS]
    workbook.active.append([header for _key, header in exchange.XLSX_COLUMNS])
    workbook.active.append([row.get(key, "") for key in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = exchange.questions_import(data=buffer.getvalue(), fmt="xlsx", category_path=["表"])
    assert [(p.number, p.message) for p in result.problems] == [
        (2, "the file x.mp3 cannot be linked from a question: its content is not a .mp3 file")
    ]
    assert not Question.objects.exists() and not get_document_model().objects.exists()
