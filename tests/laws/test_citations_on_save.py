"""Citations from what an editor saves: a question's explanation, a case's legal basis and a
lesson's article blocks cite the registry's articles, and references it cannot link are
named in a warning; the lesson's article block is picked by law and number."""

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse

from wagtail import hooks
from wagtail.blocks.struct_block import StructBlockValidationError

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from courses.factories import lesson_create, module_create
from laws import wagtail_hooks
from laws.blocks import ArticleReferenceBlock
from laws.models import Citation
from laws.selectors import citations_of
from people.factories import StaffFactory
from people.models import Role
from quizzes.factories import QuestionCategoryFactory, QuestionFactory
from quizzes.selectors import authoring_county

from ..quizzes.test_moodle_admin_form import _payload
from .conftest import TITLE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

KNOWN = f"《{TITLE}》第二条"
UNKNOWN = "《某不存在的条例》第三条"


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_every_save_in_the_editor_runs_the_citation_hook():
    for name, function in [
        ("after_create_page", wagtail_hooks.cite_after_page_create),
        ("after_edit_page", wagtail_hooks.cite_after_page_edit),
        ("after_create_snippet", wagtail_hooks.cite_after_snippet_create),
        ("after_edit_snippet", wagtail_hooks.cite_after_snippet_edit),
    ]:
        assert function in hooks.get_hooks(name)


def test_saving_a_question_in_the_admin_cites_its_explanation_and_warns_of_the_rest(
    client, sanitation_v2, city
):
    trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
    category = QuestionCategoryFactory(name="县题库", owner_unit=authoring_county(user=trainer))
    question = QuestionFactory(category=category, options=[("甲", True), ("乙", False)])
    question.options.all().delete()
    client.force_login(trainer)
    response = client.post(
        reverse("wagtailsnippets_quizzes_question:edit", args=[question.pk]),
        _payload(
            question,
            [("甲", True, None), ("乙", False, None)],
            explanation=f"依据：{KNOWN}；{UNKNOWN}。",
        ),
        follow=True,
    )
    assert response.status_code == 200
    (citation,) = citations_of(question)
    assert (citation.article.version, citation.article.number) == (sanitation_v2, 2)
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert any(UNKNOWN in text and KNOWN not in text for text in warnings), warnings


def test_saving_a_case_cites_its_legal_basis_once(sanitation_v2, city):
    case = CasePageFactory(
        parent=CaseLibraryPageFactory(),
        legal_basis=[
            ("provision", {"law": f"《{TITLE}》", "article": "第二条", "quote": "适用范围"}),
            ("provision", {"law": "《某不存在的条例》", "article": "第三条", "quote": ""}),
        ],
    )
    request = _request(StaffFactory(role=Role.TRAINER, unit=city["department1"]))
    wagtail_hooks.cite_after_page_edit(request, case)
    wagtail_hooks.cite_after_page_edit(request, case)  # a second save adds nothing
    assert [c.article.number for c in citations_of(case)] == [2]
    messages = [str(m) for m in get_messages(request)]
    assert len(messages) == 2 and all(UNKNOWN in text for text in messages)


def test_a_lesson_cites_the_article_picked_in_its_block(sanitation_v2, city):
    block = ArticleReferenceBlock()
    value = block.to_python({"law": TITLE, "number": 2, "suffix": None, "note": ""})
    assert block.clean(value)["number"] == 2
    with pytest.raises(StructBlockValidationError) as refused:
        block.clean(block.to_python({"law": TITLE, "number": 999, "suffix": None, "note": ""}))
    assert "第九百九十九条" in str(refused.value.block_errors["number"])
    assert (TITLE, TITLE) in block.child_blocks["law"].field.choices

    lesson = lesson_create(
        module=module_create(), body=[("law_article", value), ("text", "<p>无引用。</p>")]
    )
    request = _request(StaffFactory(role=Role.TRAINER, unit=city["department1"]))
    wagtail_hooks.cite_after_page_create(request, lesson)
    assert Citation.objects.get().article.number == 2
    assert not list(get_messages(request))
    html = lesson.body[0].render()
    assert f"《{TITLE}》第二条" in html and sanitation_v2.articles.get(number=2).text in html
