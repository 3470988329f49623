"""The demo case library (以案说法), read from demo/cases/ by `seed_cases` (idempotent).

Each case is a Markdown file named after its page slug: front matter for the facts a
list or filter needs (field, powers, township, decision date, outcome, study hours), and
one `## section` per part of the case page (基本案情, 争议焦点, 法律依据, 证据, 处理决定,
复议诉讼, 办案要点). `_library.md` is the library page itself. Parties are invented
("张某", "某建材经营部"); townships are the demo city's; provisions are summarised, not
quoted officially. Seeding is idempotent: cases are keyed by slug under the library, so
running it again adds only what is missing.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction

from people.demo import DemoDataError, DemoText, demo_text, demo_texts
from people.models import OrgUnit, User
from powers.models import EnforcementField, Power

from .models import CaseLibraryPage, CaseOutcome, CasePage
from .selectors import site_root_page
from .services import case_assign

__all__ = ["DATA", "seed_cases"]

#: The demo's data files (demo/cases/).
DATA = Path(settings.BASE_DIR) / "demo" / "cases"
LIBRARY_SLUG = "cases"

#: 结果 as a case file writes it → the outcome.
OUTCOMES = {
    "作出处罚": CaseOutcome.PENALTY,
    "从轻、减轻或不予处罚": CaseOutcome.LENIENT,
    "复议、诉讼维持": CaseOutcome.UPHELD,
    "复议、诉讼撤销或变更": CaseOutcome.OVERTURNED,
    "撤销立案、终止调查": CaseOutcome.CLOSED,
}
#: An evidence item's kind as a case file writes it (书证：…) → the evidence block's kind.
EVIDENCE = {
    "书证": "documentary",
    "物证": "physical",
    "视听资料": "audiovisual",
    "电子数据": "electronic",
    "证人证言": "witness",
    "当事人陈述": "statement",
    "鉴定意见": "expert",
    "现场笔录": "record",
}
#: A provision as a case file writes it: 《法名》第X条：quoted words.
PROVISION = re.compile(r"^(《[^》]+》)([^：]+)：(.+)$")


def _case(text: DemoText) -> dict:
    """The values of a case file, checked; a file the loader cannot use names itself."""
    name = text.path.name
    outcome = OUTCOMES.get(text.get("结果"))
    if outcome is None:
        raise DemoDataError(f"{name}: unknown 结果 “{text.get('结果')}”")
    try:
        decided_on = datetime.date.fromisoformat(text.get("决定日期"))
        hours = Decimal(text.get("学时"))
    except (ValueError, InvalidOperation) as error:
        raise DemoDataError(f"{name}: 决定日期 is YYYY-MM-DD and 学时 a number") from error
    basis = []
    for item in text.items("法律依据"):
        match = PROVISION.match(item)
        if match is None:
            raise DemoDataError(f"{name}: a provision is written 《法名》第X条：条文 — “{item}”")
        basis.append(match.groups())
    evidence = []
    for item in text.items("证据"):
        kind, _sep, description = item.partition("：")
        if kind not in EVIDENCE:
            raise DemoDataError(f"{name}: unknown kind of evidence “{kind}”")
        evidence.append((EVIDENCE[kind], description))
    return {
        "slug": text.path.stem,
        "title": text.get("标题"),
        "field": text.get("执法领域"),
        "powers": [code for code in text.meta.get("事项编码", "").split("、") if code],
        "township": text.get("乡镇编码"),
        "decided_on": decided_on,
        "outcome": outcome,
        "hearing": text.meta.get("听证") == "是",
        "hours": hours,
        "penalty": text.meta.get("处罚", ""),
        "facts": text.sections.get("基本案情", ""),
        "questions": text.sections.get("争议焦点", ""),
        "basis": basis,
        "evidence": evidence,
        "decision": text.sections.get("处理决定", ""),
        "review": text.sections.get("复议诉讼", ""),
        "lessons": text.items("办案要点"),
    }


def cases_read() -> list[dict]:
    """Every case file of demo/cases/, in file-name order."""
    return [_case(demo_text(path)) for path in demo_texts(DATA)]


_STEP_NOTES = {
    "filing": (-45, "经负责人批准立案"),
    "investigation": (-40, "现场检查，询问当事人，调取书证，制作笔录"),
    "notice": (-20, "送达行政处罚事先告知书，告知陈述、申辩权利"),
    "hearing": (-10, "应当事人申请依法举行听证"),
    "decision": (0, "经法制审核和集体讨论作出决定"),
    "service": (3, "直接送达，当事人签收"),
    "execution": (25, "当事人履行完毕"),
}


def _procedure(case: dict) -> list[tuple[str, dict]]:
    """A plausible timeline for the case, from its decision date and outcome."""
    decided = case["decided_on"]
    outcome = case["outcome"]
    codes = ["filing", "investigation"]
    if outcome != CaseOutcome.CLOSED:
        codes.append("notice")
        if case.get("hearing"):
            codes.append("hearing")
    codes += ["decision", "service"]
    if outcome in (CaseOutcome.PENALTY, CaseOutcome.UPHELD):
        codes.append("execution")
    steps = []
    for code in codes:
        offset, note = _STEP_NOTES[code]
        if code == "decision" and outcome == CaseOutcome.CLOSED:
            note = "经负责人批准撤销立案或移送"
        steps.append((code, {"date": decided + datetime.timedelta(days=offset), "note": note}))
    return steps


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{line.strip()}</p>" for line in text.split("\n\n") if line.strip())


def _library() -> CaseLibraryPage:
    root = site_root_page()
    library = CaseLibraryPage.objects.child_of(root).filter(slug=LIBRARY_SLUG).first()
    if library is None:
        text = demo_text(DATA / "_library.md")
        library = root.add_child(
            instance=CaseLibraryPage(
                title=text.get("标题"), slug=LIBRARY_SLUG, intro=_paragraphs(text.sections[""])
            )
        )
        library.save_revision().publish()
    return library


def _trainer_permissions(library: CaseLibraryPage) -> None:
    """Trainers write cases in the library; county bureaus and the city publish them."""
    from .library_permissions import case_library_permissions_ensure

    case_library_permissions_ensure(library)


def _study_quizzes() -> dict[str, object]:
    """A published practice quiz per field, if the quiz bank has one (attached as the study
    quiz); the key None holds the practice quiz of the administrative penalty law, which
    every case applies. Never a qualification exam: a case's quiz is a reading check."""
    from quizzes.models import Quiz, QuizKind

    practice = Quiz.objects.filter(is_draft=False, kind=QuizKind.PRACTICE, owner_unit__isnull=True)
    quizzes = {}
    for quiz in practice.filter(field__isnull=False).select_related("field"):
        quizzes.setdefault(quiz.field.code, quiz)
    quizzes[None] = (
        practice.filter(title="《行政处罚法》随堂练习").first() or practice.order_by("pk").first()
    )
    return quizzes


