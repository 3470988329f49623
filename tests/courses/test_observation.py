"""Observation: apply → accept → host confirms → reflection (≥300 chars) → approve or return."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

import pytest

from courses.factories import PlacementFactory
from courses.models import ApplicationStatus, Reflection, TrainingRecord
from courses.selectors import training_hours
from courses.services import (
    placement_apply,
    placement_attendance_confirm,
    placement_decide,
    reflection_review,
    reflection_submit,
)
from people.factories import OfficerFactory, StaffFactory
from people.models import Role, UnitKind

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = pytest.mark.usefixtures("english")

TODAY = timezone.localdate()
GOOD_TEXT = "通过观摩县人民法院行政诉讼庭审，我认识到行政处罚程序合法的重要性。" * 12


@pytest.fixture
def court(city):
    from people.factories import UnitFactory

    return UnitFactory(name="县人民法院", kind=UnitKind.COURT, parent=city["county1"])


@pytest.fixture
def actors(city, court):
    return {
        "officer": OfficerFactory(unit=city["township11"]),
        "trainer": StaffFactory(role=Role.TRAINER, unit=city["department1"]),
        "host": StaffFactory(role=Role.HOST, unit=court),
    }


@pytest.fixture
def placement(court):
    return PlacementFactory(host_unit=court, held_on=TODAY, capacity=1)


def attended(actors, placement):
    application = placement_apply(
        officer=actors["officer"],
        placement=placement,
        now=timezone.now() - datetime.timedelta(days=1),
    )
    placement_decide(application=application, actor=actors["trainer"], accept=True)
    return placement_attendance_confirm(application=application, actor=actors["host"])


@pytest.mark.django_db
class TestPlacement:
    def test_the_whole_way_to_approved_hours(self, actors, placement):
        application = attended(actors, placement)
        upload = SimpleUploadedFile("notes.pdf", b"%PDF-1.4 notes", content_type="application/pdf")
        reflection = reflection_submit(
            application=application, officer=actors["officer"], text=GOOD_TEXT, files=[upload]
        )
        assert reflection.attachments.count() == 1
        reflection_review(application=application, reviewer=actors["trainer"], approve=True)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.APPROVED
        hours = training_hours(officer=actors["officer"], year=TODAY.year)
        assert hours["skills"] == Decimal("4.0")
        record = TrainingRecord.objects.get(officer=actors["officer"])
        assert record.approved_by == actors["trainer"]
        assert record.source == "observation"

    def test_a_too_short_reflection_is_refused_and_keeps_the_state(self, actors, placement):
        application = attended(actors, placement)
        with pytest.raises(ValidationError, match="300"):
            reflection_submit(application=application, officer=actors["officer"], text="很有收获。")
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ATTENDED
        assert not Reflection.objects.exists()

    def test_a_returned_reflection_is_answered_by_a_new_one(self, actors, placement):
        application = attended(actors, placement)
        reflection_submit(application=application, officer=actors["officer"], text=GOOD_TEXT)
        with pytest.raises(ValidationError, match="change"):
            reflection_review(application=application, reviewer=actors["trainer"], approve=False)
        reflection_review(
            application=application,
            reviewer=actors["trainer"],
            approve=False,
            comment="请结合本镇案件谈体会。",
        )
        application.refresh_from_db()
        assert application.status == ApplicationStatus.RETURNED
        assert not TrainingRecord.objects.exists()
        reflection_submit(
            application=application, officer=actors["officer"], text=GOOD_TEXT + "补充"
        )
        assert application.reflections.count() == 2

    def test_accepting_past_capacity_is_refused(self, city, actors, placement):
        other = OfficerFactory(unit=city["township12"])
        first = placement_apply(
            officer=actors["officer"],
            placement=placement,
            now=timezone.now() - datetime.timedelta(days=1),
        )
        second = placement_apply(
            officer=other, placement=placement, now=timezone.now() - datetime.timedelta(days=1)
        )
        placement_decide(application=first, actor=actors["trainer"], accept=True)
        with pytest.raises(ValidationError, match="full"):
            placement_decide(application=second, actor=actors["trainer"], accept=True)
        second.refresh_from_db()
        assert second.status == ApplicationStatus.APPLIED

    def test_a_reflection_before_the_host_confirms_is_refused(self, actors, placement):
        application = placement_apply(
            officer=actors["officer"],
            placement=placement,
            now=timezone.now() - datetime.timedelta(days=1),
        )
        with pytest.raises(ValidationError, match="confirmed"):
            reflection_submit(application=application, officer=actors["officer"], text=GOOD_TEXT)

    def test_the_reflection_page_shows_the_length_error(self, client, actors, placement):
        application = attended(actors, placement)
        client.force_login(actors["officer"])
        url = reverse("courses:reflection_submit", args=[application.pk])
        response = client.post(url, {"text": "太短"})
        assert response.status_code == 200
        assert "300" in response.content.decode()

    def test_another_officer_cannot_open_the_reflection(self, client, city, actors, placement):
        application = attended(actors, placement)
        client.force_login(OfficerFactory(unit=city["township11"]))
        response = client.get(reverse("courses:reflection_submit", args=[application.pk]))
        assert response.status_code == 404

    def test_a_trainer_of_another_county_cannot_review(self, client, city, actors, placement):
        application = attended(actors, placement)
        reflection_submit(application=application, officer=actors["officer"], text=GOOD_TEXT)
        client.force_login(StaffFactory(role=Role.TRAINER, unit=city["department2"]))
        response = client.get(reverse("courses:reflection_review", args=[application.pk]))
        assert response.status_code == 404


@pytest.mark.django_db
def test_the_host_is_told_when_confirming_attendance_opens(client, actors, court):
    later = PlacementFactory(host_unit=court, held_on=TODAY + datetime.timedelta(days=3))
    application = placement_apply(placement=later, officer=actors["officer"])
    placement_decide(application=application, actor=actors["host"], accept=True)
    client.force_login(actors["host"])
    page = client.get(reverse("courses:placement_manage", args=[later.pk]))
    text = page.content.decode()
    assert "Confirm attendance" not in text
    day = later.held_on.strftime("%Y-%m-%d")
    assert f"Attendance can be confirmed from {day}, the day of the placement." in text
