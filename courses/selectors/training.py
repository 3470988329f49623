"""Read-side rules of the three kinds of training: progress, what's next, who may do what.

Page contexts (`module_page_context`, `lesson_page_context`) run a fixed number of queries
however many lessons, lectures or officers there are — pinned in
`tests/courses/test_pages.py`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from wagtail import hooks

from people.models import Role, RoleAssignment, User
from people.selectors import officers_visible_to, units_visible_to, user_roles
from powers.models import Power

from ..models.ledger import HourCategory, TrainingRecord
from ..models.training import (
    ApplicationStatus,
    FieldPracticeParticipant,
    Lecture,
    LectureAttendance,
    LectureSignup,
    LessonPage,
    LessonProgress,
    ModuleKind,
    Placement,
    PlacementApplication,
    SignupStatus,
    TrainingIndexPage,
    TrainingModulePage,
)
from .ledger import officers_with_hours, training_hours

__all__ = [
    "ModuleStarted",
    "modules_started",
    "ModuleCredit",
    "lesson_module_credit",
    "ANNUAL_HOURS_DEFAULT",
    "hours_required",
    "module_quiz_ids",
    "module_outstanding",
    "module_page_context",
    "lesson_page_context",
    "lesson_study_remaining",
    "modules_catalogue",
    "modules_needing_review",
    "lectures_open_to",
    "waiting_positions",
    "placements_open_to",
    "my_training_summary",
    "supervisor_hours",
    "SUPERVISOR_SORTS",
    "lecture_can_manage",
    "placement_can_coordinate",
    "placement_can_host",
    "application_can_review",
    "training_index_url",
]

ANNUAL_HOURS_DEFAULT = Decimal("60")


def hours_required(*, year: int) -> Decimal:
    """The annual hours requirement (DESIGN.md §4: 60 by default).

    The credential policy lives in `certification`, which courses may not import; it
    can supply the number through the `training_hours_required` Wagtail hook
    (`fn(*, year) -> Decimal | None`). Otherwise the setting `TRAINING_HOURS_REQUIRED`,
    then 60.
    """
    for fn in hooks.get_hooks("training_hours_required"):
        value = fn(year=year)
        if value is not None:
            return Decimal(value)
    return Decimal(getattr(settings, "TRAINING_HOURS_REQUIRED", ANNUAL_HOURS_DEFAULT))


# --- Coverage modules ---------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleCredit:
    """A module's hours on the officer's record, and where that leaves their year."""

    module: TrainingModulePage
    hours: Decimal
    year: int
    year_total: Decimal
    required: Decimal


def lesson_module_credit(*, officer: User, lesson: LessonPage) -> ModuleCredit | None:
    """The credit of the module a lesson belongs to, if the officer has it (None before the
    last lesson is done and every quiz passed), with their approved hours of that year."""
    module = TrainingModulePage.objects.filter(
        path=lesson.path[: -lesson.steplen], depth=lesson.depth - 1
    ).first()
    if module is None:
        return None
    record = (
        TrainingRecord.objects.filter(officer=officer, evidence_key=f"module:{module.pk}")
        .order_by("-pk")
        .first()
    )
    if record is None:
        return None
    year = record.completed_on.year
    return ModuleCredit(
        module=module,
        hours=record.hours,
        year=year,
        year_total=training_hours(officer=officer, year=year)["total"],
        required=hours_required(year=year),
    )


def _quiz_ids_in(stream_value) -> set[int]:
    ids = set()
    for block in stream_value.raw_data:
        if block.get("type") == "quiz":
            value = block.get("value") or {}
            quiz_id = value.get("quiz") if isinstance(value, dict) else value
            if quiz_id:
                ids.add(int(quiz_id))
    return ids


def module_quiz_ids(*, module: TrainingModulePage, lessons=None) -> set[int]:
    """Ids of the quizzes a module's hours wait on: its assessment and every quiz block
    in its live lessons (read from the raw stream data, no query per block)."""
    if lessons is None:
        lessons = LessonPage.objects.live().child_of(module).only("body")
    ids = set()
    for lesson in lessons:
        ids |= _quiz_ids_in(lesson.body)
    if module.assessment_quiz_id:
        ids.add(module.assessment_quiz_id)
    return ids


@dataclass
class Outstanding:
    has_lessons: bool
    lessons: list = field(default_factory=list)
    quizzes: set = field(default_factory=set)
    completed: set = field(default_factory=set)
    passed: set = field(default_factory=set)


def module_outstanding(*, officer: User, module: TrainingModulePage, lessons=None) -> Outstanding:
    """What an officer still has to do before a coverage module is credited."""
    from quizzes.selectors import quizzes_passed

    if lessons is None:
        lessons = list(LessonPage.objects.live().child_of(module).order_by("path"))
    completed = set(
        LessonProgress.objects.filter(
            officer=officer,
            lesson__in=[lesson.pk for lesson in lessons],
            completed_at__isnull=False,
        ).values_list("lesson_id", flat=True)
    )
    quiz_ids = module_quiz_ids(module=module, lessons=lessons)
    passed = quizzes_passed(user=officer, quizzes=_QuizIds(quiz_ids)) if quiz_ids else set()
    return Outstanding(
        has_lessons=any(lesson.required for lesson in lessons),
        lessons=[lesson for lesson in lessons if lesson.required and lesson.pk not in completed],
        quizzes=quiz_ids - passed,
        completed=completed,
        passed=passed,
    )


class _QuizIds(list):
    """Stand-in for a list of quizzes where only `pk` is read (`quizzes_passed`)."""

    def __init__(self, ids):
        super().__init__(_Pk(i) for i in ids)


@dataclass(frozen=True)
class _Pk:
    pk: int


def _is_officer(user: User) -> bool:
    return user.is_authenticated and user.unit_id is not None and user.unit.is_grassroots


def module_page_context(*, module: TrainingModulePage, user: User) -> dict:
    """Everything a module page shows, in a fixed number of queries."""
    now = timezone.now()
    context: dict = {
        "lessons": [],
        "credited": None,
        "is_officer": _is_officer(user),
        "fields_taught": list(module.fields.all()),
        "powers_taught": list(module.powers.select_related("field")),
    }
    officer = user if context["is_officer"] else None
    if module.pk is None:
        # The admin's preview of a module not saved yet: nothing can hang off it so far.
        context.update(outstanding=None, lectures=[], placements=[], session_count=0)
        return context
    if officer is not None:
        context["credited"] = TrainingRecord.objects.filter(
            officer=officer, evidence_key=_module_key(module)
        ).first()
    if module.kind == ModuleKind.COVERAGE:
        lessons = list(
            LessonPage.objects.live()
            .child_of(module)
            .order_by("path")
            .only(
                "id",
                "title",
                "slug",
                "url_path",
                "path",
                "depth",
                "min_study_minutes",
                "required",
                "body",
            )
        )
        outstanding = (
            module_outstanding(officer=officer, module=module, lessons=lessons)
            if officer is not None
            else None
        )
        context["lessons"] = [
            {
                "page": lesson,
                "done": outstanding is not None and lesson.pk in outstanding.completed,
            }
            for lesson in lessons
        ]
        context["outstanding"] = outstanding
        context["lectures"] = _lecture_rows(
            Lecture.objects.filter(module=module, ends_at__gte=now), officer
        )
    elif module.kind == ModuleKind.OBSERVATION:
        context["placements"] = _placement_rows(
            Placement.objects.filter(module=module, held_on__gte=timezone.localdate(now)), officer
        )
    else:
        sessions = module.field_sessions.select_related("power").order_by("-held_on")
        context["session_count"] = sessions.count()
        if officer is not None:
            context["my_sessions"] = list(
                FieldPracticeParticipant.objects.filter(session__module=module, officer=officer)
                .select_related("session__power")
                .order_by("-session__held_on")
            )
    return context


def _module_key(module) -> str:
    return f"module:{module.pk}"


def _lecture_rows(lectures: QuerySet[Lecture], officer: User | None) -> list[dict]:
    lectures = list(
        lectures.select_related("county")
        .annotate(
            confirmed=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
            waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITING)),
        )
        .order_by("starts_at")
    )
    mine = {}
    if officer is not None:
        mine = {
            s.lecture_id: s
            for s in LectureSignup.objects.filter(
                officer=officer, lecture__in=[lec.pk for lec in lectures]
            )
        }
    waiting = [s for s in mine.values() if s.status == SignupStatus.WAITING]
    positions = waiting_positions(signups=waiting) if waiting else {}
    return [
        {
            "lecture": lec,
            "signup": mine.get(lec.pk),
            "position": positions.get(mine[lec.pk].pk) if lec.pk in mine else None,
        }
        for lec in lectures
    ]


def waiting_positions(*, signups: list[LectureSignup]) -> dict[int, int]:
    """Each waiting sign-up's place on its lecture's waiting list (1: the next to move up),
    by sign-up pk, in one query. The list moves up in the order `lecture_withdraw` uses:
    earliest sign-up first."""
    waiting = [s for s in signups if s.status == SignupStatus.WAITING]
    if not waiting:
        return {}
    queue: dict[int, list[int]] = {}
    for lecture_id, pk in (
        LectureSignup.objects.filter(
            lecture__in={s.lecture_id for s in waiting}, status=SignupStatus.WAITING
        )
        .order_by("signed_up_at", "pk")
        .values_list("lecture_id", "pk")
    ):
        queue.setdefault(lecture_id, []).append(pk)
    return {
        s.pk: queue[s.lecture_id].index(s.pk) + 1
        for s in waiting
        if s.pk in queue.get(s.lecture_id, [])
    }


def _placement_rows(placements: QuerySet[Placement], officer: User | None) -> list[dict]:
    placements = list(
        placements.select_related("host_unit")
        .annotate(
            taken=Count(
                "applications",
                filter=~Q(
                    applications__status__in=[ApplicationStatus.APPLIED, ApplicationStatus.DECLINED]
                ),
            )
        )
        .order_by("held_on")
    )
    mine = {}
    if officer is not None:
        mine = {
            a.placement_id: a
            for a in PlacementApplication.objects.filter(
                officer=officer, placement__in=[p.pk for p in placements]
            )
        }
    return [{"placement": p, "application": mine.get(p.pk)} for p in placements]


def lesson_page_context(*, lesson: LessonPage, user: User) -> dict:
    """The lesson's module, its neighbours, and the officer's study clock; fixed queries."""
    from ..services.training import lesson_open

    module = (
        TrainingModulePage.objects.filter(path=lesson.path[: -lesson.steplen])
        .only("id", "title", "url_path", "path", "depth", "kind", "credit_hours")
        .first()
    )
    siblings = list(
        LessonPage.objects.live()
        .filter(path__startswith=lesson.path[: -lesson.steplen], depth=lesson.depth)
        .order_by("path")
        .only("id", "title", "url_path", "path", "depth")
    )
    position = next((i for i, s in enumerate(siblings) if s.pk == lesson.pk), 0)
    context = {
        "module": module,
        "previous_lesson": siblings[position - 1] if position > 0 else None,
        "next_lesson": siblings[position + 1] if position + 1 < len(siblings) else None,
        "lesson_number": position + 1,
        "lesson_count": len(siblings),
        "progress": None,
        "ready_at": None,
        "is_officer": _is_officer(user),
    }
    if context["is_officer"] and lesson.live:
        now = timezone.now()
        progress = lesson_open(officer=user, lesson=lesson, now=now)
        remaining = lesson_study_remaining(progress=progress, lesson=lesson, now=now)
        context["progress"] = progress
        context["ready_at"] = now + remaining
        context["ready"] = not remaining
    return context


def lesson_study_remaining(
    *, progress: LessonProgress, lesson: LessonPage, now: datetime.datetime
) -> datetime.timedelta:
    """How much longer the officer must study the lesson before it can be completed (zero
    once it can be, or is). Counts only while the lesson's clock runs (docs/study-clock.md)."""
    if progress.completed_at is not None:
        return datetime.timedelta(0)
    needed = datetime.timedelta(minutes=lesson.min_study_minutes)
    return max(needed - progress.studied_by(now), datetime.timedelta(0))


