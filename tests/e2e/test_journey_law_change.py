"""Journey: a law changes. A trainer opens the review queue, reads the diff of an amended
article and keeps a question citing it; an officer reading a case that cites the article
sees the notice and follows it to the diff, and finds the month's digest of the laws of
their fields among their notifications."""

import datetime
import re
from pathlib import Path

from django.core.cache import cache

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from certification.services import law_digests_send
from laws import services as laws
from laws.models import ArticleChange, CitationReview
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from powers.factories import EnforcementFieldFactory, PowerFactory, PowerListFactory
from quizzes.factories import QuestionFactory

from .conftest import assert_accessible, login

pytestmark = [
    pytest.mark.journey,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_site"),
]

PASSWORD = "law-pass-2026"
TITLE = "示范市城乡环境卫生管理条例"
TEXTS = Path(__file__).resolve().parents[1] / "laws" / "texts"


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def amended(city):
    cache.clear()
    for name, effective in (
        ("sanitation_2019.md", datetime.date(2019, 6, 1)),
        ("sanitation_2024.md", datetime.date(2024, 9, 1)),
    ):
        laws.law_version_import(
            title=TITLE,
            text=(TEXTS / name).read_text(encoding="utf-8"),
            promulgated_on=effective,
            effective_on=effective,
        )
    before = datetime.date(2024, 8, 31)
    # The officer's township holds a power that cites the law, so its change is in the
    # digest of September 2024.
    power = PowerFactory(
        field=EnforcementFieldFactory(code="urban", name="城市管理"),
        applies_from=datetime.date(2023, 6, 1),
    )
    PowerListFactory(
        issuer=city["county1"], effective_from=datetime.date(2023, 6, 1), powers=[power]
    )
    laws.citation_add(obj=power, title=TITLE, number=4, on=before)
    question = QuestionFactory(text="本条例适用于哪些区域？")
    case = CasePageFactory(parent=CaseLibraryPageFactory(), title="某镇街道堆放杂物案")
    return {
        "question": laws.citation_add(obj=question, title=TITLE, number=2, on=before),
        "case": case,
        "change": ArticleChange.objects.get(
            new_version__effective_on=datetime.date(2024, 9, 1), new_article__number=2
        ),
        "trainer": _with_password(StaffFactory(role=Role.TRAINER, unit=city["department1"])),
        "officer": _with_password(OfficerFactory(unit=city["township11"])),
        "case_citation": laws.citation_add(obj=case, title=TITLE, number=2, on=before),
    }


def test_a_trainer_reviews_a_question_and_an_officer_sees_the_notice(desktop, amended):
    page = desktop
    change_url = f"/laws/changes/{amended['change'].pk}/"

    login(page, amended["trainer"].username, PASSWORD)
    page.goto("/laws/review/")
    assert_accessible(page)
    assert TITLE in page.content()
    page.click(f"a[href='{change_url}']")
    page.wait_for_url(f"**{change_url}")
    assert_accessible(page)
    assert page.locator(".law-diff ins").count() >= 1
    page.goto("/laws/review/")
    assert_accessible(page)
    review_url = f"/laws/review/{amended['question'].pk}/"
    page.click(f"form[action='{review_url}'] button[value=keep]")
    page.wait_for_url("**/laws/review/")
    assert_accessible(page)
    assert page.locator(f"form[action='{review_url}']").count() == 0
    review = CitationReview.objects.get()
    assert (review.actor, review.decision) == (amended["trainer"], "keep")

    page.context.clear_cookies()
    login(page, amended["officer"].username, PASSWORD)
    page.goto(amended["case"].url)
    assert_accessible(page)
    notice = page.locator(".law-notice")
    assert "第二条" in notice.inner_text() and "2024-09-01" in notice.inner_text()
    notice.locator(f"a[href='{change_url}']").click()
    page.wait_for_url(f"**{change_url}")
    assert_accessible(page)
    assert page.locator("form[action$='/confirm/']").count() == 0

    # The monthly digest: sent on the first of October for September, once.
    assert law_digests_send(on=datetime.date(2024, 10, 1)).sent == 1
    page.goto("/certificate/notifications/")
    assert_accessible(page)
    digest = page.locator("article.card", has_text="2024-09")
    assert digest.count() == 1
    assert TITLE in digest.inner_text() and "2024-09-01" in digest.inner_text()
    digest.locator("a", has_text=re.compile("Open|打开|查看")).click()
    page.wait_for_url(re.compile(r"/laws/changes/\d+/"))
    assert_accessible(page)
    assert page.locator(".law-diff").count() >= 1
