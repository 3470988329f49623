"""Demo training content for `seed_demo`: modules of all three kinds, lectures, placements,
field practice, the handbook, and a realistic spread of hours for the demo officers.

The modules and the handbook are Markdown files under demo/courses/ (see its README);
lectures, placements, field-practice sessions and the hours ledger are drawn here for
the demo officers, who are themselves generated. Idempotent: pages are found by slug,
rows by stable keys, hours by `demo:` evidence keys. The teaching text paraphrases the Administrative Penalty Law (《中华人民共和国行政处罚法》,
2021 revision) and common township enforcement practice; it is illustrative teaching
material, not an official text.
"""

import datetime
import random
import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from wagtail.documents.models import Document
from wagtail.models import Page

from laws.parsing import chinese_to_int
from people.demo import DemoDataError, demo_text, demo_texts
from people.models import OrgUnit, Role, UnitKind, User
from people.tabular import read_rows
from powers.models import EnforcementField, Power

from .factories import site_root
from .models import (
    ApplicationStatus,
    ChecklistItem,
    CountySectionPage,
    FieldPracticeParticipant,
    FieldPracticeSession,
    HandbookPage,
    HandbookSection,
    HandbookSectionPage,
    HourCategory,
    Lecture,
    LectureAttendance,
    LectureSignup,
    LessonPage,
    ModuleKind,
    ObservationKind,
    Placement,
    PlacementApplication,
    SignupStatus,
    TrainingIndexPage,
    TrainingModulePage,
    TrainingRecord,
    TrainingSource,
)
from .services.training import (
    checklist_items_ensure_defaults,
    county_section_ensure,
    moderation_workflow_ensure,
)

#: The demo's data files (demo/courses/): the modules, one Markdown file each (their
#: lessons are its `## slug：title（N分钟）` sections), and the handbook.
DATA = Path(settings.BASE_DIR) / "demo" / "courses"
#: 类型 and 学时类别 as a module file writes them.
KINDS = {
    "覆盖式": ModuleKind.COVERAGE,
    "观摩式": ModuleKind.OBSERVATION,
    "实战式": ModuleKind.FIELD_PRACTICE,
}
CATEGORIES = {
    "公共法律知识": HourCategory.PUBLIC_LAW,
    "专业知识": HourCategory.PROFESSIONAL,
    "执法技能": HourCategory.SKILLS,
}
#: 栏目 as a handbook file writes it.
SECTIONS = {
    "事项清单": HandbookSection.MATTERS,
    "岗位职责": HandbookSection.RESPONSIBILITIES,
    "执法流程": HandbookSection.PROCEDURES,
    "文书范本": HandbookSection.DOCUMENT_TEMPLATES,
    "制度范本": HandbookSection.SYSTEM_TEMPLATES,
}
#: 类别 of templates.csv → the template block's scope, and the section it is listed in.
TEMPLATE_SCOPES = {
    "文书范本": ("document", HandbookSection.DOCUMENT_TEMPLATES),
    "县级制度范本": ("county", HandbookSection.SYSTEM_TEMPLATES),
    "乡镇制度范本": ("township", HandbookSection.SYSTEM_TEMPLATES),
}
TEMPLATE_COLUMNS = {"文件": "file", "标题": "title", "类别": "kind"}
LESSON = re.compile(r"^([a-z0-9-]+)：(.+)（(\d+)分钟）$")
REFERENCE = re.compile(
    r"^《([^》]+)》第([零〇一二两三四五六七八九十百千]+)条(?:之([一二三四五六七八九十]+))?(?:：(.*))?$"
)
STEP = re.compile(r"^\d+\. ([^：]+)：(.*?)(?:（依据：([^）]*)）)?$")


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def _listed(chunk: str, marker: str) -> list[str]:
    return [line.strip() for line in chunk.splitlines() if line.startswith(marker)]


