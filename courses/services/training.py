"""Write-side rules of the three kinds of training: what turns work into approved hours.

Every path ends in `training_record_create` with a stable `evidence_key`, so a repeated
last step (a double click, a retried task, a second visit) never credits twice:

- coverage online:   `lesson_complete` → `module_credit_if_complete`   key `module:<id>`
- coverage lecture:  `lecture_checkin` / `lecture_roster_mark`          key `lecture:<id>`
- observation:       `reflection_review` (approve)                      key `placement:<id>`
- field practice:    `field_practice_acknowledge`                       key `field_practice:<id>`

Each function checks its input and raises `ValidationError` with a sentence for the
officer; it does so before writing anything, inside one transaction, so a refused step
leaves what was saved before exactly as it was.
"""

import datetime
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from people.models import OrgUnit, Role, RoleAssignment, UnitKind, User
from people.ratelimit import RateLimit
from people.roles import group_name
from people.selectors import officers_visible_to, unit_county, units_visible_to, user_roles
from powers.models import Power

from ..models.ledger import TrainingRecord, TrainingSource
from ..models.moderation import CountyApprovalTask
from ..models.training import (
    REFLECTION_MIN_CHARS,
    ApplicationStatus,
    AttendanceMethod,
    ChecklistItem,
    ChecklistRating,
    CountySectionPage,
    FieldPracticeParticipant,
    FieldPracticeSession,
    Lecture,
    LectureAttendance,
    LectureSignup,
    LessonPage,
    LessonProgress,
    ModuleKind,
    Placement,
    PlacementApplication,
    Reflection,
    ReflectionAttachment,
    ReflectionReview,
    ReviewDecision,
    SignupStatus,
    TrainingIndexPage,
    TrainingModulePage,
)
from .ledger import hours_validate, training_record_create

__all__ = [
    "attendance_code_new",
    "lesson_open",
    "lesson_heartbeat",
    "lesson_complete",
    "module_credit_if_complete",
    "lecture_signup",
    "lecture_withdraw",
    "lecture_checkin",
    "lecture_roster_mark",
    "CHECKIN_ATTEMPTS",
    "placement_apply",
    "placement_decide",
    "placement_attendance_confirm",
    "reflection_submit",
    "reflection_review",
    "checklist_items_ensure_defaults",
    "field_session_record",
    "field_session_transition_check",
    "field_evaluation_record",
    "field_session_sign",
    "field_practice_acknowledge",
    "county_groups_ensure",
    "county_section_ensure",
    "moderation_workflow_ensure",
    "county_groups_follow_role",
    "DEFAULT_CHECKLIST",
]


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


# --- Coverage: online lessons -----------------------------------------------------------


def _study_clock_rows(*, officer: User, lesson: LessonPage) -> tuple[LessonProgress | None, list]:
    """The officer's progress on `lesson`, and every other lesson whose clock runs."""
    rows = list(
        LessonProgress.objects.filter(officer=officer).filter(
            Q(lesson=lesson) | Q(clock_started_at__isnull=False)
        )
    )
    here = next((row for row in rows if row.lesson_id == lesson.pk), None)
    return here, [row for row in rows if row.lesson_id != lesson.pk]


def _study_clock_move(
    *, officer: User, lesson: LessonPage, now: datetime.datetime, create: bool
) -> LessonProgress | None:
    """Stop the officer's clock wherever else it runs, then run it on `lesson` (unless the
    lesson is complete). Returns the lesson's progress; None if there is none and `create`
    is false.

    The first read takes no lock: reloading the lesson already being studied (the usual
    case, and every heartbeat) changes nothing and costs one query. Anything else moves
    the clock under a lock on the officer's row, so two tabs opening two lessons at the
    same instant take turns instead of leaving both clocks running."""
    here, elsewhere = _study_clock_rows(officer=officer, lesson=lesson)
    settled = here is not None and (here.completed_at or here.clock_started_at)
    if settled and not elsewhere:
        return here
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=officer.pk)
        here, elsewhere = _study_clock_rows(officer=officer, lesson=lesson)
        for other in elsewhere:
            other.time_studied = other.studied_by(now)
            other.clock_started_at = None
            other.save(update_fields=["time_studied", "clock_started_at"])
        if here is None:
            if not create:
                return None
            return LessonProgress.objects.create(
                officer=officer, lesson=lesson, opened_at=now, clock_started_at=now
            )
        if here.completed_at is None and here.clock_started_at is None:
            here.clock_started_at = now
            here.save(update_fields=["clock_started_at"])
        return here


def lesson_open(
    *, officer: User, lesson: LessonPage, now: datetime.datetime | None = None
) -> LessonProgress:
    """The officer has the lesson in front of them: its study clock runs, and stops on any
    other lesson (one clock per officer, docs/study-clock.md). The first visit records when
    the lesson was first opened; later visits keep that time and the time studied."""
    return _study_clock_move(officer=officer, lesson=lesson, now=_now(now), create=True)


