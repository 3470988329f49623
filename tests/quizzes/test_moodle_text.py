"""What a Moodle question says besides its answers: HTML, titles, feedback, embedded files,
format markers and long option lists (GIFT)."""

import io

from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest

from quizzes import exchange, selectors, services
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Question, QuestionCategory, QuizKind, ReviewPolicy, TextFormat

pytestmark = pytest.mark.usefixtures("english")

HTML = """::追责时效::[html]<p>违法行为在<b>几年</b>内未被发现的，不再处罚？<script>alert(1)</script></p> {
  =<i>二年</i>#<b>对</b>，第三十六条
  ~[plain]<一年>#太短了
  ~三年
  ####[html]<p onclick="steal()">见<u>第三十六条</u></p>
}

::纯文本::执法人员不得少于两人。 {TRUE#错了，见第四十二条#对}

标记 {=[moodle]甲 ~[markdown]乙 ~[plain]丙#[plain]说明}
"""


def _import(tmp_path, content, category="莫德尔文本", name="t.gift"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_questions", str(path), format="gift", category=category, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def _refused(tmp_path, content) -> list[str]:
    path = tmp_path / "bad.gift"
    path.write_text(content, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), format="gift", category="X", stderr=err)
    assert not Question.objects.exists()
    return err.getvalue().splitlines()


@pytest.mark.django_db
def test_html_is_cleaned_and_kept_with_titles_and_feedback(tmp_path):
    out, _err = _import(tmp_path, HTML)
    assert out.strip() == "imported 3 questions"
    html = Question.objects.get(title="追责时效")
    assert html.text_format == TextFormat.HTML
    assert "<b>几年</b>" in html.text and "script" not in html.text
    assert html.explanation == "<p>见<u>第三十六条</u></p>"
    options = list(html.options.all())
    assert [o.text for o in options] == ["<i>二年</i>", "&lt;一年&gt;", "三年"]
    assert [o.feedback for o in options] == ["<b>对</b>，第三十六条", "太短了", ""]
    plain = Question.objects.get(title="纯文本")
    assert plain.text_format == TextFormat.PLAIN
    assert [(o.text, o.is_correct, o.feedback) for o in plain.options.all()] == [
        ("正确", True, "对"),
        ("错误", False, "错了，见第四十二条"),
    ]
    markers = Question.objects.get(text="标记")
    assert [(o.text, o.feedback) for o in markers.options.all()] == [
        ("甲", ""),
        ("乙", ""),
        ("丙", "说明"),
    ]


@pytest.mark.django_db
def test_html_is_shown_as_html_while_answering_and_in_the_review(tmp_path, client, officer):
    _import(tmp_path, HTML)
    question = Question.objects.get(title="追责时效")
    quiz = QuizFactory(questions=[question], review=ReviewPolicy.AFTER_SUBMIT)
    attempt = services.attempt_start(quiz=quiz, user=officer)
    client.force_login(officer)
    page = client.get(reverse("quizzes:attempt", args=[attempt.public_id])).content.decode()
    assert "<b>几年</b>" in page and "&lt;b&gt;" not in page and "alert(1)" not in page
    assert "<i>二年</i>" in page and "&lt;一年&gt;" in page
    services.answer_save(attempt=attempt, position=1, answer=1, seq=1)
    services.attempt_finish(attempt=attempt)
    page = client.get(reverse("quizzes:attempt_result", args=[attempt.public_id])).content.decode()
    assert "<b>几年</b>" in page and "&lt;b&gt;" not in page and "alert(1)" not in page
    assert "太短了" in page and "<u>第三十六条</u>" in page and "steal" not in page