def modules_catalogue(*, index) -> list[tuple[str, str, list[TrainingModulePage]]]:
    """Live modules under `index`, grouped by kind (one query)."""
    modules = list(
        TrainingModulePage.objects.live()
        .descendant_of(index)
        .order_by("path")
        .only(
            "id",
            "title",
            "url_path",
            "path",
            "depth",
            "kind",
            "summary",
            "credit_hours",
            "category",
        )
    )
    return [
        (kind, label, [m for m in modules if m.kind == kind]) for kind, label in ModuleKind.choices
    ]


def modules_needing_review(*, on: datetime.date | None = None) -> QuerySet[TrainingModulePage]:
    """Modules that teach a power withdrawn on or before `on` (today by default).

    Computed, not stored: a module is flagged from the day the power goes, and unflagged
    as soon as a trainer removes the withdrawn power from its tags.
    """
    on = on or timezone.localdate()
    withdrawn = Power.objects.withdrawn_by(on).filter(pk=OuterRef("powers"))
    return TrainingModulePage.objects.filter(Exists(withdrawn)).distinct().order_by("path")


def module_withdrawn_powers(*, module: TrainingModulePage, on: datetime.date | None = None):
    on = on or timezone.localdate()
    return Power.objects.withdrawn_by(on).filter(pk__in=module.powers.values("pk"))


