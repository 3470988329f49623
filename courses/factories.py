"""factory_boy factories and page builders for the training area (tests, demo, the shell)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from wagtail.models import Page, Site

import factory
from factory.django import DjangoModelFactory

from .models import (
    HandbookPage,
    Lecture,
    LessonPage,
    ModuleKind,
    ObservationKind,
    Placement,
    TrainingIndexPage,
    TrainingModulePage,
)


def site_root() -> Page:
    """The default site's root page (Wagtail's welcome page at depth 2)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page
    return Page.objects.get(depth=2)


def training_index(*, slug: str = "modules", title: str = "培训课程") -> TrainingIndexPage:
    existing = TrainingIndexPage.objects.first()
    if existing is not None:
        return existing
    index = TrainingIndexPage(title=title, slug=slug)
    site_root().add_child(instance=index)
    return index


def handbook(*, slug: str = "handbook", title: str = "规范化建设指导手册") -> HandbookPage:
    existing = HandbookPage.objects.first()
    if existing is not None:
        return existing
    page = HandbookPage(title=title, slug=slug)
    site_root().add_child(instance=page)
    return page


_counter = {"n": 0}


def _slug(prefix: str) -> str:
    _counter["n"] += 1
    return f"{prefix}-{_counter['n']}"


def module_create(
    *,
    parent: Page | None = None,
    kind: str = ModuleKind.COVERAGE,
    title: str = "行政处罚法基础",
    credit_hours=Decimal("2.0"),
    category: str = "public_law",
    slug: str | None = None,
    powers=(),
    fields=(),
    **kwargs,
) -> TrainingModulePage:
    parent = parent or training_index()
    module = TrainingModulePage(
        title=title,
        slug=slug or _slug("module"),
        kind=kind,
        credit_hours=credit_hours,
        category=category,
        **kwargs,
    )
    parent.add_child(instance=module)
    if powers:
        module.powers.set(powers)
    if fields:
        module.fields.set(fields)
    if powers or fields:
        module.save()
    return module


def lesson_create(
    *,
    module: TrainingModulePage,
    title: str = "第一课",
    min_study_minutes: int = 10,
    required: bool = True,
    body=None,
    slug: str | None = None,
) -> LessonPage:
    lesson = LessonPage(
        title=title,
        slug=slug or _slug("lesson"),
        min_study_minutes=min_study_minutes,
        required=required,
        body=body
        if body is not None
        else [("text", "<p>《中华人民共和国行政处罚法》第四十四条。</p>")],
    )
    module.add_child(instance=lesson)
    return lesson


class LectureFactory(DjangoModelFactory):
    class Meta:
        model = Lecture

    title = factory.Sequence(lambda n: f"行政处罚法专题讲座{n}")
    lecturer_name = "张教授"
    place = "县委党校报告厅"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    capacity = 30
    hours = Decimal("3.0")
    category = "public_law"


class PlacementFactory(DjangoModelFactory):
    class Meta:
        model = Placement

    title = factory.Sequence(lambda n: f"行政诉讼庭审观摩{n}")
    observe_kind = ObservationKind.HEARING
    subject = "某镇政府被诉行政处罚案件公开庭审"
    place = "县人民法院第一审判庭"
    held_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    capacity = 10
    hours = Decimal("4.0")
    category = "skills"