def lesson_heartbeat(
    *, officer: User, lesson: LessonPage, now: datetime.datetime | None = None
) -> LessonProgress:
    """The lesson's page, in front of the officer, reports in (every minute while visible):
    the clock moves to this lesson as in `lesson_open`. A lesson never opened is refused."""
    progress = _study_clock_move(officer=officer, lesson=lesson, now=_now(now), create=False)
    if progress is None:
        raise ValidationError(_("Open the lesson and study it before marking it complete."))
    return progress


@transaction.atomic
def lesson_complete(
    *, officer: User, lesson: LessonPage, now: datetime.datetime | None = None
) -> LessonProgress:
    """Mark a lesson complete, once the officer has studied it for its minimum time.

    The clock is the server's and there is one per officer (`lesson_open`): the time
    counted is what the lesson's clock ran, not the time since it was first opened, so
    lessons opened side by side share the real time and no browser timer can be skipped.
    Completing the last required lesson credits the module (`module_credit_if_complete`).
    """
    now = _now(now)
    User.objects.select_for_update().only("pk").get(pk=officer.pk)  # see _study_clock_move
    progress = (
        LessonProgress.objects.select_for_update().filter(officer=officer, lesson=lesson).first()
    )
    if progress is None:
        raise ValidationError(_("Open the lesson and study it before marking it complete."))
    if progress.completed_at is None:
        studied = progress.studied_by(now)
        needed = datetime.timedelta(minutes=lesson.min_study_minutes)
        if studied < needed:
            remaining = needed - studied
            minutes = int(remaining.total_seconds() // 60) + 1
            message = _(
                "This lesson needs at least %(needed)s minutes of study; "
                "please keep studying for about %(minutes)s more minute(s)."
            ) % {"needed": lesson.min_study_minutes, "minutes": minutes}
            if progress.clock_started_at is None:
                message += " " + _(
                    "Study time counts for one lesson at a time: this lesson's clock "
                    "stopped when you opened another one, and runs again while it is open."
                )
            raise ValidationError(message)
        progress.time_studied = studied
        progress.clock_started_at = None
        progress.completed_at = now
        progress.save(update_fields=["time_studied", "clock_started_at", "completed_at"])
    module = TrainingModulePage.objects.filter(
        path=lesson.path[: -lesson.steplen], depth=lesson.depth - 1
    ).first()
    if module is not None:
        module_credit_if_complete(officer=officer, module=module, on=timezone.localdate(now))
    return progress


def module_credit_if_complete(
    *, officer: User, module: TrainingModulePage, on: datetime.date | None = None
) -> TrainingRecord | None:
    """Credit a coverage module's hours once every required lesson is complete and every
    quiz placed in it is passed; None while something is still missing. Idempotent."""
    from ..selectors.training import module_outstanding

    if module.kind != ModuleKind.COVERAGE or not module.live:
        return None
    outstanding = module_outstanding(officer=officer, module=module)
    if outstanding.lessons or outstanding.quizzes or not outstanding.has_lessons:
        return None
    return training_record_create(
        officer=officer,
        hours=module.credit_hours,
        category=module.category,
        completed_on=on or timezone.localdate(),
        source=TrainingSource.ONLINE,
        title=module.title,
        evidence=module,
        evidence_key=f"module:{module.pk}",
    )


# --- Coverage: lectures -----------------------------------------------------------------


def attendance_code_new() -> str:
    """A six-digit code a lecturer reads out; unguessable enough for one session."""
    return f"{secrets.randbelow(10**6):06d}"


#: Attendance codes one officer may try for one lecture in ten minutes. Every try counts
#: (the right code ends the need for more), so a burst of parallel guesses cannot slip
#: past the counter; once it is used up even the right code waits for the next window.
CHECKIN_ATTEMPTS = RateLimit(scope="lecture_checkin", limit=5, window=600)


def _lecture_open_to(officer: User, lecture: Lecture) -> bool:
    return officer.unit is not None and officer.unit.path.startswith(lecture.county.path)


def _officer_required(user: User) -> None:
    """Lectures credit officers' hours: hosts, reviewers and supervisors neither sign up nor
    check in, even when their unit lies in the lecture's county."""
    if Role.OFFICER not in user_roles(user):
        raise ValidationError(
            _("Lectures are for officers: only an officer can sign up or check in.")
        )


def _checkin_attempt(*, officer: User, lecture: Lecture) -> None:
    key = f"{officer.pk}:{lecture.pk}"
    if not CHECKIN_ATTEMPTS.hit(key):
        wait = CHECKIN_ATTEMPTS.retry_after
        at = timezone.localtime(timezone.now() + datetime.timedelta(seconds=wait))
        raise ValidationError(
            _(
                "Too many wrong attendance codes: check-in to this lecture is paused. "
                "Try again after %(time)s (in about %(minutes)s minute(s))."
            )
            % {"time": at.strftime("%H:%M"), "minutes": (wait + 59) // 60}
        )


@transaction.atomic
def lecture_signup(
    *, officer: User, lecture: Lecture, now: datetime.datetime | None = None
) -> LectureSignup:
    """Take a place, or a place on the waiting list once the lecture is full."""
    now = _now(now)
    _officer_required(officer)
    lecture = Lecture.objects.select_for_update().select_related("county").get(pk=lecture.pk)
    if not _lecture_open_to(officer, lecture):
        raise ValidationError(
            _("This lecture is for officers of %(unit)s.") % {"unit": lecture.county}
        )
    if now >= lecture.starts_at:
        raise ValidationError(_("Sign-up has closed: the lecture has already started."))
    existing = LectureSignup.objects.filter(lecture=lecture, officer=officer).first()
    if existing is not None and existing.status != SignupStatus.WITHDRAWN:
        raise ValidationError(_("You have already signed up for this lecture."))
    confirmed = LectureSignup.objects.filter(lecture=lecture, status=SignupStatus.CONFIRMED).count()
    status = SignupStatus.CONFIRMED if confirmed < lecture.capacity else SignupStatus.WAITING
    if existing is not None:
        existing.status = status
        existing.signed_up_at = now
        existing.changed_at = now
        existing.save(update_fields=["status", "signed_up_at", "changed_at"])
        return existing
    return LectureSignup.objects.create(
        lecture=lecture, officer=officer, status=status, signed_up_at=now, changed_at=now
    )


@transaction.atomic
def lecture_withdraw(
    *, officer: User, lecture: Lecture, now: datetime.datetime | None = None
) -> LectureSignup | None:
    """Give up a place; the first on the waiting list moves up. Returns who moved up."""
    now = _now(now)
    lecture = Lecture.objects.select_for_update().get(pk=lecture.pk)
    signup = LectureSignup.objects.filter(lecture=lecture, officer=officer).first()
    if signup is None or signup.status == SignupStatus.WITHDRAWN:
        raise ValidationError(_("You are not signed up for this lecture."))
    if now >= lecture.starts_at:
        raise ValidationError(_("The lecture has started; you can no longer withdraw."))
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    signup.status = SignupStatus.WITHDRAWN
    signup.changed_at = now
    signup.save(update_fields=["status", "changed_at"])
    if not was_confirmed:
        return None
    promoted = (
        LectureSignup.objects.filter(lecture=lecture, status=SignupStatus.WAITING)
        .order_by("signed_up_at", "pk")
        .first()
    )
    if promoted is not None:
        promoted.status = SignupStatus.CONFIRMED
        promoted.changed_at = now
        promoted.save(update_fields=["status", "changed_at"])
    return promoted


def _attendance_record(
    *, lecture: Lecture, officer: User, method: str, actor: User, now: datetime.datetime
) -> LectureAttendance:
    attendance = LectureAttendance.objects.create(
        lecture=lecture, officer=officer, method=method, recorded_by=actor, recorded_at=now
    )
    training_record_create(
        officer=officer,
        hours=lecture.hours,
        category=lecture.category,
        completed_on=timezone.localdate(lecture.starts_at),
        source=TrainingSource.LECTURE,
        title=lecture.title,
        approved_by=lecture.lecturer if method == AttendanceMethod.CODE else actor,
        evidence=attendance,
        evidence_key=f"lecture:{lecture.pk}",
    )
    return attendance


@transaction.atomic
def lecture_checkin(
    *, officer: User, lecture: Lecture, code: str, now: datetime.datetime | None = None
) -> LectureAttendance:
    """Attendance by the code the lecturer shows; accepted only while the lecture is on, and
    only `CHECKIN_ATTEMPTS` tries per officer and lecture."""
    now = _now(now)
    _officer_required(officer)
    lecture = Lecture.objects.select_for_update().get(pk=lecture.pk)
    if LectureAttendance.objects.filter(lecture=lecture, officer=officer).exists():
        raise ValidationError(_("Your attendance at this lecture is already recorded."))
    if now < lecture.starts_at:
        raise ValidationError(_("The lecture has not started yet; check in once it has begun."))
    if now > lecture.ends_at:
        raise ValidationError(
            _(
                "The lecture has ended, so the code is no longer accepted. Ask the trainer to tick you on the roster."
            )
        )
    if not LectureSignup.objects.filter(
        lecture=lecture, officer=officer, status=SignupStatus.CONFIRMED
    ).exists():
        raise ValidationError(_("You do not have a confirmed place at this lecture."))
    _checkin_attempt(officer=officer, lecture=lecture)
    if not secrets.compare_digest((code or "").strip(), lecture.attendance_code):
        raise ValidationError(_("That code is not this lecture's attendance code."))
    return _attendance_record(
        lecture=lecture, officer=officer, method=AttendanceMethod.CODE, actor=officer, now=now
    )


@transaction.atomic
def lecture_roster_mark(
    *,
    lecture: Lecture,
    officers: Iterable[User],
    actor: User,
    now: datetime.datetime | None = None,
) -> list[LectureAttendance]:
    """The trainer ticks who was there (after the lecture has started). Officers already
    recorded are left as they are; returns the attendances recorded now. Only someone who
    manages the lecture in their own area (`lecture_can_manage`) ticks, and only officers
    who signed up are credited; one refusal records nobody."""
    from ..selectors.training import lecture_can_manage

    now = _now(now)
    lecture = Lecture.objects.select_for_update().get(pk=lecture.pk)
    if not lecture_can_manage(user=actor, lecture=lecture):
        raise ValidationError(_("You can take attendance only at lectures in your area."))
    if now < lecture.starts_at:
        raise ValidationError(_("Attendance can be taken once the lecture has started."))
    already = set(
        LectureAttendance.objects.filter(lecture=lecture).values_list("officer_id", flat=True)
    )
    allowed = set(
        LectureSignup.objects.filter(lecture=lecture)
        .exclude(status=SignupStatus.WITHDRAWN)
        .values_list("officer_id", flat=True)
    )
    officers = list(officers)
    holding_role = set(
        RoleAssignment.objects.filter(
            user__in=[o.pk for o in officers], role=Role.OFFICER
        ).values_list("user_id", flat=True)
    )
    recorded = []
    for officer in officers:
        if officer.pk in already:
            continue
        if officer.pk not in allowed:
            raise ValidationError(
                _("%(officer)s did not sign up for this lecture.") % {"officer": officer}
            )
        if officer.pk not in holding_role:
            raise ValidationError(
                _("%(person)s is not an officer: lecture hours are credited only to officers.")
                % {"person": officer}
            )
        recorded.append(
            _attendance_record(
                lecture=lecture,
                officer=officer,
                method=AttendanceMethod.ROSTER,
                actor=actor,
                now=now,
            )
        )
    return recorded


# --- Observation --------------------------------------------------------------------------


def _placement_open_to(officer: User, placement: Placement) -> bool:
    county = unit_county(placement.host_unit)
    return (
        officer.unit is not None
        and county is not None
        and officer.unit.path.startswith(county.path)
    )


@transaction.atomic
def placement_apply(
    *, officer: User, placement: Placement, now: datetime.datetime | None = None
) -> PlacementApplication:
    now = _now(now)
    if not _placement_open_to(officer, placement):
        raise ValidationError(_("This placement is for officers of another county."))
    if placement.held_on < timezone.localdate(now):
        raise ValidationError(_("This placement has already taken place."))
    if PlacementApplication.objects.filter(placement=placement, officer=officer).exists():
        raise ValidationError(_("You have already applied for this placement."))
    return PlacementApplication.objects.create(
        placement=placement, officer=officer, status=ApplicationStatus.APPLIED, applied_at=now
    )


@transaction.atomic
def placement_decide(
    *,
    application: PlacementApplication,
    actor: User,
    accept: bool,
    now: datetime.datetime | None = None,
) -> PlacementApplication:
    """The coordinator accepts (within the placement's capacity) or declines an application."""
    placement = Placement.objects.select_for_update().get(pk=application.placement_id)
    application = PlacementApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.APPLIED:
        raise ValidationError(_("This application has already been decided."))
    if accept:
        taken = (
            PlacementApplication.objects.filter(placement=placement)
            .exclude(status__in=[ApplicationStatus.APPLIED, ApplicationStatus.DECLINED])
            .count()
        )
        if taken >= placement.capacity:
            raise ValidationError(
                _("The placement is full (%(capacity)s places).") % {"capacity": placement.capacity}
            )
    application.status = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.DECLINED
    application.decided_by = actor
    application.decided_at = _now(now)
    application.save(update_fields=["status", "decided_by", "decided_at"])
    return application


@transaction.atomic
def placement_attendance_confirm(
    *, application: PlacementApplication, actor: User, now: datetime.datetime | None = None
) -> PlacementApplication:
    """The host confirms, on or after the day, that the officer attended."""
    now = _now(now)
    application = (
        PlacementApplication.objects.select_for_update()
        .select_related("placement")
        .get(pk=application.pk)
    )
    if application.status != ApplicationStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted application can be confirmed as attended."))
    if timezone.localdate(now) < application.placement.held_on:
        raise ValidationError(
            _("Attendance can be confirmed on or after the day of the placement.")
        )
    application.status = ApplicationStatus.ATTENDED
    application.attendance_confirmed_by = actor
    application.attendance_confirmed_at = now
    application.save(update_fields=["status", "attendance_confirmed_by", "attendance_confirmed_at"])
    return application


@transaction.atomic
def reflection_submit(
    *,
    application: PlacementApplication,
    officer: User,
    text: str,
    files: Iterable = (),
    now: datetime.datetime | None = None,
) -> Reflection:
    """File a reflection (观摩心得) of at least 300 characters, with attachments if any."""
    application = PlacementApplication.objects.select_for_update().get(pk=application.pk)
    if application.officer_id != officer.pk:
        raise ValidationError(_("This is not your placement."))
    if application.status not in (ApplicationStatus.ATTENDED, ApplicationStatus.RETURNED):
        raise ValidationError(
            _("A reflection can be filed once the host has confirmed your attendance.")
            if application.status in (ApplicationStatus.APPLIED, ApplicationStatus.ACCEPTED)
            else _("A reflection cannot be filed at this stage.")
        )
    text = (text or "").strip()
    if len(text) < REFLECTION_MIN_CHARS:
        raise ValidationError(
            _("A reflection needs at least %(min)s characters; this one has %(count)s.")
            % {"min": REFLECTION_MIN_CHARS, "count": len(text)}
        )
    reflection = Reflection.objects.create(
        application=application, text=text, submitted_at=_now(now)
    )
    for upload in files:
        ReflectionAttachment.objects.create(reflection=reflection, file=upload)
    application.status = ApplicationStatus.SUBMITTED
    application.save(update_fields=["status"])
    return reflection


@transaction.atomic
def reflection_review(
    *,
    application: PlacementApplication,
    reviewer: User,
    approve: bool,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> ReflectionReview:
    """A trainer approves the latest reflection (crediting the hours) or returns it."""
    now = _now(now)
    application = (
        PlacementApplication.objects.select_for_update()
        .select_related("placement", "officer")
        .get(pk=application.pk)
    )
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(_("There is no reflection waiting for review."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError(_("Say what the officer should change when returning a reflection."))
    reflection = application.reflections.order_by("-submitted_at", "-pk").first()
    review = ReflectionReview.objects.create(
        reflection=reflection,
        decision=ReviewDecision.APPROVED if approve else ReviewDecision.RETURNED,
        comment=comment,
        reviewer=reviewer,
        reviewed_at=now,
    )
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.RETURNED
    application.save(update_fields=["status"])
    if approve:
        placement = application.placement
        training_record_create(
            officer=application.officer,
            hours=placement.hours,
            category=placement.category,
            completed_on=placement.held_on,
            source=TrainingSource.OBSERVATION,
            title=placement.title,
            approved_by=reviewer,
            evidence=application,
            evidence_key=f"placement:{placement.pk}",
        )
    return review


# --- Field practice -----------------------------------------------------------------------

DEFAULT_CHECKLIST = [
    ("credentials", "出示执法证件、表明身份"),
    ("rights", "告知当事人权利"),
    ("evidence", "调查取证"),
    ("documents", "文书制作"),
    ("application_of_law", "适用法律"),
    ("procedure", "程序合法"),
]


def checklist_items_ensure_defaults() -> list[ChecklistItem]:
    """The default evaluation items, created if missing; edits are kept."""
    items = []
    for order, (code, label) in enumerate(DEFAULT_CHECKLIST, start=1):
        item, _created = ChecklistItem.objects.get_or_create(
            code=code, defaults={"label": label, "sort_order": order}
        )
        items.append(item)
    return items


#: Stems that name a county department's line of work, for matching the free-text
#: `Power.original_department` ("县自然资源局", "市生态环境局县分局") to a department unit
#: ("濮阳县自然资源局", "濮阳县生态环境分局").
DEPARTMENT_STEMS = (
    "自然资源",
    "生态环境",
    "城市管理",
    "综合执法",
    "水利",
    "农业农村",
    "交通运输",
    "消防救援",
    "市场监管",
    "林业",
    "住房",
)


def department_matches(*, unit: OrgUnit, original_department: str) -> bool:
    """Whether a county department unit is the power's original department.

    Rule: the unit is a department, and either its name ends with the original
    department's name without its leading "县"/"市" (县水利局 ↔ 濮阳县水利局), or both names
    contain the same line-of-work stem from `DEPARTMENT_STEMS` (市生态环境局县分局 ↔
    濮阳县生态环境分局). The county is checked separately by the caller.
    """
    if unit.kind != UnitKind.DEPARTMENT or not original_department:
        return False
    bare = original_department.lstrip("县市")
    if bare and unit.name.endswith(bare):
        return True
    return any(stem in original_department and stem in unit.name for stem in DEPARTMENT_STEMS)


def field_session_transition_check(
    *, power: Power, specialists: Iterable[User], officers: Iterable[User], on: datetime.date
) -> None:
    """The transition-period rule (过渡期, DESIGN.md §1).

    While `power` is in its transition period on the session date, at least one of the
    session's specialists must belong to the power's original department *in the county
    of the officers being trained* (a 濮阳县 township is guided by 濮阳县's department,
    not by 清丰县's). Outside the transition period any county specialist may guide.
    """
    if not power.in_transition_on(on):
        return
    counties = {c.pk for c in (unit_county(o.unit) for o in officers if o.unit) if c is not None}
    for specialist in specialists:
        unit = specialist.unit
        if unit is None or not department_matches(
            unit=unit, original_department=power.original_department
        ):
            continue
        county = unit_county(unit)
        if county is not None and (not counties or county.pk in counties):
            return
    raise ValidationError(
        _(
            "%(power)s is in its transition period until %(date)s: the session must include "
            "a specialist from the original department (%(department)s) of the officers' county."
        )
        % {
            "power": power.name,
            "date": power.transition_ends,
            "department": power.original_department or "—",
        }
    )


def _is_specialist(user: User) -> bool:
    return user.is_superuser or RoleAssignment.objects.filter(user=user, role=Role.TRAINER).exists()


@transaction.atomic
def field_session_record(
    *,
    recorded_by: User,
    power: Power,
    case_reference: str,
    held_on: datetime.date,
    place: str,
    hours,
    category: str,
    officers: Iterable[User],
    specialists: Iterable[User] = (),
    module: TrainingModulePage | None = None,
    now: datetime.datetime | None = None,
) -> FieldPracticeSession:
    """A specialist records a field-practice session on a real township case."""
    hours = hours_validate(hours)
    officers = list(officers)
    team = {recorded_by.pk: recorded_by}
    team.update({s.pk: s for s in specialists})
    if not _is_specialist(recorded_by):
        raise ValidationError(_("Only a county specialist (trainer) can record field practice."))
    if not officers:
        raise ValidationError(_("Name at least one officer who took part."))
    if not case_reference.strip():
        raise ValidationError(_("Give the case reference."))
    if held_on > timezone.localdate(now):
        raise ValidationError(_("A session is recorded after it has taken place."))
    visible = set(officers_visible_to(recorded_by).values_list("pk", flat=True))
    outside = [o for o in officers if o.pk not in visible]
    if outside:
        raise ValidationError(
            _("These officers are outside your county: %(names)s")
            % {"names": ", ".join(str(o) for o in outside)}
        )
    if module is not None and module.kind != ModuleKind.FIELD_PRACTICE:
        raise ValidationError(_("Choose a field-practice module."))
    field_session_transition_check(
        power=power, specialists=team.values(), officers=officers, on=held_on
    )
    session = FieldPracticeSession.objects.create(
        module=module,
        power=power,
        case_reference=case_reference.strip(),
        held_on=held_on,
        place=place.strip(),
        hours=hours,
        category=category,
        recorded_by=recorded_by,
        recorded_at=_now(now),
    )
    session.specialists.set(team.values())
    FieldPracticeParticipant.objects.bulk_create(
        [FieldPracticeParticipant(session=session, officer=o) for o in officers]
    )
    return session


@transaction.atomic
def field_evaluation_record(
    *,
    participant: FieldPracticeParticipant,
    actor: User,
    ratings: dict[int, tuple[int, str]],
    now: datetime.datetime | None = None,
) -> list[ChecklistRating]:
    """Rate one officer 1–5 on every checklist item in use, each with a comment."""
    participant = (
        FieldPracticeParticipant.objects.select_for_update()
        .select_related("session")
        .get(pk=participant.pk)
    )
    session = participant.session
    if session.is_signed:
        raise ValidationError(_("The session is signed; its evaluations can no longer change."))
    if not session.specialists.filter(pk=actor.pk).exists():
        raise ValidationError(_("Only a specialist of this session can evaluate its officers."))
    items = list(ChecklistItem.objects.filter(active=True))
    missing = [item.label for item in items if item.pk not in ratings]
    if missing:
        raise ValidationError(
            _("Rate every item of the checklist; missing: %(items)s")
            % {"items": "、".join(missing)}
        )
    for item in items:
        value = ratings[item.pk][0]
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationError(_("Ratings are 1 to 5 (%(item)s).") % {"item": item.label})
    ChecklistRating.objects.filter(participant=participant).delete()
    created = ChecklistRating.objects.bulk_create(
        [
            ChecklistRating(
                participant=participant,
                item=item,
                rating=ratings[item.pk][0],
                comment=(ratings[item.pk][1] or "").strip()[:500],
            )
            for item in items
        ]
    )
    participant.evaluated_at = _now(now)
    participant.save(update_fields=["evaluated_at"])
    return created


@transaction.atomic
def field_session_sign(
    *,
    session: FieldPracticeSession,
    actor: User,
    password: str,
    now: datetime.datetime | None = None,
) -> FieldPracticeSession:
    """The specialist signs the evaluations: an authenticated (password re-entered),
    time-stamped act. After it the evaluations are final and officers can acknowledge."""
    session = FieldPracticeSession.objects.select_for_update().get(pk=session.pk)
    if session.is_signed:
        raise ValidationError(_("This session is already signed."))
    if not session.specialists.filter(pk=actor.pk).exists():
        raise ValidationError(_("Only a specialist of this session can sign it."))
    if not password or not actor.check_password(password):
        raise ValidationError(_("The password is not correct; the session was not signed."))
    if session.participants.filter(evaluated_at__isnull=True).exists():
        raise ValidationError(_("Evaluate every officer before signing."))
    session.signed_by = actor
    session.signed_at = _now(now)
    session.save(update_fields=["signed_by", "signed_at"])
    return session


@transaction.atomic
def field_practice_acknowledge(
    *, participant: FieldPracticeParticipant, officer: User, now: datetime.datetime | None = None
) -> TrainingRecord:
    """The officer acknowledges the signed evaluation; the session's hours are credited."""
    participant = (
        FieldPracticeParticipant.objects.select_for_update()
        .select_related("session")
        .get(pk=participant.pk)
    )
    if participant.officer_id != officer.pk:
        raise ValidationError(_("This evaluation is not yours."))
    session = participant.session
    if not session.is_signed:
        raise ValidationError(_("The specialist has not signed this evaluation yet."))
    if participant.acknowledged_at is None:
        participant.acknowledged_at = _now(now)
        participant.save(update_fields=["acknowledged_at"])
    return training_record_create(
        officer=officer,
        hours=session.hours,
        category=session.category,
        completed_on=session.held_on,
        source=TrainingSource.FIELD_PRACTICE,
        title=_("Field practice: %(power)s (%(case)s)")
        % {"power": session.power.name, "case": session.case_reference},
        approved_by=session.signed_by,
        evidence=participant,
        evidence_key=f"field_practice:{session.pk}",
    )


# --- Authoring: county groups, page permissions, the moderation workflow -----------------

TRAINER_MODEL_PERMISSIONS = [
    ("courses", "add_lecture"),
    ("courses", "change_lecture"),
    ("courses", "view_lecture"),
    ("courses", "add_placement"),
    ("courses", "change_placement"),
    ("courses", "view_placement"),
    ("courses", "view_checklistitem"),
]
REVIEWER_MODEL_PERMISSIONS = [
    *TRAINER_MODEL_PERMISSIONS,
    ("courses", "add_checklistitem"),
    ("courses", "change_checklistitem"),
    ("wagtailadmin", "access_admin"),
]


def _permissions(pairs) -> list[Permission]:
    condition = Q(pk__in=[])
    for app_label, codename in pairs:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(condition))


def county_groups_ensure(*, county: OrgUnit) -> tuple[Group, Group]:
    """The county's trainers group (author) and reviewers group (publish). Idempotent."""
    trainers, _c1 = Group.objects.get_or_create(name=f"county:{county.code}:trainers")
    reviewers, _c2 = Group.objects.get_or_create(name=f"county:{county.code}:reviewers")
    trainers.permissions.add(*_permissions(TRAINER_MODEL_PERMISSIONS))
    reviewers.permissions.add(*_permissions(REVIEWER_MODEL_PERMISSIONS))
    return trainers, reviewers


def _page_permissions(group: Group, page: Page, types: list[str]) -> None:
    for permission_type in types:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=f"{permission_type}_page"
        )
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


#: The site root's title: shown in the admin's page explorer and breadcrumbs.
SITE_ROOT_TITLE = "乡镇综合行政执法培训考核平台"
#: The title Wagtail's first migration gives the root page.
WAGTAIL_DEFAULT_ROOT_TITLE = "Welcome to your new Wagtail site!"

#: Workflow names are data, shown as they are in the admin's banners and task lists, so
#: they are written in Chinese (the platform's language); an English name of an earlier
#: release is renamed in place, keeping the workflow's history.
ROOT_WORKFLOW_NAME = "讲师提交，县级审核人发布"
LEGACY_ROOT_WORKFLOW_NAME = "Trainer submits, county reviewer publishes"
WAGTAIL_DEFAULT_WORKFLOW_NAME = "审核员审批"


def county_workflow_name(county: OrgUnit) -> str:
    return f"{county.name}：讲师提交，审核人发布"


def _legacy_county_workflow_name(county: OrgUnit) -> str:
    return f"{county.name}: trainer submits, reviewer publishes"


def _task_name(workflow_name: str) -> str:
    return f"{workflow_name}（审核）"


def _approval_workflow(name: str, groups: list[Group], *, legacy_name: str = "") -> Workflow:
    """The named workflow with one `CountyApprovalTask` for `groups`. Idempotent.

    A workflow an earlier release made with Wagtail's plain group task gets a county task
    in its place; the old task is deactivated, so reviews already under way finish on it.
    """
    if legacy_name and not Workflow.objects.filter(name=name).exists():
        Workflow.objects.filter(name=legacy_name).update(name=name)
        Task.objects.filter(name=f"{legacy_name} · approval").update(name=_task_name(name))
    workflow, _created = Workflow.objects.get_or_create(name=name)
    task = CountyApprovalTask.objects.filter(name=_task_name(name)).first()
    if task is None:
        task = CountyApprovalTask.objects.create(name=_task_name(name))
    task.groups.add(*groups)
    for link in WorkflowTask.objects.filter(workflow=workflow).exclude(task=task):
        if isinstance(link.task.specific, GroupApprovalTask):
            task.groups.add(*link.task.specific.groups.all())
            Task.objects.filter(pk=link.task_id).update(active=False)
            link.delete()
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def workflow_names_localise() -> None:
    """Rename workflows (and their tasks) still carrying an earlier release's English name."""
    suffix = ": trainer submits, reviewer publishes"
    legacy = [(LEGACY_ROOT_WORKFLOW_NAME, ROOT_WORKFLOW_NAME)] + [
        (name, f"{name.removesuffix(suffix)}：讲师提交，审核人发布")
        for name in Workflow.objects.filter(name__endswith=suffix).values_list("name", flat=True)
    ]
    for old, new in legacy:
        if Workflow.objects.filter(name=new).exists():
            continue
        Workflow.objects.filter(name=old).update(name=new)
        Task.objects.filter(name=f"{old} · approval").update(name=_task_name(new))
    # The workflow and task Wagtail's own migration creates on every new site.
    for model in (Workflow, Task):
        if not model.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW_NAME).exists():
            model.objects.filter(name="Moderators approval").update(
                name=WAGTAIL_DEFAULT_WORKFLOW_NAME
            )


def site_root_title_ensure() -> None:
    """Give the root page the platform's name instead of Wagtail's welcome title.

    Run after every `migrate` (see `CoursesConfig.ready`), so a fresh install never shows
    the welcome title; a title an administrator has chosen is left alone.
    """
    Page.objects.filter(depth=2, title=WAGTAIL_DEFAULT_ROOT_TITLE).update(
        title=SITE_ROOT_TITLE, draft_title=SITE_ROOT_TITLE
    )


@transaction.atomic
def moderation_workflow_ensure(*, root: Page) -> Workflow:
    """The root workflow (trainer submits, county reviewer publishes) on the site root, so every content page
    beneath it (modules, lessons, the handbook, the case library) is moderated. County
    sections carry their own workflow with only that county's reviewers (the nearest
    workflow up the tree wins in Wagtail); the root's task accepts any county's reviewers
    and the city administrators, for pages outside any county section."""
    reviewer_groups = list(
        Group.objects.filter(name__endswith=":reviewers", name__startswith="county:")
    )
    city_admins, _c = Group.objects.get_or_create(name=group_name(Role.CITY_ADMIN))
    workflow = _approval_workflow(
        ROOT_WORKFLOW_NAME,
        [*reviewer_groups, city_admins],
        legacy_name=LEGACY_ROOT_WORKFLOW_NAME,
    )
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    _page_permissions(city_admins, root, ["add", "change", "publish"])
    return workflow


@transaction.atomic
def county_section_ensure(
    *, county: OrgUnit, index: TrainingIndexPage, title: str | None = None
) -> CountySectionPage:
    """The county's section under the training index, its groups, page permissions and
    workflow: its trainers may add and edit pages there (not publish), its reviewers may
    publish. Idempotent; also run by the `after_create_page` hook for sections made in
    the admin."""
    section = CountySectionPage.objects.filter(county=county).first()
    if section is None:
        section = CountySectionPage(
            title=title or f"{county.name}培训专区", slug=county.code.lower(), county=county
        )
        index.add_child(instance=section)
        section.save_revision().publish()
    trainers, reviewers = county_groups_ensure(county=county)
    _page_permissions(trainers, section, ["add", "change"])
    _page_permissions(reviewers, section, ["add", "change", "publish"])
    workflow = _approval_workflow(
        county_workflow_name(county),
        [reviewers],
        legacy_name=_legacy_county_workflow_name(county),
    )
    WorkflowPage.objects.update_or_create(page=section, defaults={"workflow": workflow})
    root_link = WorkflowPage.objects.filter(page__depth=2).select_related("workflow").first()
    if root_link is not None:
        root_task = WorkflowTask.objects.filter(workflow=root_link.workflow).first()
        if root_task is not None:
            root_task.task.specific.groups.add(reviewers)
    # Trainers who already hold the role join the county's groups.
    for assignment in RoleAssignment.objects.filter(
        role__in=[Role.TRAINER, Role.JUSTICE_BUREAU]
    ).select_related("unit", "user"):
        county_groups_follow_role(assignment=assignment)
    return section


def county_groups_follow_role(*, assignment: RoleAssignment) -> None:
    """Keep a user's county groups exactly in step with their roles: each trainer role puts
    them in its county's trainers group, each justice bureau role in its reviewers group,
    and they leave every other county's groups. Receiver of `people.signals.role_assigned`.

    Recomputed from all of the user's roles, with units read from the database (an object
    held in memory may carry a path from before the tree changed), so running it again
    repairs a wrong membership. `county_section_ensure` runs it for every trainer and
    bureau, so `seed_demo` (which ensures every county's section) repairs a demo site.
    """
    if assignment.role not in (Role.TRAINER, Role.JUSTICE_BUREAU):
        return
    user = assignment.user
    wanted: set[Group] = set()
    held_roles = RoleAssignment.objects.filter(
        user=user, role__in=[Role.TRAINER, Role.JUSTICE_BUREAU]
    ).select_related("unit")
    for held in held_roles:
        county = unit_county(held.unit)
        if county is None:
            continue
        trainers, reviewers = county_groups_ensure(county=county)
        wanted.add(trainers if held.role == Role.TRAINER else reviewers)
    held_groups = set(
        user.groups.filter(name__startswith="county:").filter(
            Q(name__endswith=":trainers") | Q(name__endswith=":reviewers")
        )
    )
    if held_groups - wanted:
        user.groups.remove(*(held_groups - wanted))
    if wanted - held_groups:
        user.groups.add(*(wanted - held_groups))


def units_coordinated_by(user: User):
    """Units whose placements the user coordinates (their scope)."""
    return units_visible_to(user)