def training_index_url(request=None) -> str | None:
    index = TrainingIndexPage.objects.live().only("id", "url_path", "path", "depth").first()
    return index.get_url(request) if index is not None else None


# --- Lectures and placements open to an officer ----------------------------------------------


def lectures_open_to(*, officer: User, now: datetime.datetime | None = None) -> list[dict]:
    """Lectures not yet over for the officer's county (or the city), with their sign-up."""
    now = now or timezone.now()
    if officer.unit_id is None:
        return []
    paths = officer.unit.ancestor_paths()
    return _lecture_rows(Lecture.objects.filter(county__path__in=paths, ends_at__gte=now), officer)


def placements_open_to(*, officer: User, on: datetime.date | None = None) -> list[dict]:
    """Placements from today on hosted in the officer's county, with their application."""
    on = on or timezone.localdate()
    if officer.unit_id is None:
        return []
    county_path = officer.unit.ancestor_paths()[1] if officer.unit.depth >= 2 else officer.unit.path
    return _placement_rows(
        Placement.objects.filter(host_unit__path__startswith=county_path, held_on__gte=on), officer
    )


# --- My training ------------------------------------------------------------------------------


@dataclass
class MyTraining:
    year: int
    hours: dict
    required: Decimal
    bars: list[dict]
    total_percent: int
    remaining: Decimal
    lectures: list
    placements: list
    to_acknowledge: list
    to_reflect: list
    next_step: dict
    modules: list = field(default_factory=list)


