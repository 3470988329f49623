"""Demo training content for `seed_demo`: modules of all three kinds, lectures, placements,
field practice, the handbook, and a realistic spread of hours for the demo officers.

Idempotent: pages are found by slug, rows by stable keys, hours by `demo:` evidence keys.
The teaching text paraphrases the Administrative Penalty Law (《中华人民共和国行政处罚法》,
2021 revision) and common township enforcement practice; it is illustrative teaching
material, not an official text.
"""

import datetime
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from wagtail.documents.models import Document
from wagtail.models import Page

from people.models import OrgUnit, Role, UnitKind, User
from powers.models import EnforcementField, Power

from .factories import site_root
from .models import (
    ApplicationStatus,
    ChecklistItem,
    CountySectionPage,
    FieldPracticeParticipant,
    FieldPracticeSession,
    HandbookPage,
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


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def _law(title: str, text: str) -> tuple:
    return ("callout", {"style": "law", "title": title, "text": _p(text)})


def _tip(text: str) -> tuple:
    return ("callout", {"style": "tip", "title": "", "text": _p(text)})


def _steps(title: str, steps: list[tuple[str, str, str]]) -> tuple:
    return (
        "procedure",
        {
            "title": title,
            "steps": [
                {"title": step, "detail": _p(detail), "legal_basis": basis}
                for step, detail, basis in steps
            ],
        },
    )


# (slug, title, kind, hours, category, field codes, power codes, summary, lessons)
# lessons: (slug, title, minutes, body)
MODULES = [
    (
        "penalty-procedure",
        "行政处罚法：决定程序",
        ModuleKind.COVERAGE,
        "6.0",
        HourCategory.PUBLIC_LAW,
        [],
        [],
        "行政处罚的种类与设定、简易程序、普通程序、听证程序和执行，乡镇执法人员必修。",
        [
            (
                "kinds",
                "行政处罚的种类和设定",
                10,
                [
                    (
                        "text",
                        _p(
                            "行政处罚是行政机关依法对违反行政管理秩序的公民、法人或者其他组织，"
                            "以减损权益或者增加义务的方式予以惩戒的行为。",
                            "乡镇（街道）依法承接的行政处罚权，只能在赋权清单范围内行使；"
                            "清单之外的事项，仍由县级主管部门管辖。",
                        ),
                    ),
                    _law(
                        "《行政处罚法》第九条",
                        "行政处罚的种类：（一）警告、通报批评；（二）罚款、没收违法所得、没收非法财物；"
                        "（三）暂扣许可证件、降低资质等级、吊销许可证件；（四）限制开展生产经营活动、"
                        "责令停产停业、责令关闭、限制从业；（五）行政拘留；（六）法律、行政法规规定的其他行政处罚。",
                    ),
                    _law(
                        "《行政处罚法》第二十四条",
                        "省、自治区、直辖市根据当地实际情况，可以决定将基层管理迫切需要的县级人民政府部门的"
                        "行政处罚权交由能够有效承接的乡镇人民政府、街道办事处行使，并定期组织评估。",
                    ),
                    _tip("行政拘留只能由公安机关行使，乡镇综合执法不涉及。"),
                ],
            ),
            (
                "simple-procedure",
                "简易程序：当场作出行政处罚决定",
                10,
                [
                    _law(
                        "《行政处罚法》第五十一条",
                        "违法事实确凿并有法定依据，对公民处以二百元以下、对法人或者其他组织处以三千元以下"
                        "罚款或者警告的行政处罚的，可以当场作出行政处罚决定。法律另有规定的，从其规定。",
                    ),
                    _steps(
                        "当场处罚的步骤",
                        [
                            ("表明身份", "向当事人出示执法证件。", "《行政处罚法》第五十二条"),
                            (
                                "告知",
                                "告知当事人拟作出处罚的事实、理由和依据，以及陈述、申辩的权利。",
                                "第四十四条",
                            ),
                            (
                                "听取陈述申辩",
                                "认真听取并记录，当事人提出的事实、理由成立的，应当采纳。",
                                "第四十五条",
                            ),
                            (
                                "填写决定书",
                                "填写预定格式、编有号码的行政处罚决定书，当场交付当事人。",
                                "第五十二条",
                            ),
                            ("备案", "当场作出的处罚决定，报所属行政机关备案。", "第五十二条"),
                        ],
                    ),
                ],
            ),
            (
                "ordinary-procedure",
                "普通程序：立案、调查、审核与决定",
                15,
                [
                    (
                        "text",
                        _p(
                            "除可以当场作出的行政处罚外，行政机关发现公民、法人或者其他组织有依法应当给予"
                            "行政处罚的行为的，必须全面、客观、公正地调查，收集有关证据。",
                            "普通程序一般包括：立案、调查取证、案件审核（法制审核）、告知、陈述申辩或听证、"
                            "决定、送达、执行。",
                        ),
                    ),
                    _law(
                        "《行政处罚法》第五十八条",
                        "有下列情形之一，在行政机关负责人作出行政处罚的决定之前，应当由从事行政处罚决定法制"
                        "审核的人员进行法制审核；未经法制审核或者审核未通过的，不得作出决定：涉及重大公共利益的；"
                        "直接关系当事人或者第三人重大权益，经过听证程序的；案件情况疑难复杂、涉及多个法律关系的。",
                    ),
                    _law(
                        "《行政处罚法》第六十条",
                        "行政机关应当自行政处罚案件立案之日起九十日内作出行政处罚决定。",
                    ),
                ],
            ),
            (
                "hearing",
                "听证程序",
                10,
                [
                    _law(
                        "《行政处罚法》第六十三条",
                        "行政机关拟作出较大数额罚款、没收较大数额违法所得、没收较大价值非法财物、降低资质等级、"
                        "吊销许可证件、责令停产停业、责令关闭、限制从业等行政处罚决定，应当告知当事人有要求听证的权利。",
                    ),
                    _tip(
                        "当事人要求听证的，应当在行政机关告知后五日内提出；听证应当在举行七日前通知当事人。"
                    ),
                ],
            ),
            (
                "enforcement",
                "行政处罚决定的执行",
                10,
                [
                    (
                        "text",
                        _p(
                            "当事人应当自收到行政处罚决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款。",
                            "作出罚款决定的行政机关应当与收缴罚款的机构分离，除依法当场收缴的罚款外，执法人员不得自行收缴罚款。",
                        ),
                    ),
                    _law(
                        "《行政处罚法》第七十二条",
                        "当事人逾期不履行行政处罚决定的，作出行政处罚决定的行政机关可以每日按罚款数额的百分之三加处罚款，"
                        "加处罚款的数额不得超出罚款的数额；依法申请人民法院强制执行。",
                    ),
                ],
            ),
        ],
    ),
    (
        "evidence-rules",
        "行政执法证据规则",
        ModuleKind.COVERAGE,
        "4.0",
        HourCategory.PROFESSIONAL,
        [],
        [],
        "证据的种类、调查取证的要求、执法全过程记录和非法证据排除。",
        [
            (
                "kinds-of-evidence",
                "证据的种类",
                10,
                [
                    _law(
                        "《行政处罚法》第四十六条",
                        "证据包括：书证；物证；视听资料；电子数据；证人证言；当事人的陈述；鉴定意见；勘验笔录、现场笔录。"
                        "证据必须经查证属实，方可作为认定案件事实的根据。以非法手段取得的证据，不得作为认定案件事实的根据。",
                    ),
                ],
            ),
            (
                "collecting",
                "调查取证：两人执法与现场笔录",
                15,
                [
                    _law(
                        "《行政处罚法》第四十二条",
                        "行政处罚应当由具有行政执法资格的执法人员实施。执法人员不得少于两人，法律另有规定的除外。",
                    ),
                    _steps(
                        "现场检查取证",
                        [
                            (
                                "出示证件",
                                "两名以上持证执法人员到场，出示行政执法证。",
                                "第五十五条",
                            ),
                            (
                                "制作现场笔录",
                                "如实记录时间、地点、在场人员和现场情况，由当事人签名；拒绝签名的注明情况。",
                                "",
                            ),
                            (
                                "拍照录像",
                                "开启执法记录仪，对现场状况、违法物品进行全程记录。",
                                "第四十七条",
                            ),
                            (
                                "先行登记保存",
                                "证据可能灭失或者以后难以取得时，经负责人批准可以先行登记保存，七日内作出处理决定。",
                                "第五十六条",
                            ),
                        ],
                    ),
                ],
            ),
            (
                "recording",
                "执法全过程记录",
                10,
                [
                    _law(
                        "《行政处罚法》第四十七条",
                        "行政机关应当依法以文字、音像等形式，对行政处罚的启动、调查取证、审核、决定、送达、执行等进行"
                        "全过程记录，归档保存。",
                    ),
                    _tip("执法记录仪的原始视频应当当天导出、不得剪辑，按案件编号归档。"),
                ],
            ),
        ],
    ),
    (
        "township-matters",
        "乡镇常见执法事项（分领域）",
        ModuleKind.COVERAGE,
        "4.0",
        HourCategory.PROFESSIONAL,
        ["natural_resources", "ecology", "urban", "water", "agriculture"],
        ["PY2023-ZR-01", "PY2023-ST-04", "PY2023-CG-07", "PY2023-SL-02", "PY2023-NY-08"],
        "自然资源、生态环境、城市管理、水利、农业农村五个领域中乡镇最常遇到的违法行为及其查处要点。",
        [
            (
                "land",
                "自然资源：农村村民非法占地建住宅",
                10,
                [
                    (
                        "text",
                        _p(
                            "农村村民未经批准或者采取欺骗手段骗取批准，非法占用土地建住宅的，由县级以上人民政府"
                            "农业农村主管部门责令退还非法占用的土地，限期拆除在非法占用的土地上新建的房屋。",
                            "查处要点：核实宅基地审批手续、测量占地面积、确认是否占用耕地，拍照固定现场。",
                        ),
                    ),
                    _law(
                        "《土地管理法》第七十八条",
                        "超过省、自治区、直辖市规定的标准，多占的土地以非法占用土地论处。",
                    ),
                ],
            ),
            (
                "burning",
                "生态环境：露天烧烤与露天焚烧",
                10,
                [
                    (
                        "text",
                        _p(
                            "在当地人民政府禁止的区域内露天烧烤食品或者为露天烧烤食品提供场地的，责令改正，"
                            "没收烧烤工具和违法所得，并处五百元以上二万元以下的罚款。",
                        ),
                    ),
                    _tip("夏秋两季是秸秆焚烧高发期，巡查时注意先制止、后取证。"),
                ],
            ),
            (
                "street-stalls",
                "城市管理：占道经营与乱堆乱放",
                10,
                [
                    (
                        "text",
                        _p(
                            "未经批准在街道两侧和公共场地堆放物料、搭建建筑物、构筑物或者其他设施的，责令限期改正，"
                            "可以处以罚款。执法中应坚持教育与处罚相结合，首次轻微违法可依法不予处罚。",
                        ),
                    ),
                    _law(
                        "《行政处罚法》第三十三条",
                        "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。初次违法且危害后果轻微并及时改正的，可以不予行政处罚。",
                    ),
                ],
            ),
            (
                "river",
                "水利：河道管理范围内乱堆乱建",
                10,
                [
                    (
                        "text",
                        _p(
                            "在河道管理范围内弃置、堆放阻碍行洪的物体的，责令停止违法行为，排除阻碍，限期恢复原状，可以并处罚款。"
                        ),
                    )
                ],
            ),
            (
                "pesticides",
                "农业农村：农药的违规使用",
                10,
                [
                    (
                        "text",
                        _p(
                            "农药使用者不按照农药的标签标注的使用范围、使用方法和剂量、使用技术要求和注意事项使用农药的，责令改正，可处以罚款。"
                        ),
                    )
                ],
            ),
        ],
    ),
    (
        "court-hearing-observation",
        "行政诉讼庭审观摩",
        ModuleKind.OBSERVATION,
        "4.0",
        HourCategory.SKILLS,
        [],
        [],
        "到县人民法院旁听以乡镇人民政府为被告的行政诉讼案件，观摩证据质证和法律适用，撰写观摩心得。",
        [],
    ),
    (
        "department-case-observation",
        "县直部门办案观摩：城市管理",
        ModuleKind.OBSERVATION,
        "4.0",
        HourCategory.SKILLS,
        ["urban"],
        ["PY2023-CG-06", "PY2023-CG-07"],
        "跟随县城市管理局执法队办理真实案件，观摩立案、调查取证、告知和送达的全过程。",
        [],
    ),
    (
        "field-practice-land",
        "实战带教：违法占地案件查处",
        ModuleKind.FIELD_PRACTICE,
        "4.0",
        HourCategory.SKILLS,
        ["natural_resources"],
        ["PY2023-ZR-01", "PY2023-ZR-02"],
        "县自然资源局专业人员到乡镇，带领执法人员现场办理违法占地案件，按评价要点逐项点评。",
        [],
    ),
    (
        "field-practice-roads",
        "实战带教：农村公路路产路权保护",
        ModuleKind.FIELD_PRACTICE,
        "4.0",
        HourCategory.SKILLS,
        ["transport"],
        ["PY2025-JT-03", "PY2025-JT-08"],
        "2026年新承接的交通运输事项，过渡期内由县交通运输局执法人员带教。",
        [],
    ),
]

HANDBOOK_SECTIONS = [
    (
        "matters",
        "事项清单",
        "matters",
        "乡镇（街道）承接的行政处罚事项，以市人民政府公布的清单为准。",
    ),
    ("responsibilities", "岗位职责", "responsibilities", "综合行政执法机构各岗位的职责。"),
    ("procedures", "执法流程", "procedures", "一般程序案件的办理流程。"),
    (
        "document-templates",
        "执法文书范本",
        "document_templates",
        "常用行政执法文书的范本，可下载使用。",
    ),
    ("system-templates", "制度范本", "system_templates", "县级和乡镇两级执法制度的范本。"),
]

DOCUMENTS = [
    ("行政处罚决定书（范本）", "document", "xingzheng-chufa-jueding.txt"),
    ("行政处罚事先告知书（范本）", "document", "shixian-gaozhi.txt"),
    ("现场检查（勘验）笔录（范本）", "document", "xianchang-bilu.txt"),
    ("行政执法公示制度（县级范本）", "county", "gongshi-zhidu.txt"),
    ("重大执法决定法制审核制度（乡镇范本）", "township", "fazhi-shenhe.txt"),
    ("执法全过程记录制度（乡镇范本）", "township", "quanguocheng-jilu.txt"),
]


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _child(parent: Page, model, slug: str):
    return model.objects.child_of(parent).filter(slug=slug).first()


def _powers(codes) -> list[Power]:
    return list(Power.objects.filter(code__in=codes))


def _seed_modules(index: TrainingIndexPage, py_section: CountySectionPage) -> dict:
    modules = {}
    for slug, title, kind, hours, category, fields, powers, summary, lessons in MODULES:
        parent = index if kind == ModuleKind.COVERAGE else py_section
        module = _child(parent, TrainingModulePage, slug)
        if module is None:
            module = TrainingModulePage(
                title=title,
                slug=slug,
                kind=kind,
                credit_hours=Decimal(hours),
                category=category,
                summary=summary,
                body=[("text", _p(summary))],
            )
            parent.add_child(instance=module)
            module.fields.set(EnforcementField.objects.filter(code__in=fields))
            module.powers.set(_powers(powers))
            module.save_revision().publish()
            for lesson_slug, lesson_title, minutes, body in lessons:
                _publish(
                    module,
                    LessonPage(
                        title=lesson_title, slug=lesson_slug, min_study_minutes=minutes, body=body
                    ),
                )
        modules[slug] = module
    return modules


def _document(title: str, filename: str) -> Document:
    existing = Document.objects.filter(title=title).first()
    if existing is not None:
        return existing
    text = f"{title}\n\n（此为演示范本，正式文本以主管部门印发为准。）\n\n编号：________\n当事人：________\n事实与理由：________\n依据：________\n"
    document = Document(title=title)
    document.file.save(filename, ContentFile(text.encode("utf-8")), save=False)
    document.save()
    return document


def _seed_handbook(root: Page) -> HandbookPage:
    handbook = _child(root, HandbookPage, "handbook")
    if handbook is None:
        handbook = _publish(
            root,
            HandbookPage(
                title="乡镇综合行政执法规范化建设指导手册",
                slug="handbook",
                intro=_p(
                    "事项清单、岗位职责、执法流程、文书范本和制度范本，供乡镇（街道）执法机构对照建设。"
                ),
            ),
        )
    documents = {title: (_document(title, name), scope) for title, scope, name in DOCUMENTS}
    matters = [
        {
            "name": p.name,
            "field": p.field.name,
            "legal_basis": f"{p.legal_basis_law}{p.legal_basis_article}",
            "note": "",
        }
        for p in Power.objects.filter(code__startswith="PY2025").select_related("field")[:20]
    ]
    bodies = {
        "matters": [
            ("matters", {"title": "2026年起承接的行政处罚事项（节选）", "matters": matters})
        ],
        "responsibilities": [
            (
                "responsibility",
                {
                    "post": "执法队长",
                    "duties": [
                        "组织实施辖区行政执法工作",
                        "审核一般程序案件",
                        "协调县直部门联合执法",
                    ],
                },
            ),
            (
                "responsibility",
                {
                    "post": "执法人员",
                    "duties": [
                        "持证上岗、亮证执法",
                        "依法调查取证、制作执法文书",
                        "参加年度不少于60学时的培训",
                    ],
                },
            ),
            (
                "responsibility",
                {
                    "post": "法制审核人员",
                    "duties": ["对重大执法决定进行法制审核", "提出书面审核意见"],
                },
            ),
        ],
        "procedures": [
            _steps(
                "一般程序案件办理流程",
                [
                    (
                        "立案",
                        "发现违法线索，填写立案审批表，经负责人批准立案。",
                        "《行政处罚法》第五十四条",
                    ),
                    ("调查取证", "两名以上执法人员调查，制作笔录，收集证据。", "第五十五条"),
                    ("法制审核", "重大案件由法制审核人员审核。", "第五十八条"),
                    (
                        "事先告知",
                        "送达行政处罚事先告知书，告知陈述、申辩和听证权利。",
                        "第四十四条",
                    ),
                    (
                        "作出决定",
                        "负责人审查后作出决定；情节复杂或重大的，集体讨论决定。",
                        "第五十七条",
                    ),
                    ("送达", "七日内送达行政处罚决定书。", "第六十一条"),
                    (
                        "执行与结案",
                        "督促履行，逾期不履行的依法申请强制执行，结案归档。",
                        "第七十二条",
                    ),
                ],
            )
        ],
        "document_templates": [
            ("template", {"document": doc, "title": title, "scope": scope, "description": ""})
            for title, (doc, scope) in documents.items()
            if scope == "document"
        ],
        "system_templates": [
            ("template", {"document": doc, "title": title, "scope": scope, "description": ""})
            for title, (doc, scope) in documents.items()
            if scope != "document"
        ],
    }
    for slug, title, section, intro in HANDBOOK_SECTIONS:
        if _child(handbook, HandbookSectionPage, slug) is None:
            _publish(
                handbook,
                HandbookSectionPage(
                    title=title, slug=slug, section=section, intro=intro, body=bodies[section]
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
        index = _publish(
            root,
            TrainingIndexPage(
                title="培训课程",
                slug="modules",
                intro=_p("覆盖式、观摩式、实战式三类培训，完成后学时自动记入本人年度学时。"),
            ),
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