def _blocks(text: str, *, where: str, section: str = "") -> list[tuple]:
    """Stream blocks from a lesson or handbook text. Paragraphs in a row make one text
    block; `> 法名第X条：…` is a law callout and `> 提示：…` a tip; `### title` followed by a
    numbered list `1. step：detail（依据：…）` is a procedure. In the handbook, `### post`
    with a `- ` list is a post's duties, or under 事项清单 the codes of the powers listed."""
    blocks: list[tuple] = []
    paragraphs: list[str] = []
    heading = None
    for chunk in (c.strip() for c in text.split("\n\n")):
        if not chunk:
            continue
        if paragraphs and (chunk.startswith((">", "###")) or heading):
            blocks.append(("text", _p(*paragraphs)))
            paragraphs = []
        if heading is not None:
            if chunk.startswith("1. "):
                steps = []
                for line in _listed(chunk, tuple("123456789")):
                    match = STEP.match(line)
                    if match is None:
                        raise DemoDataError(
                            f"{where}: a step is written “1. 步骤：做法（依据：…）” — {line}"
                        )
                    title, detail, basis = match.groups()
                    steps.append(
                        {
                            "title": title,
                            "detail": _p(detail) if detail else "",
                            "legal_basis": basis or "",
                        }
                    )
                blocks.append(("procedure", {"title": heading, "steps": steps}))
            elif section == HandbookSection.MATTERS:
                codes = [item[2:] for item in _listed(chunk, "- ")]
                powers = (
                    Power.objects.filter(code__in=codes)
                    .select_related("field")
                    .in_bulk(field_name="code")
                )
                matters = [
                    {
                        "name": powers[code].name,
                        "field": powers[code].field.name,
                        "legal_basis": f"{powers[code].legal_basis_law}{powers[code].legal_basis_article}",
                        "note": "",
                    }
                    for code in codes
                    if code in powers
                ]
                blocks.append(("matters", {"title": heading, "matters": matters}))
            elif chunk.startswith("- "):
                duties = [item[2:] for item in _listed(chunk, "- ")]
                blocks.append(("responsibility", {"post": heading, "duties": duties}))
            else:
                raise DemoDataError(f"{where}: “### {heading}” is followed by a list")
            heading = None
        elif chunk.startswith("### "):
            heading = chunk[4:].strip()
        elif chunk.startswith("> "):
            title, _sep, body = chunk[2:].partition("：")
            if title == "引用":
                blocks.append(("law_article", _reference(body, where=where)))
            elif title == "提示":
                blocks.append(("callout", {"style": "tip", "title": "", "text": _p(body)}))
            else:
                blocks.append(("callout", {"style": "law", "title": title, "text": _p(body)}))
        else:
            paragraphs.append(chunk)
    if paragraphs:
        blocks.append(("text", _p(*paragraphs)))
    return blocks


def _reference(text: str, *, where: str) -> dict:
    """`《法名》第X条(之Y)(：why)` as an article block's value (law, number, suffix, note)."""
    match = REFERENCE.match(text.strip())
    if match is None:
        raise DemoDataError(
            f"{where}: a reference is written “> 引用：《法名》第X条：说明” — {text}"
        )
    law, number, suffix, note = match.groups()
    return {
        "law": law,
        "number": chinese_to_int(number),
        "suffix": chinese_to_int(suffix) if suffix else None,
        "note": note or "",
    }


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _child(parent: Page, model, slug: str):
    return model.objects.child_of(parent).filter(slug=slug).first()


def _codes(value: str) -> list[str]:
    return [code for code in value.split("、") if code]