@dataclass(frozen=True)
class ModuleStarted:
    """A module the officer has opened a lesson of: lessons done of its required ones, and
    its hours (credited, or still to earn)."""

    module: TrainingModulePage
    lessons_done: int
    lessons_total: int
    hours: Decimal
    credited: bool

    @property
    def percent(self) -> int:
        return _percent(Decimal(self.lessons_done), Decimal(self.lessons_total))


def modules_started(*, officer: User) -> list[ModuleStarted]:
    """The live modules of which the officer has opened a lesson, unfinished first, then by
    title. Four queries whatever the number of modules and lessons."""
    progress = dict(
        LessonProgress.objects.filter(officer=officer).values_list("lesson_id", "completed_at")
    )
    if not progress:
        return []
    lessons = LessonPage.objects.filter(pk__in=list(progress)).values_list("path", flat=True)
    steplen = LessonPage.steplen
    parent_paths = {path[:-steplen] for path in lessons}
    modules = list(TrainingModulePage.objects.live().filter(path__in=parent_paths))
    if not modules:
        return []
    by_path = {module.path: module for module in modules}
    done: dict[int, int] = {}
    total: dict[int, int] = {}
    under = Q()
    for path in by_path:
        under |= Q(path__startswith=path, depth=len(path) // steplen + 1)
    required = LessonPage.objects.live().filter(under, required=True)
    for pk, path in required.values_list("pk", "path"):
        module = by_path.get(path[:-steplen])
        if module is None:
            continue
        total[module.pk] = total.get(module.pk, 0) + 1
        if progress.get(pk) is not None:
            done[module.pk] = done.get(module.pk, 0) + 1
    credited = set(
        TrainingRecord.objects.filter(
            officer=officer, evidence_key__in=[f"module:{m.pk}" for m in modules]
        ).values_list("evidence_key", flat=True)
    )
    rows = [
        ModuleStarted(
            module=module,
            lessons_done=done.get(module.pk, 0),
            lessons_total=total.get(module.pk, 0),
            hours=module.credit_hours,
            credited=f"module:{module.pk}" in credited,
        )
        for module in modules
    ]
    return sorted(rows, key=lambda row: (row.credited, row.module.title))


def _percent(value: Decimal, of: Decimal) -> int:
    if of <= 0:
        return 100
    return max(0, min(100, int(value * 100 / of)))


def my_training_summary(*, officer: User, today: datetime.date | None = None) -> MyTraining:
    """An officer's year at a glance: hours vs the requirement by category, what's coming,
    and the single most useful next step."""
    today = today or timezone.localdate()
    now = timezone.now()
    hours = training_hours(officer=officer, year=today.year)
    required = hours_required(year=today.year)
    bars = [
        {
            "code": code,
            "label": label,
            "hours": hours[code],
            "percent": _percent(hours[code], required),
        }
        for code, label in HourCategory.choices
    ]
    lectures = list(
        LectureSignup.objects.filter(
            officer=officer,
            lecture__ends_at__gte=now,
            status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITING],
        )
        .select_related("lecture")
        .order_by("lecture__starts_at")
    )
    attended = set(
        LectureAttendance.objects.filter(
            officer=officer, lecture__in=[s.lecture_id for s in lectures]
        ).values_list("lecture_id", flat=True)
    )
    for signup in lectures:
        signup.attended = signup.lecture_id in attended
        signup.is_on = signup.lecture.starts_at <= now <= signup.lecture.ends_at
    applications = list(
        PlacementApplication.objects.filter(officer=officer)
        .exclude(status__in=[ApplicationStatus.APPROVED, ApplicationStatus.DECLINED])
        .select_related("placement__host_unit")
        .order_by("placement__held_on")
    )
    to_reflect = [
        a
        for a in applications
        if a.status in (ApplicationStatus.ATTENDED, ApplicationStatus.RETURNED)
    ]
    to_acknowledge = list(
        FieldPracticeParticipant.objects.filter(
            officer=officer, session__signed_at__isnull=False, acknowledged_at__isnull=True
        ).select_related("session__power")
    )
    remaining = max(Decimal("0"), required - hours["total"])
    return MyTraining(
        year=today.year,
        hours=hours,
        required=required,
        bars=bars,
        total_percent=_percent(hours["total"], required),
        remaining=remaining,
        lectures=lectures,
        placements=applications,
        to_acknowledge=to_acknowledge,
        to_reflect=to_reflect,
        modules=modules_started(officer=officer),
        next_step=_next_step(
            officer=officer,
            lectures=lectures,
            to_reflect=to_reflect,
            to_acknowledge=to_acknowledge,
            remaining=remaining,
        ),
    )