@pytest.mark.django_db
def test_feedback_is_never_shown_for_an_exam_pool_question(tmp_path, client, officer):
    secret = QuestionFactory(text="考试题", explanation="考试解析")
    secret.options.filter(is_correct=True).update(feedback="考试反馈")
    QuizFactory(kind=QuizKind.GENERAL_LAW, questions=[secret], review=ReviewPolicy.SCORE_ONLY)
    practice = QuestionFactory(text="练习题")
    practice.options.update(feedback="练习反馈")
    # A practice quiz made before the pools were separated, holding an exam question.
    quiz = QuizFactory(questions=[secret, practice], review=ReviewPolicy.AFTER_SUBMIT)
    attempt = services.attempt_start(quiz=quiz, user=officer)
    services.answer_save(attempt=attempt, position=1, answer=1, seq=1)
    services.answer_save(attempt=attempt, position=2, answer=1, seq=2)
    services.attempt_finish(attempt=attempt)
    items = selectors.attempt_review(attempt=attempt)
    assert [bool(o["feedback"]) for o in items[0].options] == [False] * 4
    assert all(o["feedback"] == "练习反馈" for o in items[1].options)
    client.force_login(officer)
    page = client.get(reverse("quizzes:attempt_result", args=[attempt.public_id])).content.decode()
    assert "练习反馈" in page and "考试反馈" not in page and "考试解析" not in page


@pytest.mark.django_db
def test_feedback_waits_for_the_review_policy(client, officer):
    question = QuestionFactory(text="练习题")
    question.options.update(feedback="练习反馈")
    quiz = QuizFactory(questions=[question], review=ReviewPolicy.SCORE_ONLY)
    attempt = services.attempt_start(quiz=quiz, user=officer)
    services.attempt_finish(attempt=attempt)
    client.force_login(officer)
    page = client.get(reverse("quizzes:attempt_result", args=[attempt.public_id])).content.decode()
    assert "练习反馈" not in page


@pytest.mark.django_db
def test_embedded_moodle_files_and_remote_images_are_refused_with_their_line(tmp_path):
    bad = """[html]<p>看图 <img src="@@PLUGINFILE@@/sign.png"></p> {=甲 ~乙}

好题 {=甲 ~乙}

[html]远处的图 <img src="https://example.com/a.png"> {=甲 ~乙}

选项里的图 {=[html]<img src\\="@@PLUGINFILE@@/b.png"> ~乙}
"""
    lines = _refused(tmp_path, bad)
    assert [line.split(":")[0] for line in lines] == ["Line 1", "Line 5", "Line 7"]
    assert "@@PLUGINFILE@@" in lines[0] and "another site" in lines[1]


@pytest.mark.django_db
def test_many_options_are_kept_and_too_many_name_the_question(tmp_path):
    twelve = " ".join(["=选项1"] + [f"~选项{i}" for i in range(2, 13)])
    _import(tmp_path, f"十二个选项 {{{twelve}}}\n")
    assert Question.objects.get(text="十二个选项").options.count() == 12
    root = QuestionCategory.objects.get(name="莫德尔文本")
    data = exchange.export_xlsx(list(exchange.category_questions(root)), root=root)
    result = exchange.parse_xlsx(data)
    assert result.ok and len(result.questions[0].options) == 12
    Question.objects.all().delete()
    too_many = " ".join(["=一"] + [f"~选项{i}" for i in range(2, 28)])
    lines = _refused(tmp_path, f"::太多::第一行\n\n第二题 {{{too_many}}}\n")
    assert len(lines) == 2
    assert lines[1].startswith("Line 3:") and "第二题" in lines[1] and "27" in lines[1]


@pytest.mark.django_db
def test_html_titles_and_feedback_round_trip_through_gift(tmp_path):
    _import(tmp_path, HTML)
    root = QuestionCategory.objects.get(name="莫德尔文本")
    text = exchange.export_gift(list(exchange.category_questions(root)), root=root)
    _import(tmp_path, text, category="再导入", name="again.gift")

    def shape(category):
        return sorted(
            (
                q.title,
                q.text_format,
                q.text,
                q.explanation,
                tuple((o.text, o.is_correct, o.weight, o.feedback) for o in q.options.all()),
            )
            for q in exchange.category_questions(category)
        )

    assert shape(QuestionCategory.objects.get(name="再导入")) == shape(root)
