"""Training findings of the probe of the demo site: the study clock, lecture check-in codes,
who may sign up for lectures, and staff of one county acting on another county's lectures,
placements and reflections.

Finding 9:  lessons open side by side share the real time (docs/study-clock.md).
Finding 12: at most five attendance-code tries per officer and lecture in ten minutes.
Finding 13: only officers sign up for lectures, check in and are credited from the roster.
Finding 3:  a lecture's code and roster, attendance crediting, placement decisions and
            reflection reviews stay inside the user's own area (404 outside it).
"""

import datetime
import types

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest

from courses.factories import LectureFactory, PlacementFactory, lesson_create, module_create
from courses.models import (
    ApplicationStatus,
    LectureAttendance,
    LectureSignup,
    LessonProgress,
    ReflectionReview,
    SignupStatus,
    TrainingRecord,
)
from courses.services import training as svc
from people import ratelimit
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from people.services import role_assign

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REFLECTION_TEXT = "通过观摩县人民法院行政诉讼庭审，我认识到行政处罚程序合法的重要性。" * 12


@pytest.fixture
def officer(city):
    return OfficerFactory(unit=city["township11"], full_name="李执法")


@pytest.fixture
def clock(monkeypatch):
    """Simulated wall-clock time for everything that asks `timezone.now()`."""
    state = types.SimpleNamespace(now=timezone.now())

    def advance(**delta):
        state.now += datetime.timedelta(**delta)

    state.advance = advance
    monkeypatch.setattr(timezone, "now", lambda: state.now)
    return state


def _studied(officer, lessons, now) -> datetime.timedelta:
    rows = LessonProgress.objects.filter(officer=officer, lesson__in=[x.pk for x in lessons])
    return sum((row.studied_by(now) for row in rows), datetime.timedelta(0))


def _running_clocks(officer) -> int:
    return LessonProgress.objects.filter(officer=officer, clock_started_at__isnull=False).count()


# --- Finding 9: the study clock -------------------------------------------------------------


class TestStudyClock:
    def test_parallel_tabs_heartbeating_two_lessons_share_the_wall_clock(
        self, client, officer, clock
    ):
        module = module_create(title="行政处罚程序")
        first = lesson_create(module=module, title="第一课", min_study_minutes=10)
        second = lesson_create(module=module, title="第二课", min_study_minutes=10)
        client.force_login(officer)
        started = clock.now
        assert client.get(first.url).status_code == 200
        assert client.get(second.url).status_code == 200

        def beat(lesson):
            response = client.post(reverse("courses:lesson_heartbeat", args=[lesson.pk]))
            assert response.status_code == 200
            assert _running_clocks(officer) == 1
            return response.json()

        # Both tabs report in, in turn, for the ten minutes one lesson needs.
        for _ in range(20):
            clock.advance(seconds=15)
            beat(first)
            clock.advance(seconds=15)
            beat(second)
        elapsed = clock.now - started
        assert elapsed == datetime.timedelta(minutes=10)
        assert _studied(officer, [first, second], clock.now) <= elapsed
        for lesson in (first, second):
            client.post(reverse("courses:lesson_complete", args=[lesson.pk]))
        assert not LessonProgress.objects.filter(
            officer=officer, completed_at__isnull=False
        ).exists(), "two lessons completed in the time of one"

        # Ten more minutes of the same: now each has had its ten minutes.
        for _ in range(20):
            clock.advance(seconds=15)
            beat(first)
            clock.advance(seconds=15)
            answer = beat(second)
        assert answer == {"completed": False, "remaining_seconds": 0}
        assert _studied(officer, [first, second], clock.now) <= clock.now - started
        for lesson in (first, second):
            client.post(reverse("courses:lesson_complete", args=[lesson.pk]))
        assert (
            LessonProgress.objects.filter(officer=officer, completed_at__isnull=False).count() == 2
        )
        assert TrainingRecord.objects.filter(officer=officer, evidence_key=f"module:{module.pk}")

    def test_all_lessons_of_two_modules_opened_at_once_earn_only_the_time_that_passed(
        self, officer
    ):
        """The probe: 85 minutes of required study done in 15 by opening everything at once."""
        minutes = {"m1": (25, 20), "m2": (20, 20)}
        lessons = []
        for title, mins in minutes.items():
            module = module_create(title=title)
            lessons += [lesson_create(module=module, min_study_minutes=m) for m in mins]
        start = timezone.now()
        for lesson in lessons:
            svc.lesson_open(officer=officer, lesson=lesson, now=start)
        # Every tab reloads in turn, every 30 seconds, for 25 minutes.
        now = start
        while now < start + datetime.timedelta(minutes=25):
            for lesson in lessons:
                now += datetime.timedelta(seconds=30) / len(lessons)
                svc.lesson_open(officer=officer, lesson=lesson, now=now)
        completed = datetime.timedelta(0)
        for lesson in lessons:
            try:
                svc.lesson_complete(officer=officer, lesson=lesson, now=now)
            except ValidationError:
                continue
            completed += datetime.timedelta(minutes=lesson.min_study_minutes)
        assert completed <= now - start, f"{completed} of study completed in {now - start}"
        assert not TrainingRecord.objects.filter(officer=officer).exists()
        assert _studied(officer, lessons, now) <= now - start

    def test_opening_another_lesson_pauses_the_first_and_the_refusal_says_so(self, officer):
        module = module_create()
        first = lesson_create(module=module, min_study_minutes=10)
        second = lesson_create(module=module, min_study_minutes=10)
        start = timezone.now()
        svc.lesson_open(officer=officer, lesson=first, now=start)
        svc.lesson_open(officer=officer, lesson=second, now=start + datetime.timedelta(minutes=4))
        with pytest.raises(ValidationError, match="one lesson at a time"):
            svc.lesson_complete(
                officer=officer, lesson=first, now=start + datetime.timedelta(minutes=30)
            )
        # Back on the first lesson, its clock runs on from its four minutes.
        back = start + datetime.timedelta(minutes=30)
        svc.lesson_open(officer=officer, lesson=first, now=back)
        progress = svc.lesson_complete(
            officer=officer, lesson=first, now=back + datetime.timedelta(minutes=6)
        )
        assert progress.time_studied == datetime.timedelta(minutes=10)
        assert _running_clocks(officer) == 0

    def test_a_heartbeat_for_a_lesson_never_opened_starts_nothing(self, client, officer):
        lesson = lesson_create(module=module_create())
        client.force_login(officer)
        response = client.post(reverse("courses:lesson_heartbeat", args=[lesson.pk]))
        assert response.status_code == 409
        assert not LessonProgress.objects.filter(officer=officer).exists()