def _seed_modules(index: TrainingIndexPage, py_section: CountySectionPage) -> dict:
    """Each module file in name order (the number before its slug orders them); coverage
    modules under the index, the others in the 濮阳县 section."""
    modules = {}
    fields = {f.name: f for f in EnforcementField.objects.all()}
    for path in demo_texts(DATA / "modules"):
        slug = path.stem.split("-", 1)[1]
        text = demo_text(path)
        kind = KINDS.get(text.get("类型"))
        category = CATEGORIES.get(text.get("学时类别"))
        if kind is None or category is None:
            raise DemoDataError(f"{path.name}: unknown 类型 or 学时类别")
        parent = index if kind == ModuleKind.COVERAGE else py_section
        module = _child(parent, TrainingModulePage, slug)
        if module is None:
            summary = text.sections[""]
            module = TrainingModulePage(
                title=text.get("标题"),
                slug=slug,
                kind=kind,
                credit_hours=Decimal(text.get("学时")),
                category=category,
                summary=summary,
                body=[("text", _p(summary))],
            )
            parent.add_child(instance=module)
            module.fields.set(
                [fields[name] for name in _codes(text.meta.get("执法领域", "")) if name in fields]
            )
            module.powers.set(Power.objects.filter(code__in=_codes(text.meta.get("事项编码", ""))))
            module.save_revision().publish()
            for heading, body in text.sections.items():
                if not heading:
                    continue
                match = LESSON.match(heading)
                if match is None:
                    raise DemoDataError(
                        f"{path.name}: a lesson is headed “## slug：标题（N分钟）” — {heading}"
                    )
                lesson_slug, lesson_title, minutes = match.groups()
                _publish(
                    module,
                    LessonPage(
                        title=lesson_title,
                        slug=lesson_slug,
                        min_study_minutes=int(minutes),
                        body=_blocks(body, where=path.name),
                    ),
                )
        modules[slug] = module
    return modules


def _documents() -> dict[HandbookSection, list[tuple]]:
    """The downloadable templates of templates.csv as template blocks, by handbook section;
    each file of templates/ becomes a Wagtail document once (found again by title)."""
    path = DATA / "handbook" / "templates.csv"
    rows = read_rows(
        path, filename=path.name, aliases=TEMPLATE_COLUMNS, required=list(TEMPLATE_COLUMNS.values())
    )
    blocks: dict[HandbookSection, list[tuple]] = {}
    for row in rows:
        if row.get("kind") not in TEMPLATE_SCOPES:
            raise DemoDataError(
                f"templates.csv, row {row.number}: unknown 类别 “{row.get('kind')}”"
            )
        scope, section = TEMPLATE_SCOPES[row.get("kind")]
        title = row.get("title")
        document = Document.objects.filter(title=title).first()
        if document is None:
            document = Document(title=title)
            content = (DATA / "handbook" / "templates" / row.get("file")).read_bytes()
            document.file.save(row.get("file"), ContentFile(content), save=False)
            document.save()
        value = {"document": document, "title": title, "scope": scope, "description": ""}
        blocks.setdefault(section, []).append(("template", value))
    return blocks


