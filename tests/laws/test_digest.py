"""The officer's monthly digest: the laws of their fields changed last month, once."""

import datetime

from django.urls import reverse

import pytest

from certification.models import Notification
from certification.services import law_digests_send, month_before
from certification.tasks import law_digest_send
from laws import services as laws
from laws.models import ArticleChange, LawDigest
from people.factories import OfficerFactory
from powers.factories import EnforcementFieldFactory, PowerFactory, PowerListFactory

from .conftest import TITLE, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


@pytest.fixture
def changed_in_november(city):
    laws.law_version_import(
        title=TITLE,
        text=text_of("sanitation_2019.md"),
        promulgated_on=D(2019, 3, 1),
        effective_on=D(2019, 6, 1),
    )
    urban = EnforcementFieldFactory(code="urban", name="城市管理")
    water = EnforcementFieldFactory(code="water", name="水利")
    cleaning = PowerFactory(field=urban, applies_from=D(2023, 6, 1))
    laws.citation_add(obj=cleaning, title=TITLE, number=4, on=D(2025, 1, 1))
    river = PowerFactory(field=water, applies_from=D(2023, 6, 1))
    # County 1's list: its townships hold the cleaning power; county 2's hold nothing.
    PowerListFactory(issuer=city["county1"], effective_from=D(2023, 6, 1), powers=[cleaning, river])
    laws.law_version_import(
        title=TITLE,
        text=text_of("sanitation_2024.md"),
        promulgated_on=D(2026, 10, 1),
        effective_on=D(2026, 11, 15),
    )
    return city


def test_month_before():
    assert month_before(D(2026, 12, 3)) == (D(2026, 11, 1), D(2026, 11, 30), "2026-11")
    assert month_before(D(2027, 1, 1)) == (D(2026, 12, 1), D(2026, 12, 31), "2026-12")


def test_an_officer_gets_the_digest_once_with_a_sentence_and_a_link(changed_in_november):
    city = changed_in_november
    officer = OfficerFactory(unit=city["township11"])
    elsewhere = OfficerFactory(unit=city["township21"])
    outcome = law_digests_send(on=D(2026, 12, 3))
    assert outcome.sent == 1
    assert not Notification.objects.filter(user=elsewhere).exists()
    notice = Notification.objects.get(user=officer)
    assert "changed in 2026-11" in notice.title
    assert TITLE in notice.body and "2026-11-15" in notice.body
    first = ArticleChange.objects.exclude(kind="unchanged").order_by("pk").first()
    assert notice.url == reverse("laws:change", args=[first.pk])
    assert LawDigest.objects.get(officer=officer).month == "2026-11"
    # Again the same month (a rerun, the next day): nothing more.
    assert law_digests_send(on=D(2026, 12, 4)).sent == 0
    assert Notification.objects.filter(user=officer).count() == 1
    # The month after: nothing changed in December, nothing is sent.
    assert law_digests_send(on=D(2027, 1, 2)).sent == 0


def test_nothing_for_a_month_without_changes(changed_in_november):
    city = changed_in_november
    OfficerFactory(unit=city["township11"])
    assert law_digests_send(on=D(2026, 11, 20)).sent == 0  # October: no change
    assert not LawDigest.objects.exists()


def test_the_beat_task_runs_the_service(changed_in_november, settings):
    assert "certification-law-digest" in settings.CELERY_BEAT_SCHEDULE
    assert law_digest_send()["sent"] >= 0
