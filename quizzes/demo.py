"""Demo question bank and quizzes: `seed_quizzes()` (idempotent).

Builds a bank of a few hundred Chinese questions from the statute facts in `demo_data`
(single choice, true/false pairs, multiple choice, essays), then practice quizzes, a
module assessment with an essay, the general-law qualification exam and one specialised
exam per enforcement field. Run after `powers.demo.seed_catalogue` so questions can be
tagged with fields and powers.

The practice quizzes and the module assessment draw from the practice categories
(随堂练习题库), the exams from their own: the pools are separate (docs/exam-pools.md).
A demo seeded before that is brought into line on the next run.
"""

import random
from decimal import Decimal

from django.db import transaction

from people.models import OrgUnit, UnitKind
from powers.models import EnforcementField, Power

from . import demo_data, services
from .exchange import FALSE_TEXT, TRUE_TEXT, category_get_or_create
from .models import (
    QUALIFICATION_KINDS,
    GradingMethod,
    Layout,
    Option,
    Question,
    QuestionCategory,
    QuestionType,
    Quiz,
    QuizDraw,
    QuizKind,
    ReviewPolicy,
)
from .selectors import quiz_pool_conflicts

ESSAY_ROOT = "主观题（人工评分）"
LAW_OF = {
    "apl": demo_data.APL,
    "acl": demo_data.ACL,
    "practice_apl": demo_data.APL,
    "practice_acl": demo_data.ACL,
}


def _source(key: str, source: str) -> str:
    return source if source.startswith("《") or "〔" in source else f"{LAW_OF.get(key, '')}{source}"


def _bank_specs(rng: random.Random) -> list[dict]:
    specs = []
    for fact in demo_data.FACTS:
        key, stem, answer, wrong, source, pair = fact[:6]
        power = fact[6] if len(fact) > 6 else None
        where = _source(key, source)
        options = [(answer, True)] + [(w, False) for w in wrong]
        rng.shuffle(options)
        common = {"key": key, "power": power}
        specs.append(
            common
            | {
                "qtype": QuestionType.SINGLE,
                "text": stem.format("（　）"),
                "options": options,
                "explanation": f"正确答案：{answer}。依据：{where}。",
            }
        )
        if pair:
            specs.append(
                common
                | {
                    "qtype": QuestionType.TRUE_FALSE,
                    "text": stem.format(answer),
                    "options": [(TRUE_TEXT, True), (FALSE_TEXT, False)],
                    "explanation": f"正确。依据：{where}。",
                }
            )
            specs.append(
                common
                | {
                    "qtype": QuestionType.TRUE_FALSE,
                    "text": stem.format(wrong[0]),
                    "options": [(TRUE_TEXT, False), (FALSE_TEXT, True)],
                    "explanation": f"错误。应为“{answer}”。依据：{where}。",
                }
            )
    for key, stem, right, wrong, source in demo_data.LISTS:
        where = _source(key, source)
        for variant in range(3):
            chosen_right = rng.sample(right, rng.randint(2, min(4, len(right))))
            chosen_wrong = rng.sample(wrong, max(1, min(len(wrong), 5 - len(chosen_right))))
            options = [(text, True) for text in chosen_right] + [(t, False) for t in chosen_wrong]
            rng.shuffle(options)
            specs.append(
                {
                    "key": key,
                    "power": None,
                    "qtype": QuestionType.MULTIPLE,
                    "partial_credit": variant == 2,
                    "text": stem,
                    "options": options,
                    "explanation": "正确答案："
                    + "、".join(text for text, ok in options if ok)
                    + f"。依据：{where}。",
                }
            )
    for key, text, notes in demo_data.ESSAYS:
        specs.append(
            {
                "key": key,
                "essay": True,
                "power": None,
                "qtype": QuestionType.ESSAY,
                "text": text,
                "options": [],
                "explanation": notes,
                "points": Decimal(10),
            }
        )
    return specs


def seed_question_bank() -> dict[str, QuestionCategory]:
    """Create the demo categories and the questions they miss. Returns categories by key.

    A question is known by its text and type; one found in another demo category than its
    fact's (a bank seeded before the practice categories existed) is moved there.
    """
    categories = {}
    for key, (path, _field) in demo_data.CATEGORIES.items():
        categories[key] = category_get_or_create(path=path)
        if path[0] != demo_data.PRACTICE_ROOT:
            categories[f"essay:{key}"] = category_get_or_create(path=[ESSAY_ROOT, path[-1]])
    categories["general"] = categories["apl"].parent
    categories["special"] = categories["natural_resources"].parent
    categories["practice"] = categories["practice_apl"].parent

    existing: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for pk, text, qtype, category_id in Question.objects.filter(
        category__in=categories.values()
    ).values_list("pk", "text", "qtype", "category_id"):
        existing.setdefault((text, qtype), []).append((pk, category_id))
    missing, moves = [], {}
    for spec in _bank_specs(random.Random(20240615)):
        category = categories[f"essay:{spec['key']}" if spec.get("essay") else spec["key"]]
        found = existing.get((spec["text"], spec["qtype"]))
        if not found:
            missing.append((spec, category))
        for pk, category_id in found or []:
            if category_id != category.pk:
                moves.setdefault(category.pk, set()).add(pk)
    for category_id, pks in moves.items():
        Question.objects.filter(pk__in=pks).update(category_id=category_id)
    if missing:
        _questions_create(missing)
    return categories


def _questions_create(specs: list[tuple[dict, QuestionCategory]]) -> None:
    fields = {f.code: f for f in EnforcementField.objects.all()}
    powers = {p.code: p for p in Power.objects.all()}
    questions = Question.objects.bulk_create(
        Question(
            category=category,
            qtype=spec["qtype"],
            text=spec["text"],
            explanation=spec["explanation"],
            partial_credit=spec.get("partial_credit", False),
            points=spec.get("points", Decimal(1)),
        )
        for spec, category in specs
    )
    Option.objects.bulk_create(
        Option(question=question, text=text, is_correct=ok, sort_order=i)
        for question, (spec, _category) in zip(questions, specs, strict=True)
        for i, (text, ok) in enumerate(spec["options"])
    )
    field_links, power_links = [], []
    for question, (spec, _category) in zip(questions, specs, strict=True):
        field_code = demo_data.CATEGORIES[spec["key"]][1]
        if field_code in fields:
            field_links.append(
                Question.fields.through(question=question, enforcementfield=fields[field_code])
            )
        if spec["power"] in powers:
            power_links.append(
                Question.powers.through(question=question, power=powers[spec["power"]])
            )
    Question.fields.through.objects.bulk_create(field_links)
    Question.powers.through.objects.bulk_create(power_links)


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
        category=categories["essay:apl"], text__startswith="简述适用简易程序"
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
    for key, (path, field_code) in demo_data.CATEGORIES.items():
        if field_code is None:
            continue
        field = EnforcementField.objects.filter(code=field_code).first()
        if field is None:
            continue
        quizzes[f"specialised_{field_code}"] = _quiz(
            f"专门法律知识考试（{path[-1]}）",
            draws=[(categories[key], 15), (categories["apl"], 10)],
            kind=QuizKind.SPECIALISED,
            field=field,
            description=f"{path[-1]}领域执法资格的专门法律知识考试：限时45分钟，60分合格，可补考一次。",
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