def _seed_handbook(root: Page) -> HandbookPage:
    handbook = _child(root, HandbookPage, "handbook")
    if handbook is None:
        text = demo_text(DATA / "handbook" / "_handbook.md")
        handbook = _publish(
            root,
            HandbookPage(title=text.get("标题"), slug="handbook", intro=_p(text.sections[""])),
        )
    documents = _documents()
    for path in demo_texts(DATA / "handbook"):
        slug = path.stem.split("-", 1)[1]
        if _child(handbook, HandbookSectionPage, slug) is not None:
            continue
        text = demo_text(path)
        section = SECTIONS.get(text.get("栏目"))
        if section is None:
            raise DemoDataError(f"{path.name}: unknown 栏目 “{text.get('栏目')}”")
        intro, _sep, body = text.sections[""].partition("\n\n")
        _publish(
            handbook,
            HandbookSectionPage(
                title=text.get("标题"),
                slug=slug,
                section=section,
                intro=intro,
                body=_blocks(body, where=path.name, section=section) + documents.get(section, []),
            ),
        )
    return handbook


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _seed_lectures(units, modules, trainer: User, officers: list[User]) -> None:
    today = timezone.localdate()
    county = units["PY-PY"]
    specs = [
        ("《行政处罚法》新修订要点解读", today - datetime.timedelta(days=20), 60, "县委党校报告厅"),
        ("行政执法证据的收集与审查", today + datetime.timedelta(days=5), 40, "县司法局三楼会议室"),
        (
            "乡镇新承接交通运输事项专题讲座",
            today + datetime.timedelta(days=12),
            2,
            "县交通运输局会议室",
        ),
    ]
    for title, day, capacity, place in specs:
        lecture = Lecture.objects.filter(title=title).first()
        if lecture is None:
            lecture = Lecture(
                title=title,
                module=modules["penalty-procedure"],
                county=county,
                lecturer=trainer,
                lecturer_name="河南大学法学院 王教授"
                if "修订" in title
                else trainer.get_full_name(),
                place=place,
                starts_at=_aware(day, 9),
                ends_at=_aware(day, 12),
                capacity=capacity,
                hours=Decimal("3.0"),
                category=HourCategory.PUBLIC_LAW,
            )
            lecture.save()
        if lecture.signups.exists():
            continue
        now = timezone.now()
        attendees = officers[: min(len(officers), capacity + 1)]
        signups = []
        for position, officer in enumerate(attendees):
            status = SignupStatus.CONFIRMED if position < capacity else SignupStatus.WAITING
            signups.append(
                LectureSignup(
                    lecture=lecture,
                    officer=officer,
                    status=status,
                    signed_up_at=now,
                    changed_at=now,
                )
            )
        LectureSignup.objects.bulk_create(signups)
        if day < today:
            for officer in attendees[:capacity]:
                attendance = LectureAttendance.objects.create(
                    lecture=lecture,
                    officer=officer,
                    method="roster",
                    recorded_by=trainer,
                    recorded_at=lecture.ends_at,
                )
                TrainingRecord.objects.create(
                    officer=officer,
                    hours=lecture.hours,
                    category=lecture.category,
                    source=TrainingSource.LECTURE,
                    completed_on=day,
                    title=lecture.title,
                    approved_by=trainer,
                    evidence=attendance,
                    evidence_key=f"lecture:{lecture.pk}",
                )


def _seed_placements(
    units, modules, trainer: User, host_court: User | None, officers: list[User]
) -> None:
    today = timezone.localdate()
    specs = [
        (
            "观摩：某镇政府被诉行政处罚案庭审",
            "PY-PY-FY",
            ObservationKind.HEARING,
            today + datetime.timedelta(days=9),
            "原告不服镇人民政府对其违法占地建房作出的行政处罚决定提起诉讼，观摩举证、质证和法庭辩论。",
            "court-hearing-observation",
        ),
        (
            "观摩：占道经营案件办理全过程",
            "PY-PY-CGJ",
            ObservationKind.CASE,
            today + datetime.timedelta(days=16),
            "跟随县城市管理局执法队办理城区占道经营案件，从现场检查到送达处罚决定书。",
            "department-case-observation",
        ),
        (
            "观摩：行政诉讼庭审（已结束）",
            "PY-PY-FY",
            ObservationKind.HEARING,
            today - datetime.timedelta(days=14),
            "行政机关负责人出庭应诉案件庭审观摩。",
            "court-hearing-observation",
        ),
    ]
    for title, unit_code, kind, day, subject, module_slug in specs:
        placement, created = Placement.objects.get_or_create(
            title=title,
            defaults={
                "module": modules[module_slug],
                "host_unit": units[unit_code],
                "observe_kind": kind,
                "subject": subject,
                "place": units[unit_code].name,
                "held_on": day,
                "capacity": 8,
                "hours": Decimal("4.0"),
                "category": HourCategory.SKILLS,
            },
        )
        if not created or day >= today:
            continue
        now = timezone.now()
        for officer in officers[:3]:
            PlacementApplication.objects.create(
                placement=placement,
                officer=officer,
                status=ApplicationStatus.ATTENDED,
                applied_at=now - datetime.timedelta(days=20),
                decided_by=trainer,
                decided_at=now - datetime.timedelta(days=19),
                attendance_confirmed_by=host_court or trainer,
                attendance_confirmed_at=now - datetime.timedelta(days=14),
            )