def _next_step(*, officer, lectures, to_reflect, to_acknowledge, remaining) -> dict:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    if to_acknowledge:
        participant = to_acknowledge[0]
        return {
            "text": _("Acknowledge your field-practice evaluation (%(case)s).")
            % {"case": participant.session.case_reference},
            "url": reverse("courses:field_session", args=[participant.session_id]),
        }
    if to_reflect:
        application = to_reflect[0]
        return {
            "text": _("File your reflection on “%(title)s”.")
            % {"title": application.placement.title},
            "url": reverse("courses:reflection_submit", args=[application.pk]),
        }
    on_now = [
        s for s in lectures if s.is_on and not s.attended and s.status == SignupStatus.CONFIRMED
    ]
    if on_now:
        return {
            "text": _("Check in to “%(title)s” with the code the lecturer shows.")
            % {"title": on_now[0].lecture.title},
            "url": reverse("courses:lecture_detail", args=[on_now[0].lecture_id]),
        }
    in_progress = (
        LessonProgress.objects.filter(officer=officer, completed_at__isnull=True)
        .select_related("lesson")
        .order_by("-opened_at")
        .first()
    )
    if in_progress is not None:
        return {
            "text": _("Continue the lesson “%(title)s”.") % {"title": in_progress.lesson.title},
            "url": in_progress.lesson.url,
        }
    if remaining > 0:
        return {
            "text": _(
                "You need %(hours)s more hours this year: choose a module or sign up for a lecture."
            )
            % {"hours": remaining},
            "url": training_index_url() or reverse("courses:my_training"),
        }
    return {"text": _("You have met this year's training requirement."), "url": None}