# --- Finding 12: attendance-code attempts ----------------------------------------------------


@pytest.fixture
def window(monkeypatch):
    """The rate limiter's clock, held in the middle of a ten-minute window."""
    state = types.SimpleNamespace(now=600 * 3_000_000 + 60.0)
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: state.now))
    return state


@pytest.fixture
def lecture_on(city, officer):
    """A lecture on now, with `officer` holding a confirmed place."""
    now = timezone.now()
    lecture = LectureFactory(
        county=city["county1"],
        starts_at=now - datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(hours=2),
    )
    svc.lecture_signup(officer=officer, lecture=lecture, now=now - datetime.timedelta(days=1))
    return lecture


def _wrong(lecture) -> str:
    return "000000" if lecture.attendance_code != "000000" else "111111"


class TestCheckinAttempts:
    def test_after_five_wrong_codes_even_the_right_one_waits_for_the_next_window(
        self, officer, lecture_on, window
    ):
        for _ in range(5):
            with pytest.raises(ValidationError, match="not this lecture"):
                svc.lecture_checkin(officer=officer, lecture=lecture_on, code=_wrong(lecture_on))
        with pytest.raises(ValidationError, match="Too many wrong attendance codes") as refused:
            svc.lecture_checkin(
                officer=officer, lecture=lecture_on, code=lecture_on.attendance_code
            )
        assert "Try again after" in refused.value.messages[0]
        assert not LectureAttendance.objects.exists()
        assert not TrainingRecord.objects.exists()

        window.now += 600
        svc.lecture_checkin(officer=officer, lecture=lecture_on, code=lecture_on.attendance_code)
        assert LectureAttendance.objects.filter(officer=officer, lecture=lecture_on).exists()

    def test_the_limit_is_per_officer_and_lecture(self, city, officer, lecture_on, window):
        colleague = OfficerFactory(unit=city["township11"])
        now = timezone.now()
        svc.lecture_signup(
            officer=colleague, lecture=lecture_on, now=now - datetime.timedelta(days=1)
        )
        other = LectureFactory(
            county=city["county1"],
            starts_at=lecture_on.starts_at,
            ends_at=lecture_on.ends_at,
        )
        svc.lecture_signup(officer=officer, lecture=other, now=now - datetime.timedelta(days=1))
        for _ in range(6):
            with pytest.raises(ValidationError):
                svc.lecture_checkin(officer=officer, lecture=lecture_on, code=_wrong(lecture_on))
        svc.lecture_checkin(officer=colleague, lecture=lecture_on, code=lecture_on.attendance_code)
        svc.lecture_checkin(officer=officer, lecture=other, code=other.attendance_code)
        assert LectureAttendance.objects.count() == 2

    def test_the_page_says_when_to_try_again_without_a_stack_trace(
        self, client, officer, lecture_on, window
    ):
        client.force_login(officer)
        url = reverse("courses:lecture_checkin", args=[lecture_on.pk])
        for _ in range(5):
            client.post(url, {"code": _wrong(lecture_on)})
        response = client.post(url, {"code": lecture_on.attendance_code}, follow=True)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Too many wrong attendance codes" in body
        assert "Try again after" in body
        assert "Traceback" not in body
        assert not LectureAttendance.objects.exists()


