"""The handbook section pages and the demo training content."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone, translation

from wagtail.documents.models import Document

import pytest

from courses.factories import handbook
from courses.models import (
    HandbookSectionPage,
    Lecture,
    LessonPage,
    ModuleKind,
    Placement,
    TrainingModulePage,
    TrainingRecord,
)


@pytest.mark.django_db
def test_handbook_sections_render_ordered_steps_and_downloadable_templates(client):
    document = Document(title="行政处罚决定书（范本）")
    document.file.save("jueding.txt", ContentFile("范本".encode()), save=False)
    document.save()
    book = handbook()
    section = HandbookSectionPage(
        title="执法流程",
        slug="procedures",
        section="procedures",
        body=[
            (
                "procedure",
                {
                    "title": "一般程序",
                    "steps": [
                        {"title": "立案", "detail": "<p>立案审批</p>", "legal_basis": "第五十四条"},
                        {"title": "调查取证", "detail": "", "legal_basis": ""},
                    ],
                },
            ),
            (
                "template",
                {"document": document, "title": "", "scope": "document", "description": ""},
            ),
        ],
    )
    book.add_child(instance=section)
    body = client.get(section.url).content.decode()
    assert body.index("立案") < body.index("调查取证")
    assert '<ol class="steps">' in body
    assert document.url in body and "download" in body
    assert "执法流程" in client.get(book.url).content.decode()


@pytest.mark.django_db
def test_seed_training_builds_all_three_kinds_and_is_idempotent(client):
    from courses.demo import seed_training
    from people import demo as people_demo
    from powers import demo as powers_demo

    units = people_demo.seed_org_tree()
    people_demo.seed_officers(units)
    people_demo.seed_staff(units)
    powers_demo.seed_catalogue(city=units["PY"])
    seed_training(units=units)
    kinds = set(TrainingModulePage.objects.live().values_list("kind", flat=True))
    assert kinds == set(ModuleKind.values)
    assert LessonPage.objects.live().count() >= 10
    assert Lecture.objects.exists() and Placement.objects.exists()
    records = TrainingRecord.objects.count()
    officers_with_hours = TrainingRecord.objects.values("officer").distinct().count()
    assert officers_with_hours == 1108
    this_year = TrainingRecord.objects.filter(completed_on__year=timezone.localdate().year)
    assert this_year.exists()
    assert all(h % Decimal("0.5") == 0 for h in this_year.values_list("hours", flat=True)[:200])

    seed_training(units=units)
    assert TrainingRecord.objects.count() == records
    assert TrainingModulePage.objects.count() == len(
        set(TrainingModulePage.objects.values_list("slug", flat=True))
    )
    assert client.get("/modules/penalty-procedure/").status_code == 200


@pytest.mark.django_db
def test_header_links_follow_publishing(client):
    """The header links to the live content pages, and drops one as soon as it is unpublished."""
    from courses.factories import site_root
    from courses.models import TrainingIndexPage
    from courses.templatetags.nav_tags import content_nav_pages

    index = TrainingIndexPage(title="培训课程", slug="modules")
    site_root().add_child(instance=index)
    index.save_revision().publish()
    assert ("培训课程", index.url) in content_nav_pages()
    index.unpublish()
    assert all(url != index.url for _label, url in content_nav_pages())


@pytest.mark.django_db
def test_header_links_and_hour_categories_speak_english_in_english(client, city):
    """In English the header names the content pages by kind, and hour categories carry no
    Chinese in brackets (the page titles themselves are written in Chinese)."""
    from cases.factories import CaseLibraryPageFactory
    from courses.factories import site_root
    from courses.models import HandbookPage, HourCategory, TrainingIndexPage
    from people.factories import OfficerFactory

    for page in (
        TrainingIndexPage(title="培训课程", slug="modules"),
        HandbookPage(title="乡镇综合行政执法规范化建设指导手册", slug="handbook"),
    ):
        site_root().add_child(instance=page)
        page.save_revision().publish()
    CaseLibraryPageFactory(title="以案说法")
    client.force_login(OfficerFactory(unit=city["township11"]))
    client.cookies["django_language"] = "en"
    html = client.get("/powers/").content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    for english in ("Training", "Case library", "Handbook"):
        assert f">{english}</a>" in nav
    for chinese in ("培训课程", "以案说法", "指导手册"):
        assert chinese not in nav
    with translation.override("en"):
        assert [str(label) for label in HourCategory.labels] == [
            "Public law knowledge",
            "Professional knowledge",
            "Enforcement skills",
        ]
    with translation.override("zh-hans"):
        assert [str(label) for label in HourCategory.labels] == [
            "公共法律知识",
            "业务知识",
            "执法技能",
        ]
