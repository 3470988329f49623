"""The training-hours ledger: approved hours only, half-hour steps, append-only, idempotent."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

import pytest

from courses.models import LedgerImmutableError, TrainingRecord
from courses.selectors import officers_with_hours, training_hours
from courses.services import training_record_create, training_record_reverse
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from people.selectors import officers

D = datetime.date


@pytest.fixture
def officer(city):
    return OfficerFactory(unit=city["township11"])


MARCH_1 = D(2026, 3, 1)


def credit(officer, hours, category="public_law", on=MARCH_1, **kwargs):
    return training_record_create(
        officer=officer,
        hours=hours,
        category=category,
        completed_on=on,
        source=kwargs.pop("source", "online"),
        title=kwargs.pop("title", "行政处罚法精讲"),
        **kwargs,
    )


@pytest.mark.django_db
class TestTrainingHours:
    def test_sums_by_category_within_the_calendar_year(self, officer):
        credit(officer, 6, "public_law")
        credit(officer, "2.5", "professional")
        credit(officer, 8, "skills", source="field_practice")
        credit(officer, 10, "skills", on=D(2025, 12, 31))
        credit(officer, 4, "skills", on=D(2027, 1, 1))
        hours = training_hours(officer=officer, year=2026)
        assert hours == {
            "public_law": Decimal("6.0"),
            "professional": Decimal("2.5"),
            "skills": Decimal("8.0"),
            "total": Decimal("16.5"),
        }
        assert training_hours(officer=officer, year=2025)["total"] == 10

    def test_an_officer_with_no_records_has_zero_everywhere(self, officer):
        assert training_hours(officer=officer, year=2026) == dict.fromkeys(
            ["public_law", "professional", "skills", "total"], Decimal("0.0")
        )

    def test_other_officers_hours_do_not_count(self, officer, city):
        other = OfficerFactory(unit=city["township11"])
        credit(other, 12)
        assert training_hours(officer=officer, year=2026)["total"] == 0

    def test_annotating_many_officers_is_one_query(self, officer, city, django_assert_num_queries):
        other = OfficerFactory(unit=city["township12"])
        credit(officer, 6, "public_law")
        credit(officer, 3, "skills")
        credit(other, 1.5, "professional")
        with django_assert_num_queries(1):
            rows = {o.pk: o for o in officers_with_hours(officers(), year=2026)}
        assert rows[officer.pk].hours_total == Decimal("9.0")
        assert rows[officer.pk].hours_skills == Decimal("3.0")
        assert rows[other.pk].hours_professional == Decimal("1.5")
        assert rows[other.pk].hours_public_law == 0


@pytest.mark.django_db
class TestTrainingRecordCreate:
    @pytest.mark.parametrize("bad", [0, -1, "0.3", "1.25", "abc", "NaN", 201])
    def test_refuses_hours_that_are_not_positive_half_hour_steps(self, officer, bad):
        with pytest.raises(ValidationError):
            credit(officer, bad)
        assert not TrainingRecord.objects.exists()

    def test_refuses_unknown_category_and_source(self, officer):
        with pytest.raises(ValidationError):
            credit(officer, 1, "cooking")
        with pytest.raises(ValidationError):
            credit(officer, 1, source="rumour")

    def test_records_the_approver(self, officer, city):
        trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
        record = credit(officer, 2, approved_by=trainer, source="observation")
        assert record.approved_by == trainer

    def test_the_same_evidence_is_credited_once(self, officer):
        first = credit(officer, 4, evidence_key="module:7")
        second = credit(officer, 4, evidence_key="module:7")
        assert first.pk == second.pk
        assert training_hours(officer=officer, year=2026)["total"] == 4


@pytest.mark.django_db
class TestAppendOnly:
    def test_records_cannot_be_edited_or_deleted(self, officer):
        record = credit(officer, 2)
        record.hours = Decimal("20")
        with pytest.raises(LedgerImmutableError):
            record.save()
        with pytest.raises(LedgerImmutableError):
            record.delete()
        with pytest.raises(LedgerImmutableError):
            TrainingRecord.objects.filter(pk=record.pk).update(hours=5)
        with pytest.raises(LedgerImmutableError):
            TrainingRecord.objects.all().delete()
        assert TrainingRecord.objects.get(pk=record.pk).hours == 2

    def test_a_reversal_cancels_the_hours_and_keeps_both_entries(self, officer, city):
        trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
        record = credit(officer, 3)
        reversal = training_record_reverse(record=record, actor=trainer, reason="重复登记")
        assert reversal.hours == -3
        assert training_hours(officer=officer, year=2026)["total"] == 0
        assert TrainingRecord.objects.count() == 2
        with pytest.raises(ValidationError):
            training_record_reverse(record=record, actor=trainer, reason="again")
        with pytest.raises(ValidationError):
            training_record_reverse(record=reversal, actor=trainer, reason="undo")
