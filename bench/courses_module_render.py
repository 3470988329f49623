"""Median time to render a training module page with 30 lessons.

Runs on a throwaway in-memory SQLite database through Django's test client (loopback
only, nothing external), so it measures the page itself: routing, the module's context
(lessons, progress, quizzes, lectures) and the template. Bounded: one warm-up request,
then ROUNDS timed requests.

    .venv/bin/python bench/courses_module_render.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROUNDS = 50
LESSONS = 30
TARGET_MS = 150


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from django.test import Client

    from courses.factories import lesson_create, module_create
    from courses.services import lesson_complete, lesson_open
    from people.factories import OfficerFactory, city_tree

    city = city_tree(prefix="B")
    officer = OfficerFactory(unit=city["township11"])
    module = module_create(title="行政处罚法：决定程序（基准）")
    lessons = [
        lesson_create(
            module=module,
            title=f"第{i + 1}课",
            min_study_minutes=0,
            body=[
                (
                    "text",
                    "<p>《中华人民共和国行政处罚法》第四十四条：行政机关在作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据。</p>"
                    * 3,
                )
            ],
        )
        for i in range(LESSONS)
    ]
    for lesson in lessons[:10]:
        lesson_open(officer=officer, lesson=lesson)
        lesson_complete(officer=officer, lesson=lesson)

    client = Client()
    client.force_login(officer)
    url = module.url
    if client.get(url).status_code != 200:
        raise SystemExit("the module page did not render")
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        client.get(url)
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit("the module page did not render")
    median = statistics.median(timings)
    verdict = "OK" if median <= TARGET_MS else "SLOW"
    print(
        f"module page, {LESSONS} lessons: median {median:.1f} ms over {ROUNDS} renders "
        f"(target <= {TARGET_MS} ms) {verdict}; {len(queries)} queries per render"
    )


if __name__ == "__main__":
    main()