# --- Supervisors ------------------------------------------------------------------------------

SUPERVISOR_SORTS = {
    "name": ("full_name", "username"),
    "-name": ("-full_name", "-username"),
    "unit": ("unit__path", "employee_number"),
    "-unit": ("-unit__path", "-employee_number"),
    "total": ("hours_total", "unit__path"),
    "-total": ("-hours_total", "unit__path"),
    **{c: (f"hours_{c}", "unit__path") for c in HourCategory.values},
    **{f"-{c}": (f"-hours_{c}", "unit__path") for c in HourCategory.values},
}


def supervisor_hours(*, user: User, year: int, sort: str = "unit") -> QuerySet[User]:
    """The officers a supervisor oversees, each annotated with this year's hours, sorted."""
    order = SUPERVISOR_SORTS.get(sort, SUPERVISOR_SORTS["unit"])
    return officers_with_hours(
        officers_visible_to(user).select_related("unit"), year=year
    ).order_by(*order)


# --- Who may do what ---------------------------------------------------------------------------

STAFF_ROLES = {Role.TRAINER, Role.CITY_ADMIN, Role.JUSTICE_BUREAU}


def _in_area(user: User, unit_id: int) -> bool:
    """Whether the unit lies in the part of the tree the user sees (`units_visible_to`).

    Every permission below ends here, so what an object says about who may act on it (the
    lecturer named on a lecture, a host role on a placement's unit) never reaches past
    the user's own area: another county's lecture or placement is a 404."""
    return user.is_superuser or units_visible_to(user).filter(pk=unit_id).exists()


def _staff_over(user: User, unit_id: int) -> bool:
    if user.is_superuser:
        return True
    if not (user_roles(user) & STAFF_ROLES):
        return False
    return _in_area(user, unit_id)


def lecture_can_manage(*, user: User, lecture: Lecture) -> bool:
    """Who sees the attendance code and the roster and credits attendance: the lecturer or
    staff, and only for a lecture whose county is in their area."""
    if lecture.lecturer_id == user.pk:
        return _in_area(user, lecture.county_id)
    return _staff_over(user, lecture.county_id)


def placement_can_host(*, user: User, placement: Placement) -> bool:
    """The host unit's own host (a host role held at that unit, inside the user's area)."""
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        user=user, role=Role.HOST, unit_id=placement.host_unit_id
    ).exists() and _in_area(user, placement.host_unit_id)


def placement_can_coordinate(*, user: User, placement: Placement) -> bool:
    """Trainers over the host unit's county coordinate; the host may too."""
    return placement_can_host(user=user, placement=placement) or _staff_over(
        user, placement.host_unit_id
    )


def application_can_review(*, user: User, application: PlacementApplication) -> bool:
    """A trainer (or administrator) whose area includes the officer and the host unit."""
    if user.is_superuser:
        return True
    if not (user_roles(user) & {Role.TRAINER, Role.CITY_ADMIN}):
        return False
    return officers_visible_to(user).filter(pk=application.officer_id).exists() and _in_area(
        user, application.placement.host_unit_id
    )
