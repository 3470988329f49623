"""Validation of powers: the transition period is at most one year."""

import datetime

from django.core.exceptions import ValidationError

import pytest

from powers.factories import PowerFactory
from powers.models import transition_default_end, transition_limit

D = datetime.date


@pytest.mark.django_db
class TestPowerValidation:
    def test_a_one_year_transition_is_accepted(self):
        power = PowerFactory(applies_from=D(2026, 1, 1), transition_ends=D(2026, 12, 31))
        power.full_clean()

    def test_a_transition_longer_than_a_year_is_refused(self):
        power = PowerFactory.build(applies_from=D(2026, 1, 1), transition_ends=D(2027, 1, 2))
        with pytest.raises(ValidationError) as error:
            power.full_clean()
        assert "transition_ends" in error.value.message_dict

    def test_a_transition_cannot_end_before_it_starts(self):
        power = PowerFactory.build(applies_from=D(2026, 1, 1), transition_ends=D(2025, 12, 1))
        with pytest.raises(ValidationError):
            power.full_clean()

    def test_withdrawal_comes_after_the_start(self):
        power = PowerFactory.build(applies_from=D(2026, 1, 1), withdrawn_on=D(2026, 1, 1))
        with pytest.raises(ValidationError) as error:
            power.full_clean()
        assert "withdrawn_on" in error.value.message_dict


def test_transition_dates():
    assert transition_limit(D(2023, 6, 1)) == D(2024, 6, 1)
    assert transition_default_end(D(2023, 6, 1)) == D(2024, 5, 31)
    assert transition_limit(D(2024, 2, 29)) == D(2025, 2, 28)