def _seed_field_practice(units, modules, trainer: User, officers: list[User]) -> None:
    if (
        FieldPracticeSession.objects.filter(case_reference__startswith="濮城关").exists()
        or len(officers) < 2
    ):
        return
    power = Power.objects.filter(code="PY2023-ZR-01").first()
    if power is None:
        return
    checklist_items_ensure_defaults()
    items = list(ChecklistItem.objects.filter(active=True))
    today = timezone.localdate()
    held_on = (
        min(today, power.withdrawn_on - datetime.timedelta(days=30))
        if power.withdrawn_on
        else today
    )
    now = timezone.now()
    for number, (signed, acknowledged) in enumerate(
        [(True, True), (True, False), (False, False)], start=1
    ):
        session = FieldPracticeSession.objects.create(
            module=modules["field-practice-land"],
            power=power,
            case_reference=f"濮城关执法〔{held_on.year}〕{number:02d}号",
            held_on=held_on - datetime.timedelta(days=7 * number),
            place="城关镇后寨村",
            hours=Decimal("4.0"),
            category=HourCategory.SKILLS,
            recorded_by=trainer,
            recorded_at=now,
            signed_by=trainer if signed else None,
            signed_at=now if signed else None,
        )
        session.specialists.add(trainer)
        for officer in officers[:2]:
            participant = FieldPracticeParticipant.objects.create(
                session=session,
                officer=officer,
                evaluated_at=now if signed else None,
                acknowledged_at=now if acknowledged else None,
            )
            if signed:
                from .models import ChecklistRating

                ChecklistRating.objects.bulk_create(
                    [
                        ChecklistRating(
                            participant=participant,
                            item=item,
                            rating=3 + (item.pk + number) % 3,
                            comment="现场表现规范",
                        )
                        for item in items
                    ]
                )
            if acknowledged:
                TrainingRecord.objects.create(
                    officer=officer,
                    hours=session.hours,
                    category=session.category,
                    source=TrainingSource.FIELD_PRACTICE,
                    completed_on=session.held_on,
                    title=f"实战带教：{power.name}（{session.case_reference}）",
                    approved_by=trainer,
                    evidence=participant,
                    evidence_key=f"field_practice:{session.pk}",
                )


HOUR_TITLES = {
    TrainingSource.ONLINE: [
        "行政处罚法：决定程序",
        "行政执法证据规则",
        "乡镇常见执法事项（分领域）",
    ],
    TrainingSource.LECTURE: ["《行政处罚法》新修订要点解读", "依法行政专题讲座"],
    TrainingSource.OBSERVATION: ["行政诉讼庭审观摩"],
    TrainingSource.FIELD_PRACTICE: ["实战带教：违法占地案件查处"],
    TrainingSource.EXTERNAL: ["全省乡镇综合执法人员轮训班", "市司法局行政执法人员培训"],
}
SOURCE_CATEGORY = {
    TrainingSource.ONLINE: [HourCategory.PUBLIC_LAW, HourCategory.PROFESSIONAL],
    TrainingSource.LECTURE: [HourCategory.PUBLIC_LAW],
    TrainingSource.OBSERVATION: [HourCategory.SKILLS],
    TrainingSource.FIELD_PRACTICE: [HourCategory.SKILLS],
    TrainingSource.EXTERNAL: [
        HourCategory.PUBLIC_LAW,
        HourCategory.PROFESSIONAL,
        HourCategory.SKILLS,
    ],
}


