"""Lectures: capacity, the waiting list, attendance by code (only during the session) or roster."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest

from courses.factories import LectureFactory
from courses.models import LectureAttendance, LectureSignup, SignupStatus, TrainingRecord
from courses.selectors import training_hours
from courses.services import (
    lecture_checkin,
    lecture_roster_mark,
    lecture_signup,
    lecture_withdraw,
)
from people.factories import OfficerFactory, StaffFactory
from people.models import Role

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = pytest.mark.usefixtures("english")

NOW = timezone.now()


@pytest.fixture
def officers(city):
    return [OfficerFactory(unit=city["township11"]) for _ in range(3)]


@pytest.fixture
def lecture(city):
    return LectureFactory(
        county=city["county1"],
        capacity=2,
        starts_at=NOW + datetime.timedelta(days=1),
        ends_at=NOW + datetime.timedelta(days=1, hours=3),
    )


def during(lecture, minutes=30):
    return lecture.starts_at + datetime.timedelta(minutes=minutes)


@pytest.mark.django_db
class TestSignup:
    def test_past_capacity_goes_to_the_waiting_list_and_moves_up_on_withdrawal(
        self, officers, lecture
    ):
        first, second, third = officers
        assert lecture_signup(officer=first, lecture=lecture, now=NOW).status == "confirmed"
        assert lecture_signup(officer=second, lecture=lecture, now=NOW).status == "confirmed"
        waiting = lecture_signup(officer=third, lecture=lecture, now=NOW)
        assert waiting.status == SignupStatus.WAITING
        assert (
            LectureSignup.objects.filter(lecture=lecture, status="confirmed").count()
            == lecture.capacity
        )
        promoted = lecture_withdraw(officer=first, lecture=lecture, now=NOW)
        assert promoted.officer == third
        waiting.refresh_from_db()
        assert waiting.status == SignupStatus.CONFIRMED

    def test_a_second_signup_is_refused_and_changes_nothing(self, officers, lecture):
        lecture_signup(officer=officers[0], lecture=lecture, now=NOW)
        with pytest.raises(ValidationError, match="already signed up"):
            lecture_signup(officer=officers[0], lecture=lecture, now=NOW)
        assert LectureSignup.objects.filter(lecture=lecture).count() == 1

    def test_officers_of_another_county_cannot_sign_up(self, city, lecture):
        outsider = OfficerFactory(unit=city["township21"])
        with pytest.raises(ValidationError):
            lecture_signup(officer=outsider, lecture=lecture, now=NOW)

    def test_the_signup_page_says_when_the_lecture_is_full(self, client, officers, lecture):
        for officer in officers[:2]:
            lecture_signup(officer=officer, lecture=lecture, now=NOW)
        client.force_login(officers[2])
        response = client.post(reverse("courses:lecture_signup", args=[lecture.pk]), follow=True)
        assert "waiting list" in response.content.decode()


@pytest.mark.django_db
class TestAttendance:
    def test_the_code_during_the_session_credits_the_hours_once(self, officers, lecture):
        officer = officers[0]
        lecture_signup(officer=officer, lecture=lecture, now=NOW)
        lecture_checkin(
            officer=officer, lecture=lecture, code=lecture.attendance_code, now=during(lecture)
        )
        hours = training_hours(officer=officer, year=timezone.localdate(lecture.starts_at).year)
        assert hours["public_law"] == Decimal("3.0")
        assert TrainingRecord.objects.get(officer=officer).source == "lecture"

    def test_a_second_attendance_is_refused(self, officers, lecture):
        officer = officers[0]
        lecture_signup(officer=officer, lecture=lecture, now=NOW)
        lecture_checkin(
            officer=officer, lecture=lecture, code=lecture.attendance_code, now=during(lecture)
        )
        with pytest.raises(ValidationError, match="already recorded"):
            lecture_checkin(
                officer=officer,
                lecture=lecture,
                code=lecture.attendance_code,
                now=during(lecture, 40),
            )
        assert LectureAttendance.objects.filter(officer=officer).count() == 1
        assert TrainingRecord.objects.filter(officer=officer).count() == 1

    def test_a_code_after_the_session_ended_is_refused(self, officers, lecture):
        officer = officers[0]
        lecture_signup(officer=officer, lecture=lecture, now=NOW)
        with pytest.raises(ValidationError, match="has ended"):
            lecture_checkin(
                officer=officer,
                lecture=lecture,
                code=lecture.attendance_code,
                now=lecture.ends_at + datetime.timedelta(minutes=1),
            )
        assert not LectureAttendance.objects.exists()
        assert not TrainingRecord.objects.exists()

    def test_a_wrong_code_is_refused(self, officers, lecture):
        lecture_signup(officer=officers[0], lecture=lecture, now=NOW)
        wrong = "000000" if lecture.attendance_code != "000000" else "111111"
        with pytest.raises(ValidationError, match="not this lecture"):
            lecture_checkin(officer=officers[0], lecture=lecture, code=wrong, now=during(lecture))

    def test_the_trainer_ticks_the_roster(self, city, officers, lecture):
        trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
        for officer in officers[:2]:
            lecture_signup(officer=officer, lecture=lecture, now=NOW)
        recorded = lecture_roster_mark(
            lecture=lecture, officers=officers[:2], actor=trainer, now=during(lecture)
        )
        assert len(recorded) == 2
        again = lecture_roster_mark(
            lecture=lecture, officers=officers[:2], actor=trainer, now=during(lecture)
        )
        assert again == []
        assert TrainingRecord.objects.filter(approved_by=trainer).count() == 2

    def test_checkin_page_shows_the_error_message(self, client, officers, lecture):
        officer = officers[0]
        lecture_signup(officer=officer, lecture=lecture, now=NOW)
        client.force_login(officer)
        response = client.post(
            reverse("courses:lecture_checkin", args=[lecture.pk]), {"code": "123"}, follow=True
        )
        assert response.status_code == 200
        assert "not started" in response.content.decode()
