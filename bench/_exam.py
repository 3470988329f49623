"""The scratch world the quiz benchmarks sit in: a city, a county and a township, the demo
question bank, and an exam like the demo general-law exam (40 questions drawn from three
categories, 60 minutes) in each layout asked for."""


def exam_world(*, code: str, layouts, attempts_allowed: int):
    """(township, {layout: exam}) on the current database; call once on a fresh one."""
    from people.factories import UnitFactory
    from people.models import UnitKind
    from powers.demo import seed_catalogue
    from quizzes.demo import seed_question_bank
    from quizzes.models import GradingMethod, Layout, Quiz, QuizDraw, QuizKind, ReviewPolicy

    city = UnitFactory(name="压测市", kind=UnitKind.CITY, code=code)
    county = UnitFactory(name="压测县", kind=UnitKind.COUNTY, parent=city, code=f"{code}-C")
    town = UnitFactory(name="压测镇", kind=UnitKind.TOWNSHIP, parent=county, code=f"{code}-T")
    seed_catalogue(city=city)  # the bank files name its fields and powers
    categories = seed_question_bank()
    exams = {}
    for layout in layouts:
        exam = Quiz.objects.create(
            title=f"压测：通用法律知识考试（{Layout(layout).label}）",
            kind=QuizKind.GENERAL_LAW,
            is_draft=False,
            layout=layout,
            review=ReviewPolicy.SCORE_ONLY,
            attempts_allowed=attempts_allowed,
            grading_method=GradingMethod.HIGHEST,
            time_limit_minutes=60,
        )
        QuizDraw.objects.bulk_create(
            QuizDraw(quiz=exam, category=categories[key], count=count, sort_order=i)
            for i, (key, count) in enumerate([("apl", 20), ("acl", 12), ("procedure", 8)])
        )
        exams[layout] = exam
    return town, exams
