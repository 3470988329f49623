"""Demo question bank and quizzes: `seed_quizzes()` (idempotent).

The bank is four GIFT files under demo/questions/, imported by the product's own importer
(`questions_import`) the way a trainer uploads a file: the general-law exam bank
(通用法律知识), the practice bank (随堂练习题库), the specialised banks per enforcement
field (专门法律知识) and the essays marked by hand (主观题（人工评分）). Each question's
fields and powers are on its `// @meta` line. Then come the practice quizzes, a module
assessment with an essay, the general-law qualification exam and one specialised exam
per enforcement field. Run after `powers.demo.seed_catalogue`, which the files' power
codes refer to.

The practice quizzes and the module assessment draw from the practice categories, the
exams from their own: the pools are separate (docs/exam-pools.md). A quiz seeded before
that is given its practice draws again on the next run.
"""

from pathlib import Path

from django.conf import settings
from django.db import transaction

from people.demo import DemoDataError
from people.models import OrgUnit, UnitKind
from powers.models import EnforcementField

from . import services
from .exchange import category_get_or_create, questions_import
from .models import (
    QUALIFICATION_KINDS,
    GradingMethod,
    Layout,
    Question,
    QuestionCategory,
    Quiz,
    QuizDraw,
    QuizKind,
    ReviewPolicy,
)
from .selectors import quiz_pool_conflicts

#: The demo's data files (demo/questions/).
DATA = Path(settings.BASE_DIR) / "demo" / "questions"
GENERAL_ROOT = "通用法律知识"
PRACTICE_ROOT = "随堂练习题库"
SPECIAL_ROOT = "专门法律知识"
ESSAY_ROOT = "主观题（人工评分）"
#: Each file is imported under its top category.
BANKS = [
    ("general-law.gift", GENERAL_ROOT),
    ("practice.gift", PRACTICE_ROOT),
    ("specialised.gift", SPECIAL_ROOT),
    ("essays.gift", ESSAY_ROOT),
]
#: Keys of the categories the demo quizzes draw from → their path.
CATEGORIES = {
    "apl": [GENERAL_ROOT, "行政处罚法"],
    "acl": [GENERAL_ROOT, "行政强制法"],
    "procedure": [GENERAL_ROOT, "行政程序与救济"],
    "practice_apl": [PRACTICE_ROOT, "行政处罚法"],
    "practice_acl": [PRACTICE_ROOT, "行政强制法"],
    "practice_procedure": [PRACTICE_ROOT, "行政程序与救济"],
}


def seed_question_bank() -> dict[str, QuestionCategory]:
    """Import each bank file whose top category holds no questions yet. Returns the
    categories the quizzes draw from by key, the top categories (general, practice,
    special) and each field's specialised category by field code."""
    for name, root in BANKS:
        top = QuestionCategory.objects.filter(parent__isnull=True, name=root).first()
        if (
            top is not None
            and Question.objects.filter(category_id__in=top.descendant_ids()).exists()
        ):
            continue
        result = questions_import(
            data=(DATA / name).read_bytes(), fmt="gift", category_path=[root], filename=name
        )
        if result.problems:
            problems = "; ".join(f"line {p.number}: {p.message}" for p in result.problems)
            raise DemoDataError(f"demo/questions/{name}: {problems}")
    categories = {key: category_get_or_create(path=path) for key, path in CATEGORIES.items()}
    categories["general"] = categories["apl"].parent
    categories["practice"] = categories["practice_apl"].parent
    categories["special"] = category_get_or_create(path=[SPECIAL_ROOT])
    by_name = {c.name: c for c in QuestionCategory.objects.filter(parent=categories["special"])}
    for code, name in EnforcementField.objects.values_list("code", "name"):
        if name in by_name:
            categories[code] = by_name[name]
    return categories


