"""Studying cases: reading plus the quiz credits hours once; supervisors require cases of their units."""

from decimal import Decimal

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from cases.models import CaseAssignment, CaseCompletion, CaseReading
from cases.selectors import cases_assigned_pending
from cases.services import case_assign, case_reading_record
from courses.models import TrainingRecord
from courses.selectors import training_hours
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from quizzes.models import Attempt, Quiz
from quizzes.signals import attempt_graded


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The library caches its filter choices; every test starts without them."""
    cache.clear()


YEAR = timezone.localdate().year


@pytest.fixture
def library(db):
    return CaseLibraryPageFactory()


@pytest.fixture
def officer(city):
    return OfficerFactory(unit=city["township11"])


@pytest.fixture
def quiz(db):
    return Quiz.objects.create(title="秸秆禁烧案例测验", is_draft=False)


def pass_quiz(user, quiz):
    """What the quiz engine does when an attempt is graded: record it, then send the signal."""
    number = Attempt.objects.filter(quiz=quiz, user=user).count() + 1
    attempt = Attempt.objects.create(
        quiz=quiz,
        user=user,
        number=number,
        status="graded",
        score=90,
        passed=True,
        finished_at=timezone.now(),
    )
    attempt_graded.send(sender=Attempt, attempt=attempt)
    return attempt


def hours(officer):
    return training_hours(officer=officer, year=YEAR)["professional"]


@pytest.mark.django_db
class TestCrediting:
    def test_reading_a_case_without_a_quiz_credits_its_hours_once(self, client, officer, library):
        case = CasePageFactory(parent=library, study_hours=Decimal("1.5"))
        client.force_login(officer)
        url = reverse("cases:case_read", args=[case.pk])
        response = client.post(url, follow=True)
        assert response.status_code == 200
        assert response.context["study"].completed
        assert 'class="badge badge--ok"' in response.text
        client.post(url)
        assert hours(officer) == Decimal("1.5")
        record = TrainingRecord.objects.get(officer=officer)
        assert record.source == "online" and record.evidence_key == f"case:{case.pk}"

    def test_with_a_quiz_the_hours_wait_for_the_pass_and_come_once(
        self, client, officer, library, quiz
    ):
        case = CasePageFactory(parent=library, study_hours=2, quiz=quiz)
        client.force_login(officer)
        client.post(reverse("cases:case_read", args=[case.pk]))
        assert CaseReading.objects.filter(officer=officer, page=case).exists()
        assert hours(officer) == 0
        assert reverse("cases:case_read", args=[case.pk]) not in client.get(case.url).text
        pass_quiz(officer, quiz)
        assert hours(officer) == 2
        pass_quiz(officer, quiz)  # a second passing attempt
        client.post(reverse("cases:case_read", args=[case.pk]))
        assert hours(officer) == 2
        assert TrainingRecord.objects.filter(officer=officer).count() == 1

    def test_passing_the_quiz_before_reading_credits_on_reading(self, officer, library, quiz):
        case = CasePageFactory(parent=library, study_hours=1, quiz=quiz)
        pass_quiz(officer, quiz)
        assert hours(officer) == 0
        case_reading_record(officer=officer, page=case)
        assert hours(officer) == 1

    def test_someone_who_is_not_an_officer_earns_nothing(self, client, city, library):
        trainer = StaffFactory(role=Role.TRAINER, unit=city["county1"])
        case = CasePageFactory(parent=library, study_hours=1)
        client.force_login(trainer)
        assert reverse("cases:case_read", args=[case.pk]) not in client.get(case.url).text
        response = client.post(reverse("cases:case_read", args=[case.pk]), follow=True)
        assert response.status_code == 200
        assert not CaseReading.objects.exists() and not TrainingRecord.objects.exists()

    def test_an_unpublished_case_cannot_be_read(self, client, officer, library):
        draft = CasePageFactory(parent=library, publish=False)
        client.force_login(officer)
        assert client.post(reverse("cases:case_read", args=[draft.pk])).status_code == 404


@pytest.mark.django_db
class TestAssignments:
    @pytest.fixture
    def supervisor(self, city):
        return StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])

    @pytest.fixture
    def bureau(self, city):
        return StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"])

    def test_an_officer_sees_a_required_case_on_the_home_page_until_done(
        self, client, officer, supervisor, library, city
    ):
        case = CasePageFactory(parent=library, title="非法占地建房案")
        client.force_login(supervisor)
        response = client.post(
            reverse("cases:case_assignments"),
            {"page": case.pk, "unit": city["township11"].pk, "due_on": ""},
            follow=True,
        )
        assert response.status_code == 200
        assert CaseAssignment.objects.filter(page=case, unit=city["township11"]).exists()
        client.force_login(officer)
        assert "非法占地建房案" in client.get(reverse("home")).text
        client.post(reverse("cases:case_read", args=[case.pk]))
        assert CaseCompletion.objects.filter(officer=officer, page=case).exists()
        assert "非法占地建房案" not in client.get(reverse("home")).text

    def test_a_county_assignment_reaches_every_township_of_the_county_only(
        self, bureau, library, city
    ):
        case = CasePageFactory(parent=library)
        case_assign(actor=bureau, page=case, unit=city["county1"])
        near = OfficerFactory(unit=city["township12"])
        far = OfficerFactory(unit=city["township21"])
        assert [p.page for p in cases_assigned_pending(officer=near)] == [case]
        assert cases_assigned_pending(officer=far) == []

    def test_a_supervisor_cannot_assign_outside_their_township(
        self, client, supervisor, bureau, library, city
    ):
        case = CasePageFactory(parent=library)
        client.force_login(supervisor)
        response = client.post(
            reverse("cases:case_assignments"), {"page": case.pk, "unit": city["township12"].pk}
        )
        assert response.status_code == 200
        assert "unit" in response.context["form"].errors
        assert not CaseAssignment.objects.exists()

    def test_officers_and_trainers_cannot_open_the_assignment_page(self, client, officer, city):
        client.force_login(officer)
        assert client.get(reverse("cases:case_assignments")).status_code == 403

    def test_withdrawing_another_countys_assignment_is_not_found(self, client, library, city):
        case = CasePageFactory(parent=library)
        other_bureau = StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau2"])
        assignment = case_assign(actor=other_bureau, page=case, unit=city["township21"])
        me = StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"])
        client.force_login(me)
        url = reverse("cases:case_assignment_withdraw", args=[assignment.pk])
        assert client.post(url).status_code == 404
        assignment.refresh_from_db()
        assert assignment.active

    def test_the_assignment_page_shows_progress_in_a_fixed_number_of_queries(
        self, client, bureau, library, city, django_assert_max_num_queries
    ):
        officers = [OfficerFactory(unit=city["township11"]) for _ in range(3)]
        OfficerFactory(unit=city["township21"])
        for n in range(4):
            case = CasePageFactory(parent=library, title=f"案例{n}")
            case_assign(actor=bureau, page=case, unit=city["county1"])
        case_reading_record(officer=officers[0], page=case)
        client.force_login(bureau)
        client.get(reverse("cases:case_assignments"))
        # 15 for the page and its counts, 5 for who has and hasn't studied each case.
        with django_assert_max_num_queries(20):
            response = client.get(reverse("cases:case_assignments"))
        first = response.context["assignments"][0]
        assert (first.done_count, first.officer_count) == (1, 3)
        assert "<details" in response.text
        withdraw = reverse("cases:case_assignment_withdraw", args=[first.pk])
        client.post(withdraw)
        first.refresh_from_db()
        assert first.withdrawn_by == bureau


@pytest.mark.django_db
def test_the_studied_counter_opens_to_who_has_and_has_not_studied_in_the_viewers_area(
    client, library, city
):
    supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
    bureau = StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"])
    case = CasePageFactory(parent=library, title="非法占地建房案")
    case_assign(actor=bureau, page=case, unit=city["county1"])
    done = OfficerFactory(unit=city["township11"], full_name="张已学")
    OfficerFactory(unit=city["township11"], full_name="李未学")
    OfficerFactory(unit=city["township12"], full_name="王邻镇")
    case_reading_record(officer=done, page=case)

    client.force_login(supervisor)
    page = client.get(reverse("cases:case_assignments")).text
    studied, not_yet = page.split("<details", 1)[1].split("</details>")[0].split("<h3>", 2)[1:]
    assert "<summary>1 / 2</summary>" in page
    assert "张已学" in studied and "李未学" not in studied
    assert "李未学" in not_yet and "张已学" not in not_yet
    assert "王邻镇" not in page  # another township's officer: not the supervisor's to see
    assert reverse("certification:officer", args=[done.pk]) in studied

    client.force_login(bureau)
    page = client.get(reverse("cases:case_assignments")).text
    assert "<summary>1 / 3</summary>" in page and "王邻镇" in page
