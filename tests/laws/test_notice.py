"""Officers reading a case or a lesson that cites a changed article are told so."""

import datetime

from django.urls import reverse

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from courses.factories import lesson_create, module_create
from laws import services as laws
from laws.models import ArticleChange
from people.factories import OfficerFactory

from .conftest import TITLE, V2_EFFECTIVE

pytestmark = pytest.mark.django_db

BEFORE = V2_EFFECTIVE - datetime.timedelta(days=1)


@pytest.fixture
def officer(city):
    return OfficerFactory(unit=city["township11"])


def test_a_case_citing_an_amended_article_names_it_with_the_date_and_the_diff(
    client, officer, sanitation_v2, reviewer
):
    case = CasePageFactory(parent=CaseLibraryPageFactory(), title="某镇堆放杂物案")
    quiet = CasePageFactory(parent=case.get_parent(), title="某镇乱扔烟头案")
    citation = laws.citation_add(obj=case, title=TITLE, number=2, on=BEFORE)
    laws.citation_add(obj=quiet, title=TITLE, number=1, on=BEFORE)  # unchanged
    change = ArticleChange.objects.get(old_article=citation.article)
    client.force_login(officer)
    html = client.get(case.url).content.decode()
    assert "law-notice" in html
    assert "第二条" in html and V2_EFFECTIVE.strftime("%Y-%m-%d") in html
    assert reverse("laws:change", args=[change.pk]) in html
    assert "law-notice" not in client.get(quiet.url).content.decode()
    # Once a trainer has reviewed the case, the notice is gone.
    laws.citation_review(citation=citation, actor=reviewer, decision="update")
    assert "law-notice" not in client.get(case.url).content.decode()


def test_a_lesson_citing_an_amended_article_shows_the_notice(client, officer, sanitation_v2):
    lesson = lesson_create(module=module_create())
    change = ArticleChange.objects.get(new_version=sanitation_v2, new_article__number=2)
    laws.citation_add(obj=lesson, title=TITLE, number=2, on=BEFORE)
    client.force_login(officer)
    html = client.get(lesson.url).content.decode()
    assert reverse("laws:change", args=[change.pk]) in html


def test_before_the_new_version_takes_effect_there_is_no_notice(client, officer, sanitation_v1):
    from laws.services import law_version_import

    from .conftest import text_of

    case = CasePageFactory(parent=CaseLibraryPageFactory())
    laws.citation_add(obj=case, title=TITLE, number=2, on=BEFORE)
    law_version_import(
        title=TITLE,
        text=text_of("sanitation_2024.md"),
        promulgated_on=datetime.date(2030, 1, 1),
        effective_on=datetime.date(2030, 6, 1),
    )
    client.force_login(officer)
    assert "law-notice" not in client.get(case.url).content.decode()
