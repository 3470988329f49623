"""Yearly hours totals: kept with every ledger entry, rebuilt from bulk loads, checked nightly,
and what the readiness SQL reads — exactly, also for a day in the past."""

import datetime
from decimal import Decimal

import pytest

from certification.factories import certificate
from certification.selectors.status import officer_facts, policy_current
from courses.models import HoursTotal, TrainingRecord
from courses.selectors import hours_totals_differences, training_hours
from courses.services import hours_totals_rebuild, training_record_create, training_record_reverse
from courses.tasks import hours_totals_check
from people.factories import OfficerFactory, StaffFactory
from people.models import Role, User

pytestmark = pytest.mark.django_db

D = datetime.date


def _credit(officer, hours, on, category="public_law", key=None):
    return training_record_create(
        officer=officer,
        hours=hours,
        category=category,
        completed_on=on,
        source="online",
        title="行政处罚法精讲",
        evidence_key=key,
    )


def _totals(officer) -> dict[tuple[int, str], tuple[Decimal, datetime.date]]:
    return {
        (t.year, t.category): (t.hours, t.latest_on)
        for t in HoursTotal.objects.filter(officer=officer)
    }


@pytest.fixture
def officer(city):
    return OfficerFactory(unit=city["township11"])


def test_each_entry_moves_its_total_in_the_same_save(officer):
    _credit(officer, "3", D(2026, 3, 2))
    _credit(officer, "2.5", D(2026, 5, 9))
    _credit(officer, "4", D(2026, 4, 1), category="skills")
    _credit(officer, "6", D(2025, 11, 30))
    assert _totals(officer) == {
        (2026, "public_law"): (Decimal("5.5"), D(2026, 5, 9)),
        (2026, "skills"): (Decimal("4.0"), D(2026, 4, 1)),
        (2025, "public_law"): (Decimal("6.0"), D(2025, 11, 30)),
    }
    assert hours_totals_differences() == []


def test_a_reversal_takes_its_hours_back_out(city, officer):
    record = _credit(officer, "3", D(2026, 3, 2))
    trainer = StaffFactory(role=Role.TRAINER, unit=city["county1"])
    training_record_reverse(record=record, actor=trainer, reason="重复登记")
    assert _totals(officer)[(2026, "public_law")][0] == Decimal("0.0")
    assert training_hours(officer=officer, year=2026)["total"] == Decimal("0.0")


def test_a_repeated_credit_is_counted_once(officer):
    _credit(officer, "2", D(2026, 3, 2), key="lesson:7")
    _credit(officer, "2", D(2026, 3, 2), key="lesson:7")
    assert TrainingRecord.objects.filter(officer=officer).count() == 1
    assert _totals(officer)[(2026, "public_law")][0] == Decimal("2.0")


def test_bulk_entries_are_summed_by_a_rebuild_and_the_check_sees_them_before(officer):
    other = OfficerFactory(unit=officer.unit)
    _credit(other, "1", D(2026, 2, 2))
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                officer=officer,
                hours=Decimal("2"),
                category="professional",
                source="online",
                completed_on=D(2026, 1, 10 + n),
                title="批量",
            )
            for n in range(3)
        ]
    )
    differences = hours_totals_differences()
    assert [
        (d.officer_id, d.year, d.category, d.ledger_hours, d.total_hours) for d in differences
    ] == [(officer.pk, 2026, "professional", Decimal("6.0"), None)]
    assert hours_totals_check() == 1

    assert hours_totals_rebuild(officer_ids=[officer.pk]) == 1
    assert _totals(officer) == {(2026, "professional"): (Decimal("6.0"), D(2026, 1, 12))}
    assert _totals(other) == {(2026, "public_law"): (Decimal("1.0"), D(2026, 2, 2))}
    assert hours_totals_differences() == []
    assert hours_totals_check() == 0


def test_the_check_reports_a_total_changed_or_left_without_entries(officer):
    _credit(officer, "3", D(2026, 3, 2))
    HoursTotal.objects.filter(officer=officer).update(hours=Decimal("30"))
    HoursTotal.objects.create(
        officer=officer, year=2024, category="skills", hours=Decimal("9"), latest_on=D(2024, 6, 1)
    )
    found = {
        (d.year, d.category): (d.ledger_hours, d.total_hours) for d in hours_totals_differences()
    }
    assert found == {
        (2026, "public_law"): (Decimal("3.0"), Decimal("30.0")),
        (2024, "skills"): (None, Decimal("9.0")),
    }
    hours_totals_rebuild()
    assert hours_totals_differences() == []


def test_readiness_counts_hours_up_to_the_day_asked_about(officer):
    """A total holding hours completed after `on` is summed again from the ledger."""
    certificate(officer, issued_on=D(2024, 5, 1))
    _credit(officer, "10", D(2026, 2, 1))
    _credit(officer, "7", D(2026, 8, 1))
    _credit(officer, "4", D(2025, 12, 31))
    officers = User.objects.filter(pk=officer.pk)
    policy = policy_current()

    def hours_on(day):
        (facts,) = officer_facts(officers, on=day, policy=policy)
        return {year: values["total"] for year, values in facts.hours.items()}

    assert hours_on(D(2026, 3, 1))[2026] == Decimal("10.0")
    assert hours_on(D(2026, 9, 1))[2026] == Decimal("17.0")
    assert hours_on(D(2026, 9, 1))[2025] == Decimal("4.0")
    assert hours_on(D(2025, 12, 30))[2025] == Decimal("0.0")
    assert hours_on(D(2025, 12, 31))[2025] == Decimal("4.0")
    assert training_hours(officer=officer, year=2026)["total"] == Decimal("17.0")
