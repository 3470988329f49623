"""`manage.py seed_demo`: the demo city (DESIGN.md §5). Idempotent; safe to run on every start."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from cases import demo as case_demo
from certification import demo as certification_demo
from certification.services import law_digests_send, status_snapshot_refresh
from courses import demo as courses_demo
from laws import demo as laws_demo
from people import demo as people_demo
from powers import demo as powers_demo
from quizzes import demo as quizzes_demo


def _citing():
    """What the demo's powers, cases and questions say of their legal basis, to cite."""
    from cases.models import CasePage
    from courses.models import LessonPage
    from powers.models import Power
    from quizzes.models import Question

    for power in Power.objects.exclude(legal_basis_law=""):
        yield power, power.legal_basis_law + power.legal_basis_article
    for page in CasePage.objects.all():
        yield page, page.citation_text()
    for lesson in LessonPage.objects.all():
        yield lesson, lesson.citation_text()
    titles = [title.removeprefix("中华人民共和国") for _f, title, *_rest in laws_demo.VERSIONS]
    for question in Question.objects.filter(explanation__contains="《").only("pk", "explanation"):
        if any(title in question.explanation for title in titles):
            yield question, question.explanation


class Command(BaseCommand):
    help = "Create (or complete) the demo city: units, officers, staff logins, powers lists."

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            units = people_demo.seed_org_tree()
        created = people_demo.seed_officers(units)
        with transaction.atomic():
            logins = people_demo.seed_staff(units)
            powers_demo.seed_catalogue(city=units[people_demo.CITY[0]])
            quizzes = quizzes_demo.seed_quizzes()
        # Certificates and their hours first: the training seed tops up hours only for
        # officers the certification seed has not given a deliberate history.
        certification_demo.seed_certification()
        courses_demo.seed_training(units=units, practice_quiz=quizzes.get("practice_apl"))
        case_demo.seed_cases()
        laws_demo.seed_laws(citing=_citing())
        # November 2026's digest of law changes, to the officers of the fields it touches.
        law_digests_send(on=laws_demo.DIGEST_ON)
        # Today's status of every officer, as the nightly task would store it.
        status_snapshot_refresh()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Demo city ready in {elapsed:.1f}s ({created} officers created now). "
            f"Demo logins (password: {people_demo.DEMO_PASSWORD}):"
        )
        for login in logins:
            self.stdout.write(f"  {login.username:<14} {login.description}")
        self.stdout.write("Site: http://127.0.0.1:8000/   Admin: http://127.0.0.1:8000/admin/")
