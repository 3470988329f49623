"""Field practice: record, evaluate every checklist item 1–5, sign, acknowledge, credit; transition rule."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest

from courses.models import ChecklistItem, ChecklistRating, TrainingRecord
from courses.selectors import training_hours
from courses.services import (
    field_evaluation_record,
    field_practice_acknowledge,
    field_session_record,
    field_session_sign,
)
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from powers.factories import PowerFactory

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = pytest.mark.usefixtures("english")

TODAY = timezone.localdate()


@pytest.fixture
def actors(city):
    specialist = StaffFactory(
        role=Role.TRAINER, unit=city["department1"], full_name="县自然资源局 刘专家"
    )
    specialist.set_password("sign-123")
    specialist.save()
    bureau_trainer = StaffFactory(role=Role.TRAINER, unit=city["bureau1"])
    bureau_trainer.set_password("sign-123")
    bureau_trainer.save()
    return {
        "specialist": specialist,
        "bureau_trainer": bureau_trainer,
        "officer": OfficerFactory(unit=city["township11"]),
        "colleague": OfficerFactory(unit=city["township12"]),
    }


@pytest.fixture
def settled_power(db):
    return PowerFactory(name="对非法占用土地建住宅的行政处罚", transition_ends=None)


@pytest.fixture
def transition_power(db):
    return PowerFactory(
        name="对未经批准擅自开采矿产资源的行政处罚",
        applies_from=TODAY - datetime.timedelta(days=30),
        transition_ends=TODAY + datetime.timedelta(days=300),
        original_department="县自然资源局",
    )


def record(actors, power, recorder="specialist", **kwargs):
    return field_session_record(
        recorded_by=actors[recorder],
        power=power,
        case_reference="城关镇执法〔2026〕12号",
        held_on=TODAY,
        place="城关镇东街村",
        hours=kwargs.pop("hours", 4),
        category="skills",
        officers=kwargs.pop("officers", [actors["officer"]]),
        **kwargs,
    )


def full_ratings(rating=4):
    return {item.pk: (rating, "规范") for item in ChecklistItem.objects.filter(active=True)}


@pytest.mark.django_db
class TestFieldPractice:
    def test_the_default_checklist_is_in_place(self):
        labels = list(ChecklistItem.objects.values_list("label", flat=True))
        assert labels == [
            "出示执法证件、表明身份",
            "告知当事人权利",
            "调查取证",
            "文书制作",
            "适用法律",
            "程序合法",
        ]

    def test_evaluate_sign_acknowledge_credits_once(self, actors, settled_power):
        session = record(actors, settled_power)
        participant = session.participants.get()
        field_evaluation_record(
            participant=participant, actor=actors["specialist"], ratings=full_ratings()
        )
        field_session_sign(session=session, actor=actors["specialist"], password="sign-123")
        session.refresh_from_db()
        assert session.signed_by == actors["specialist"] and session.signed_at is not None
        field_practice_acknowledge(participant=participant, officer=actors["officer"])
        field_practice_acknowledge(participant=participant, officer=actors["officer"])
        assert training_hours(officer=actors["officer"], year=TODAY.year)["skills"] == Decimal(
            "4.0"
        )
        record_ = TrainingRecord.objects.get(officer=actors["officer"])
        assert record_.source == "field_practice"
        assert record_.approved_by == actors["specialist"]

    def test_an_evaluation_missing_an_item_is_refused_and_saves_nothing(
        self, actors, settled_power
    ):
        session = record(actors, settled_power)
        participant = session.participants.get()
        ratings = full_ratings()
        ratings.pop(ChecklistItem.objects.get(code="rights").pk)
        with pytest.raises(ValidationError, match="告知当事人权利"):
            field_evaluation_record(
                participant=participant, actor=actors["specialist"], ratings=ratings
            )
        assert not ChecklistRating.objects.exists()
        participant.refresh_from_db()
        assert participant.evaluated_at is None

    def test_a_rating_outside_one_to_five_is_refused(self, actors, settled_power):
        session = record(actors, settled_power)
        ratings = full_ratings()
        ratings[next(iter(ratings))] = (6, "")
        with pytest.raises(ValidationError, match="1 to 5"):
            field_evaluation_record(
                participant=session.participants.get(), actor=actors["specialist"], ratings=ratings
            )

    def test_signing_needs_the_password_and_every_evaluation(self, actors, settled_power):
        session = record(actors, settled_power, officers=[actors["officer"], actors["colleague"]])
        first, _second = session.participants.all()
        field_evaluation_record(
            participant=first, actor=actors["specialist"], ratings=full_ratings()
        )
        with pytest.raises(ValidationError, match="password"):
            field_session_sign(session=session, actor=actors["specialist"], password="wrong")
        with pytest.raises(ValidationError, match="every officer"):
            field_session_sign(session=session, actor=actors["specialist"], password="sign-123")
        session.refresh_from_db()
        assert session.signed_at is None

    def test_an_officer_cannot_acknowledge_before_the_signature(self, actors, settled_power):
        session = record(actors, settled_power)
        with pytest.raises(ValidationError, match="not signed"):
            field_practice_acknowledge(
                participant=session.participants.get(), officer=actors["officer"]
            )
        assert not TrainingRecord.objects.exists()

    def test_hours_that_are_not_a_half_hour_step_are_refused(self, actors, settled_power):
        with pytest.raises(ValidationError, match="half-hour"):
            record(actors, settled_power, hours="1.3")

    def test_in_transition_a_specialist_of_the_original_department_must_take_part(
        self, actors, transition_power
    ):
        with pytest.raises(ValidationError, match="transition period"):
            record(actors, transition_power, recorder="bureau_trainer")
        session = record(
            actors, transition_power, recorder="bureau_trainer", specialists=[actors["specialist"]]
        )
        assert set(session.specialists.all()) == {actors["specialist"], actors["bureau_trainer"]}

    def test_the_evaluation_form_names_the_missing_item(self, client, actors, settled_power):
        session = record(actors, settled_power)
        participant = session.participants.get()
        data = {f"rating_{i.pk}": "4" for i in ChecklistItem.objects.all()}
        data[f"rating_{ChecklistItem.objects.get(code='evidence').pk}"] = ""
        client.force_login(actors["specialist"])
        response = client.post(reverse("courses:field_evaluate", args=[participant.pk]), data)
        assert response.status_code == 200
        assert "调查取证" in response.content.decode()
        assert not ChecklistRating.objects.exists()

    def test_the_officer_acknowledges_on_the_session_page(self, client, actors, settled_power):
        session = record(actors, settled_power)
        participant = session.participants.get()
        field_evaluation_record(
            participant=participant, actor=actors["specialist"], ratings=full_ratings()
        )
        field_session_sign(session=session, actor=actors["specialist"], password="sign-123")
        client.force_login(actors["officer"])
        page = client.get(reverse("courses:field_session", args=[session.pk]))
        assert "出示执法证件、表明身份" in page.content.decode()
        client.post(reverse("courses:field_acknowledge", args=[participant.pk]))
        assert TrainingRecord.objects.filter(officer=actors["officer"]).count() == 1

    def test_an_officer_of_another_session_gets_404(self, client, actors, settled_power):
        session = record(actors, settled_power)
        client.force_login(actors["colleague"])
        response = client.get(reverse("courses:field_session", args=[session.pk]))
        assert response.status_code == 404