# --- Finding 13: lectures are for officers ---------------------------------------------------

NOT_OFFICERS = {
    Role.HOST: "department1",
    Role.JUSTICE_BUREAU: "bureau1",
    Role.TOWNSHIP_SUPERVISOR: "township11",
    Role.TRAINER: "department1",
}


@pytest.fixture
def lecture(city):
    return LectureFactory(county=city["county1"])


class TestOnlyOfficers:
    @pytest.mark.parametrize("role", list(NOT_OFFICERS))
    def test_others_cannot_sign_up_and_are_not_offered_the_button(
        self, client, city, lecture, role
    ):
        person = StaffFactory(role=role, unit=city[NOT_OFFICERS[role]])
        with pytest.raises(ValidationError, match="only an officer"):
            svc.lecture_signup(officer=person, lecture=lecture)
        client.force_login(person)
        detail = client.get(reverse("courses:lecture_detail", args=[lecture.pk]))
        assert reverse("courses:lecture_signup", args=[lecture.pk]) not in detail.content.decode()
        response = client.post(reverse("courses:lecture_signup", args=[lecture.pk]), follow=True)
        assert "only an officer" in response.content.decode()
        assert not LectureSignup.objects.filter(officer=person).exists()

    def test_an_officer_is_offered_the_button(self, client, officer, lecture):
        client.force_login(officer)
        detail = client.get(reverse("courses:lecture_detail", args=[lecture.pk]))
        assert reverse("courses:lecture_signup", args=[lecture.pk]) in detail.content.decode()

    def test_a_host_signed_up_earlier_cannot_check_in_nor_be_credited_from_the_roster(
        self, client, city, officer
    ):
        now = timezone.now()
        lecture = LectureFactory(
            county=city["county1"],
            starts_at=now - datetime.timedelta(minutes=10),
            ends_at=now + datetime.timedelta(hours=2),
        )
        host = StaffFactory(role=Role.HOST, unit=city["department1"], full_name="冯接待")
        # A sign-up made before the rule existed.
        LectureSignup.objects.create(
            lecture=lecture,
            officer=host,
            status=SignupStatus.CONFIRMED,
            signed_up_at=now - datetime.timedelta(days=2),
            changed_at=now - datetime.timedelta(days=2),
        )
        svc.lecture_signup(officer=officer, lecture=lecture, now=now - datetime.timedelta(days=1))
        with pytest.raises(ValidationError, match="only an officer"):
            svc.lecture_checkin(officer=host, lecture=lecture, code=lecture.attendance_code)

        trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
        with pytest.raises(ValidationError, match="not an officer"):
            svc.lecture_roster_mark(lecture=lecture, officers=[officer, host], actor=trainer)
        assert not LectureAttendance.objects.exists()
        assert not TrainingRecord.objects.exists()

        client.force_login(trainer)
        page = client.get(reverse("courses:lecture_detail", args=[lecture.pk])).content.decode()
        assert officer.full_name in page
        assert "冯接待" not in page
        client.post(reverse("courses:lecture_roster", args=[lecture.pk]), {"officer": [host.pk]})
        assert not LectureAttendance.objects.filter(officer=host).exists()


# --- Finding 3: another county's lectures, placements and reflections ---------------------------


@pytest.fixture
def staff(city):
    return {
        "trainer1": StaffFactory(role=Role.TRAINER, unit=city["department1"]),
        "trainer2": StaffFactory(role=Role.TRAINER, unit=city["department2"]),
        "host1": StaffFactory(role=Role.HOST, unit=city["department1"]),
    }


@pytest.fixture
def lecture_of_county1(city, officer, staff):
    """County 1's lecture, on now, whose lecturer account was set to county 2's trainer."""
    now = timezone.now()
    lecture = LectureFactory(
        county=city["county1"],
        lecturer=staff["trainer2"],
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=2),
    )
    svc.lecture_signup(officer=officer, lecture=lecture, now=now - datetime.timedelta(days=1))
    return lecture