def _repoint_exam_quizzes(library: CaseLibraryPage, quizzes: dict) -> None:
    """Cases seeded before this rule whose study quiz is a qualification exam get a practice quiz."""
    from quizzes.models import QuizKind

    wrong = CasePage.objects.child_of(library).exclude(quiz__isnull=True)
    for page in wrong.exclude(quiz__kind=QuizKind.PRACTICE).select_related("field"):
        page.quiz = quizzes.get(page.field.code if page.field else None) or quizzes[None]
        with transaction.atomic():
            page.save_revision().publish()


def seed_cases(*, with_assignments: bool = True) -> CaseLibraryPage:
    """Create (or complete) the demo library under the site root, at /cases/.

    Each case is saved as a revision and published, so it has history like an authored
    case and is indexed for search by the `page_published` signal.
    """
    with transaction.atomic():
        library = _library()
        _trainer_permissions(library)
    existing = set(CasePage.objects.child_of(library).values_list("slug", flat=True))
    fields = {f.name: f for f in EnforcementField.objects.all()}
    powers = {p.code: p for p in Power.objects.all()}
    cases = cases_read()
    townships = {u.code: u for u in OrgUnit.objects.filter(code__in=[c["township"] for c in cases])}
    quizzes = _study_quizzes()
    _repoint_exam_quizzes(library, quizzes)
    for case in cases:
        if case["slug"] in existing or case["field"] not in fields:
            continue
        field = fields[case["field"]]
        township = townships.get(case["township"])
        page = CasePage(
            title=case["title"],
            slug=case["slug"],
            case_number=_case_number(case, township),
            field=field,
            township=township,
            county=township.get_parent() if township else None,
            decided_on=case["decided_on"],
            outcome=case["outcome"],
            facts=_paragraphs(case["facts"]),
            legal_questions=_paragraphs(case["questions"]),
            legal_basis=[
                ("provision", {"law": law, "article": article, "quote": quote})
                for law, article, quote in case["basis"]
            ],
            procedure=_procedure(case),
            evidence=[("item", {"kind": k, "description": d}) for k, d in case["evidence"]],
            decision=_paragraphs(case["decision"]),
            penalty=case["penalty"],
            review_outcome=_paragraphs(case["review"]),
            lessons=[("point", lesson) for lesson in case["lessons"]],
            study_hours=case["hours"],
            quiz=quizzes.get(field.code) or quizzes[None],
        )
        page.powers = [powers[code] for code in case["powers"] if code in powers]
        with transaction.atomic():
            library.add_child(instance=page)
            page.save_revision().publish()
    if with_assignments:
        _assignments(library)
    return library


def _case_number(case: dict, township: OrgUnit | None) -> str:
    """An anonymised case number in the usual shape: 县简称+乡镇 综执罚〔年〕X号."""
    year = case["decided_on"].year
    place = township.name[:2] if township else "某镇"
    return f"{place}综执罚〔{year}〕X号"


def _assignments(library: CaseLibraryPage) -> None:
    """The 城关镇 supervision office and the 濮阳县 justice bureau require a few cases."""
    plan = [
        ("sup_cgz", "PY-PY-T01", ["zr-nongcun-zhandi-jianfang", "st-lutian-fenshao-jiegan"]),
        ("py_sfj", "PY-PY", ["sl-hedao-feifa-caisha"]),
    ]
    for username, unit_code, slugs in plan:
        actor = User.objects.filter(username=username).first()
        unit = OrgUnit.objects.filter(code=unit_code).first()
        if actor is None or unit is None:
            continue
        for page in CasePage.objects.child_of(library).live().filter(slug__in=slugs):
            case_assign(actor=actor, page=page, unit=unit)