def _quiz(title: str, *, kind: str, draws, fixed=(), **settings) -> Quiz:
    """The demo quiz of that title, created (and published) if missing.

    An existing practice or module quiz that still shares questions with an exam (seeded
    before the pools were separated) is given the practice draws.
    """
    quiz = Quiz.objects.filter(title=title).first()
    if quiz is None:
        return services.quiz_create(title=title, kind=kind, draws=draws, fixed=fixed, **settings)
    if quiz.kind not in QUALIFICATION_KINDS and quiz_pool_conflicts(
        kind=quiz.kind,
        draws=quiz.draws.values_list("category_id", "include_subcategories"),
        fixed_question_ids=quiz.fixed_questions.values_list("question_id", flat=True),
        quiz_id=quiz.pk,
    ):
        quiz.draws.all().delete()
        QuizDraw.objects.bulk_create(
            QuizDraw(quiz=quiz, category=category, count=count, sort_order=i)
            for i, (category, count) in enumerate(draws)
        )
    return quiz


@transaction.atomic
def seed_quizzes() -> dict[str, Quiz]:
    """The demo bank and quizzes. Keys: practice_apl, practice_acl, practice_procedure,
    module_apl, general_law, and specialised_<field code> for each field present."""
    categories = seed_question_bank()
    practice = {
        "kind": QuizKind.PRACTICE,
        "review": ReviewPolicy.AFTER_SUBMIT,
        "success_text": "做得好！可以继续学习下一课。",
        "failure_text": "请回顾本课内容后再试一次（每小时最多开始10次练习）。",
    }
    quizzes = {
        "practice_apl": _quiz(
            "《行政处罚法》随堂练习",
            draws=[(categories["practice_apl"], 10)],
            description="每次随机抽取10题，提交后可查看答案和解析。",
            **practice,
        ),
        "practice_acl": _quiz(
            "《行政强制法》随堂练习",
            draws=[(categories["practice_acl"], 10)],
            description="每次随机抽取10题，提交后可查看答案和解析。",
            **practice,
        ),
        "practice_procedure": _quiz(
            "行政程序与救济随堂练习",
            draws=[(categories["practice_procedure"], 8)],
            description="行政复议、行政诉讼与执法“三项制度”。",
            **practice,
        ),
    }
    essay = Question.objects.filter(
        category__parent__name=ESSAY_ROOT, text__startswith="简述适用简易程序"
    ).first()
    quizzes["module_apl"] = _quiz(
        "行政处罚法模块测验",
        draws=[(categories["practice_apl"], 14)],
        fixed=[essay] if essay else [],
        kind=QuizKind.MODULE,
        description="14道客观题加1道简答题（由培训讲师评分），限时30分钟，可作答3次，取最高分。",
        time_limit_minutes=30,
        attempts_allowed=3,
        layout=Layout.ONE_PER_PAGE,
        review=ReviewPolicy.AFTER_SUBMIT,
    )
    exam = {
        "layout": Layout.ONE_PER_PAGE,
        "review": ReviewPolicy.SCORE_ONLY,
        "attempts_allowed": 2,
        "grading_method": GradingMethod.HIGHEST,
        "pass_mark": 60,
        "success_text": "考试合格，成绩已记入执法资格审核。",
        "failure_text": "未达到60分，可补考一次。",
    }
    quizzes["general_law"] = _quiz(
        "通用法律知识考试",
        draws=[(categories["apl"], 20), (categories["acl"], 12), (categories["procedure"], 8)],
        kind=QuizKind.GENERAL_LAW,
        description="申领行政执法证件的通用法律知识考试：40题，限时60分钟，60分合格，可补考一次。",
        time_limit_minutes=60,
        **exam,
    )
    for field in EnforcementField.objects.all():
        if field.code not in categories:
            continue
        quizzes[f"specialised_{field.code}"] = _quiz(
            f"专门法律知识考试（{field.name}）",
            draws=[(categories[field.code], 15), (categories["apl"], 10)],
            kind=QuizKind.SPECIALISED,
            field=field,
            description=f"{field.name}领域执法资格的专门法律知识考试：限时45分钟，60分合格，可补考一次。",
            time_limit_minutes=45,
            **exam,
        )
    # A county's own practice quiz: its trainers maintain it and grant overrides on it
    # (the city's quizzes above are changed by the city administrator only).
    county = OrgUnit.objects.filter(kind=UnitKind.COUNTY, name="濮阳县").first()
    if county is not None:
        quizzes["county_practice"] = _quiz(
            "濮阳县乡镇执法程序随堂练习",
            draws=[(categories["practice_procedure"], 5)],
            owner_unit=county,
            description="濮阳县培训讲师维护的练习：每次随机抽取5题。",
            **practice,
        )
    return quizzes