class TestAnotherCounty:
    def test_a_county2_lecturer_sees_neither_code_nor_roster_of_county1s_lecture(
        self, client, officer, staff, lecture_of_county1
    ):
        client.force_login(staff["trainer2"])
        response = client.get(reverse("courses:lecture_detail", args=[lecture_of_county1.pk]))
        assert response.status_code == 404
        assert lecture_of_county1.attendance_code not in response.content.decode()

    def test_a_county2_trainer_cannot_credit_attendance_at_county1s_lecture(
        self, client, officer, staff, lecture_of_county1
    ):
        client.force_login(staff["trainer2"])
        response = client.post(
            reverse("courses:lecture_roster", args=[lecture_of_county1.pk]),
            {"officer": [officer.pk]},
        )
        assert response.status_code == 404
        with pytest.raises(ValidationError, match="in your area"):
            svc.lecture_roster_mark(
                lecture=lecture_of_county1, officers=[officer], actor=staff["trainer2"]
            )
        assert not LectureAttendance.objects.exists()
        assert not TrainingRecord.objects.exists()

    def test_county1s_trainer_credits_the_roster_and_is_recorded_as_approver(
        self, client, officer, staff, lecture_of_county1
    ):
        client.force_login(staff["trainer1"])
        page = client.get(reverse("courses:lecture_detail", args=[lecture_of_county1.pk]))
        assert lecture_of_county1.attendance_code in page.content.decode()
        client.post(
            reverse("courses:lecture_roster", args=[lecture_of_county1.pk]),
            {"officer": [officer.pk]},
        )
        attendance = LectureAttendance.objects.get(officer=officer)
        assert attendance.recorded_by == staff["trainer1"]
        assert TrainingRecord.objects.get(officer=officer).approved_by == staff["trainer1"]

    @pytest.fixture
    def submitted(self, city, officer, staff):
        placement = PlacementFactory(host_unit=city["department1"], held_on=timezone.localdate())
        application = svc.placement_apply(officer=officer, placement=placement)
        svc.placement_decide(application=application, actor=staff["trainer1"], accept=True)
        svc.placement_attendance_confirm(application=application, actor=staff["host1"])
        svc.reflection_submit(application=application, officer=officer, text=REFLECTION_TEXT)
        return application

    def test_a_county2_trainer_cannot_manage_or_decide_county1s_placement(
        self, client, city, officer, staff
    ):
        placement = PlacementFactory(host_unit=city["department1"])
        application = svc.placement_apply(officer=officer, placement=placement)
        client.force_login(staff["trainer2"])
        manage = client.get(reverse("courses:placement_manage", args=[placement.pk]))
        assert manage.status_code == 404
        decide = client.post(
            reverse("courses:placement_decide", args=[application.pk]), {"accept": "1"}
        )
        assert decide.status_code == 404
        application.refresh_from_db()
        assert application.status == ApplicationStatus.APPLIED

    def test_a_host_role_on_another_countys_unit_confirms_nothing(
        self, client, city, officer, staff
    ):
        placement = PlacementFactory(host_unit=city["department1"], held_on=timezone.localdate())
        application = svc.placement_apply(officer=officer, placement=placement)
        svc.placement_decide(application=application, actor=staff["trainer1"], accept=True)
        stray = StaffFactory(role=Role.HOST, unit=city["department2"])
        role_assign(user=stray, role=Role.HOST, unit=city["department1"])  # granted by mistake
        client.force_login(stray)
        response = client.post(reverse("courses:placement_confirm", args=[application.pk]))
        assert response.status_code == 404
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ACCEPTED

    def test_a_county2_trainer_cannot_approve_a_reflection_on_county1s_placement(
        self, client, city, officer, staff, submitted
    ):
        # The officer has since moved to county 2: the reviewer now sees them, yet the
        # placement (and its hours) belongs to county 1.
        officer.unit = city["township21"]
        officer.save(update_fields=["unit"])
        client.force_login(staff["trainer2"])
        url = reverse("courses:reflection_review", args=[submitted.pk])
        assert client.get(url).status_code == 404
        response = client.post(url, {"decision": "approve", "comment": ""})
        assert response.status_code == 404
        assert not ReflectionReview.objects.exists()
        assert not TrainingRecord.objects.exists()

    def test_county1s_trainer_approves_and_is_recorded_as_approver(
        self, client, officer, staff, submitted
    ):
        client.force_login(staff["trainer1"])
        client.post(
            reverse("courses:reflection_review", args=[submitted.pk]),
            {"decision": "approve", "comment": ""},
        )
        record = TrainingRecord.objects.get(officer=officer)
        assert record.approved_by == staff["trainer1"]
        assert ReflectionReview.objects.get().reviewer == staff["trainer1"]