def seed_hours(*, today: datetime.date | None = None) -> int:
    """A realistic spread of approved hours for every demo officer, this year and last.

    Last year most officers met the 60 hours; this year, pro rata to the date, about a
    third are on track, most are behind, and a few have barely started. Bulk-created;
    officers who already have demo hours are skipped. Returns how many rows were added.
    """
    today = today or timezone.localdate()
    done = set(
        TrainingRecord.objects.filter(evidence_key__startswith="demo:").values_list(
            "officer_id", flat=True
        )
    )
    officers = list(
        User.objects.filter(
            username__startswith="officer",
            roles__role=Role.OFFICER,
        )
        .exclude(pk__in=done)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rng = random.Random(20260101)
    sources = list(HOUR_TITLES)
    weights = [45, 20, 8, 7, 20]
    fraction = (today.timetuple().tm_yday) / 365
    rows = []
    for officer_id in officers:
        for year, target in (
            (today.year - 1, rng.choice([48, 56, 60, 62, 64, 66, 70, 72])),
            (today.year, int(rng.choice([0.2, 0.5, 0.7, 0.85, 1.0, 1.05, 1.15]) * 60 * fraction)),
        ):
            last_day = datetime.date(year, 12, 31) if year < today.year else today
            span = (last_day - datetime.date(year, 1, 1)).days
            total = 0.0
            n = 0
            while total < target:
                n += 1
                hours = rng.choice([1.0, 1.5, 2.0, 3.0, 4.0, 4.0, 6.0])
                source = rng.choices(sources, weights)[0]
                rows.append(
                    TrainingRecord(
                        officer_id=officer_id,
                        hours=Decimal(str(hours)),
                        category=rng.choice(SOURCE_CATEGORY[source]),
                        source=source,
                        completed_on=datetime.date(year, 1, 1)
                        + datetime.timedelta(days=rng.randint(0, max(span, 0))),
                        title=rng.choice(HOUR_TITLES[source]),
                        evidence_key=f"demo:{year}:{officer_id}:{n}",
                    )
                )
                total += hours
    TrainingRecord.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def _place_practice_quiz(modules: dict, quiz) -> None:
    """Put the demo practice quiz at the end of the first lesson of the first coverage module."""
    coverage = [m for m in modules.values() if m.kind == ModuleKind.COVERAGE]
    if not coverage:
        return
    lesson = LessonPage.objects.child_of(coverage[0]).order_by("path").first()
    if lesson is None or any(block.block_type == "quiz" for block in lesson.body):
        return
    lesson.body.append(("quiz", {"quiz": quiz, "intro": "学完本课，做一组练习题检验一下。"}))
    lesson.save_revision().publish()


def seed_training(*, units: dict[str, OrgUnit], practice_quiz=None) -> dict:
    """Build the demo training content on top of the demo city (`people.demo`, `powers.demo`).

    Call after `seed_staff` and `seed_catalogue` (and `seed_quizzes`, whose practice quiz
    is placed in the first lesson when given as `practice_quiz`). Returns the main pages for the caller's
    summary. Everything is found before it is made, so running it again adds nothing.
    """
    root = site_root()
    index = _child(root, TrainingIndexPage, "modules")
    if index is None:
        text = demo_text(DATA / "modules" / "_index.md")
        index = _publish(
            root,
            TrainingIndexPage(title=text.get("标题"), slug="modules", intro=_p(text.sections[""])),
        )
    checklist_items_ensure_defaults()
    sections = {}
    for county in OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("code"):
        sections[county.code] = county_section_ensure(county=county, index=index)
    moderation_workflow_ensure(root=root)
    py_section = sections.get("PY-PY") or next(iter(sections.values()))
    modules = _seed_modules(index, py_section)
    if practice_quiz is not None:
        _place_practice_quiz(modules, practice_quiz)
    handbook = _seed_handbook(root)

    trainer = User.objects.filter(username="trainer_py").first()
    host_court = User.objects.filter(username="host_court").first()
    township = units.get("PY-PY-T01")
    officers = (
        list(User.objects.filter(unit=township, roles__role=Role.OFFICER).order_by("username")[:12])
        if township
        else []
    )
    if trainer is not None and officers:
        _seed_lectures(units, modules, trainer, officers)
        _seed_placements(units, modules, trainer, host_court, officers)
        _seed_field_practice(units, modules, trainer, officers)
    hours = seed_hours()
    return {"index": index, "handbook": handbook, "modules": modules, "hours_rows": hours}


__all__ = ["seed_training", "seed_hours"]
