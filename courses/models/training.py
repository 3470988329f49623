"""Training in three kinds (DESIGN.md §1): Wagtail pages trainers author, and what officers do.

Page tree (below the site root, a plain Wagtail page):

    TrainingIndexPage                 培训课程 (slug `modules` in the demo)
      CountySectionPage               one per county: page permissions are granted here
        TrainingModulePage            a module of one kind: coverage / observation / field
          LessonPage                  only under coverage modules
      TrainingModulePage              city-wide modules sit directly under the index
    HandbookPage                      规范化建设指导手册 (slug `handbook`)
      HandbookSectionPage             matters, responsibilities, procedures, templates

Everything an officer *does* (opens a lesson, signs up for a lecture, applies for a
placement, is evaluated in field practice) is an ordinary model row, never page content,
so publishing a new revision of a page never touches anyone's progress. Approved work
becomes hours only through `courses.services.training_record_create`.
"""

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from modelcluster.fields import ParentalManyToManyField

from laws.blocks import reference_text
from people.models import OrgUnit, UnitKind

from ..blocks import HandbookBodyBlock, LessonBodyBlock
from .ledger import HourCategory

__all__ = [
    "ModuleKind",
    "TrainingIndexPage",
    "CountySectionPage",
    "TrainingModulePage",
    "LessonPage",
    "HandbookPage",
    "HandbookSection",
    "HandbookSectionPage",
    "LessonProgress",
    "Lecture",
    "SignupStatus",
    "LectureSignup",
    "AttendanceMethod",
    "LectureAttendance",
    "ObservationKind",
    "Placement",
    "ApplicationStatus",
    "PlacementApplication",
    "Reflection",
    "ReflectionAttachment",
    "ReviewDecision",
    "ReflectionReview",
    "ChecklistItem",
    "FieldPracticeSession",
    "FieldPracticeParticipant",
    "ChecklistRating",
    "REFLECTION_MIN_CHARS",
]

REFLECTION_MIN_CHARS = 300


def _half_hour_validator(value) -> None:
    if value is None:
        return
    if value <= 0 or (Decimal(value) * 2) % 1 != 0:
        raise ValidationError(
            _("Hours are counted in half-hour steps (0.5, 1, 1.5 …); %(hours)s is not one."),
            params={"hours": value},
        )


def hours_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        _("credit hours"),
        max_digits=5,
        decimal_places=1,
        validators=[_half_hour_validator],
        help_text=_("In half-hour steps."),
        **kwargs,
    )


class ModuleKind(models.TextChoices):
    COVERAGE = "coverage", _("Coverage (覆盖式)")
    OBSERVATION = "observation", _("Observation (观摩式)")
    FIELD_PRACTICE = "field_practice", _("Field practice (实战式)")


# --- Wagtail pages ---------------------------------------------------------------------


class TrainingIndexPage(Page):
    """The catalogue of training modules; its children are county sections and city modules."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CountySectionPage", "courses.TrainingModulePage"]
    max_count = 1
    template = "pages/courses/training_index_page.html"

    class Meta:
        verbose_name = _("training index (培训课程)")

    def get_context(self, request, *args, **kwargs):
        from ..selectors.training import modules_catalogue

        context = super().get_context(request, *args, **kwargs)
        context["groups"] = modules_catalogue(index=self)
        return context


class CountySectionPage(Page):
    """A county's own modules. Trainers of that county may author here and nowhere else
    (a `GroupPagePermission` of the county's trainers group on this page), and the county's
    reviewers publish (its own moderation workflow). See `county_section_ensure`."""

    county = models.OneToOneField(
        OrgUnit,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        limit_choices_to={"kind": UnitKind.COUNTY},
        related_name="training_section",
    )

    content_panels = [*Page.content_panels, FieldPanel("county")]
    parent_page_types = ["courses.TrainingIndexPage"]
    subpage_types = ["courses.TrainingModulePage"]
    template = "pages/courses/county_section_page.html"

    class Meta:
        verbose_name = _("county section (县级培训专区)")

    def get_context(self, request, *args, **kwargs):
        from ..selectors.training import modules_catalogue

        context = super().get_context(request, *args, **kwargs)
        context["groups"] = modules_catalogue(index=self)
        return context


class TrainingModulePage(Page):
    """A training module of one kind, tagged with enforcement fields and powers.

    One model with a `kind` field rather than three models: the three kinds share
    everything a trainer fills in (hours, category, fields, powers, description) and
    everything the ledger and the withdrawn-power check read, so one table answers "which
    modules teach this power" in one query. What differs is behaviour — lessons exist only
    under coverage modules (`LessonPage.can_create_at`), lectures, placements and
    field-practice sessions point at the module of their kind — and that lives in
    `courses.services.training`.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ModuleKind.choices)
    summary = models.TextField(_("summary"), max_length=500, blank=True)
    body = StreamField(LessonBodyBlock(), verbose_name=_("introduction"), blank=True)
    credit_hours = hours_field(default=Decimal("2.0"))
    category = models.CharField(
        _("hour category"),
        max_length=20,
        choices=HourCategory.choices,
        default=HourCategory.PUBLIC_LAW,
    )
    fields = ParentalManyToManyField(
        "powers.EnforcementField", verbose_name=_("enforcement fields"), blank=True
    )
    powers = ParentalManyToManyField(
        "powers.Power",
        verbose_name=_("powers taught"),
        blank=True,
        help_text=_("When a power listed here is withdrawn, the module is flagged for review."),
    )
    assessment_quiz = models.ForeignKey(
        "quizzes.Quiz",
        verbose_name=_("module assessment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Coverage modules: a quiz the officer must pass before the hours count."),
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("credit_hours"), FieldPanel("category")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("fields", widget=forms.CheckboxSelectMultiple), FieldPanel("powers")],
            heading=_("What it teaches"),
        ),
        FieldPanel("assessment_quiz"),
        HelpPanel(
            content=_(
                "Coverage modules hold lessons (add them as child pages). Lectures, "
                "observation placements and field-practice sessions are added under "
                "Snippets and point at their module."
            )
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["courses.TrainingIndexPage", "courses.CountySectionPage"]
    subpage_types = ["courses.LessonPage"]
    template = "pages/courses/training_module_page.html"

    class Meta:
        verbose_name = _("training module (培训模块)")

    def clean(self) -> None:
        super().clean()
        if (
            self.pk
            and self.kind != ModuleKind.COVERAGE
            and LessonPage.objects.child_of(self).exists()
        ):
            raise ValidationError(
                {"kind": _("This module has lessons; only a coverage module may hold lessons.")}
            )

    def get_context(self, request, *args, **kwargs):
        from ..selectors.training import module_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(module_page_context(module=self, user=request.user))
        return context


class LessonPage(Page):
    """One lesson of a coverage module. Opening it starts the study clock (server side)."""

    body = StreamField(LessonBodyBlock(), verbose_name=_("lesson"))
    min_study_minutes = models.PositiveSmallIntegerField(
        _("minimum study time (minutes)"),
        default=10,
        validators=[MaxValueValidator(600)],
        help_text=_("The lesson can be marked complete only after it has been open this long."),
    )
    required = models.BooleanField(
        pgettext_lazy("lesson", "required"),
        default=True,
        help_text=_("The module's hours are credited when every required lesson is complete."),
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("min_study_minutes"), FieldPanel("required")]),
        FieldPanel("body"),
    ]
    parent_page_types = ["courses.TrainingModulePage"]
    subpage_types: list[str] = []
    template = "pages/courses/lesson_page.html"

    class Meta:
        verbose_name = _("lesson (课程)")

    @classmethod
    def can_create_at(cls, parent) -> bool:
        if not super().can_create_at(parent):
            return False
        specific = parent.specific
        return getattr(specific, "kind", None) == ModuleKind.COVERAGE

    def citation_text(self) -> str:
        """What the lesson cites, a line each: its article blocks (《法名》第X条), and the
        titles and texts of its callouts and texts, read by the law registry when the
        lesson is saved (`laws.wagtail_hooks`)."""
        lines = []
        for block in self.body:
            value = block.value
            if block.block_type == "law_article":
                lines.append(reference_text(value))
            elif block.block_type == "callout":
                lines += [value["title"], value["text"].source]
            elif block.block_type == "text":
                lines.append(value.source)
        return "\n".join(lines)

    def get_context(self, request, *args, **kwargs):
        from ..selectors.training import lesson_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_page_context(lesson=self, user=request.user))
        return context


class HandbookPage(Page):
    """The standardisation handbook (规范化建设指导手册): an index of its sections."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.HandbookSectionPage"]
    max_count = 1
    template = "pages/courses/handbook_page.html"

    class Meta:
        verbose_name = _("handbook (规范化建设指导手册)")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = HandbookSectionPage.objects.child_of(self).live().order_by("path")
        return context


class HandbookSection(models.TextChoices):
    MATTERS = "matters", _("List of matters (事项清单)")
    RESPONSIBILITIES = "responsibilities", _("Post responsibilities (岗位职责)")
    PROCEDURES = "procedures", _("Procedures (执法流程)")
    DOCUMENT_TEMPLATES = "document_templates", _("Document templates (文书范本)")
    SYSTEM_TEMPLATES = "system_templates", _("System templates (制度范本)")


class HandbookSectionPage(Page):
    """One section of the handbook. One model with a `section` kind: every section is a
    titled body of handbook blocks (matters, responsibilities, ordered procedure steps,
    downloadable templates), so five models would differ only in their label."""

    section = models.CharField(_("section"), max_length=30, choices=HandbookSection.choices)
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(HandbookBodyBlock(), verbose_name=_("content"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("section"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["courses.HandbookPage"]
    subpage_types: list[str] = []
    template = "pages/courses/handbook_section_page.html"

    class Meta:
        verbose_name = _("handbook section (手册章节)")


# --- Coverage: online lessons ----------------------------------------------------------


class LessonProgress(models.Model):
    """An officer's study of one lesson: first opened, time studied, completed.

    Each officer has one study clock (docs/study-clock.md). It runs for the lesson the
    officer opened (or whose page reported in) last and is stopped on every other lesson,
    so lessons open side by side in several tabs share the real time instead of each
    counting all of it. `time_studied` holds the stopped stretches; `clock_started_at` is
    set while the clock runs for this lesson, and at most one row per officer has it.
    """

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="progress")
    opened_at = models.DateTimeField(_("first opened at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    time_studied = models.DurationField(
        _("time studied"),
        default=datetime.timedelta,
        help_text=_("Study time counted so far, not including the clock now running."),
    )
    clock_started_at = models.DateTimeField(_("study clock running since"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress (学习进度)")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["officer", "lesson"], name="one_progress_per_lesson"),
            models.UniqueConstraint(
                fields=["officer"],
                condition=models.Q(clock_started_at__isnull=False),
                name="one_study_clock_per_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.lesson_id}"

    def studied_by(self, now: datetime.datetime) -> datetime.timedelta:
        """Time studied up to `now`: the stopped stretches and the one running, if any."""
        if self.clock_started_at is None:
            return self.time_studied
        return self.time_studied + max(now - self.clock_started_at, datetime.timedelta(0))


# --- Coverage: lectures -----------------------------------------------------------------


class Lecture(models.Model):
    """An in-person law lecture (专题讲座) with a capacity, a waiting list and attendance."""

    title = models.CharField(_("title"), max_length=200)
    module = models.ForeignKey(
        TrainingModulePage,
        verbose_name=_("module"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lectures",
        limit_choices_to={"kind": ModuleKind.COVERAGE},
    )
    county = models.ForeignKey(
        OrgUnit,
        verbose_name=_("for officers of"),
        on_delete=models.PROTECT,
        related_name="lectures",
        limit_choices_to={"kind__in": [UnitKind.CITY, UnitKind.COUNTY]},
        help_text=_("The county (or the city) whose officers may sign up."),
    )
    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lecturer (account)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lectures_given",
    )
    lecturer_name = models.CharField(_("lecturer"), max_length=100)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    hours = hours_field()
    category = models.CharField(
        _("hour category"),
        max_length=20,
        choices=HourCategory.choices,
        default=HourCategory.PUBLIC_LAW,
    )
    attendance_code = models.CharField(
        _("attendance code"),
        max_length=8,
        blank=True,
        help_text=_("Shown by the lecturer; accepted only while the lecture is on."),
    )

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("module"), FieldPanel("county")]),
        FieldRowPanel([FieldPanel("lecturer_name"), FieldPanel("lecturer")]),
        FieldPanel("place"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("hours"), FieldPanel("category")]),
        FieldPanel("attendance_code", read_only=True),
    ]

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("lecture (专题讲座)")
        verbose_name_plural = _("lectures")

    def __str__(self) -> str:
        return f"{self.title} · {self.starts_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self.attendance_code:
            from ..services.training import attendance_code_new

            self.attendance_code = attendance_code_new()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A lecture ends after it starts.")})


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Place confirmed")
    WAITING = "waiting", _("On the waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LectureSignup(models.Model):
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="signups")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lecture_signups"
    )
    status = models.CharField(_("status"), max_length=20, choices=SignupStatus.choices)
    signed_up_at = models.DateTimeField(_("signed up at"))
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["signed_up_at", "pk"]
        verbose_name = _("lecture sign-up (报名)")
        constraints = [
            models.UniqueConstraint(fields=["lecture", "officer"], name="one_signup_per_lecture")
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.lecture_id} · {self.status}"


class AttendanceMethod(models.TextChoices):
    CODE = "code", _("Attendance code")
    ROSTER = "roster", _("Roster (ticked by the trainer)")


class LectureAttendance(models.Model):
    """Append-only: an officer was at the lecture. Credits the lecture's hours."""

    lecture = models.ForeignKey(Lecture, on_delete=models.PROTECT, related_name="attendances")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lecture_attendances"
    )
    method = models.CharField(_("method"), max_length=10, choices=AttendanceMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("lecture attendance (签到)")
        constraints = [
            models.UniqueConstraint(
                fields=["lecture", "officer"], name="one_attendance_per_lecture"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.lecture_id}"


# --- Observation ------------------------------------------------------------------------


class ObservationKind(models.TextChoices):
    CASE = "case", _("A case handled by the department")
    HEARING = "hearing", _("An administrative-litigation hearing (行政诉讼庭审)")


class Placement(models.Model):
    """An observation placement (观摩) offered by a county department or a court."""

    title = models.CharField(_("title"), max_length=200)
    module = models.ForeignKey(
        TrainingModulePage,
        verbose_name=_("module"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placements",
        limit_choices_to={"kind": ModuleKind.OBSERVATION},
    )
    host_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("host unit"),
        on_delete=models.PROTECT,
        related_name="placements",
        limit_choices_to={"kind__in": [UnitKind.DEPARTMENT, UnitKind.COURT]},
    )
    observe_kind = models.CharField(
        _("what is observed"), max_length=20, choices=ObservationKind.choices
    )
    subject = models.TextField(_("details"), help_text=_("The case or hearing to be observed."))
    place = models.CharField(_("place"), max_length=200)
    held_on = models.DateField(_("date"))
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    hours = hours_field()
    category = models.CharField(
        _("hour category"),
        max_length=20,
        choices=HourCategory.choices,
        default=HourCategory.SKILLS,
    )

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("module"), FieldPanel("host_unit")]),
        FieldRowPanel([FieldPanel("observe_kind"), FieldPanel("held_on")]),
        FieldPanel("subject"),
        FieldPanel("place"),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("hours"), FieldPanel("category")]),
    ]

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("observation placement (观摩安排)")
        verbose_name_plural = _("observation placements")

    def __str__(self) -> str:
        return f"{self.title} · {self.held_on}"


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ATTENDED = "attended", _("Attendance confirmed by the host")
    SUBMITTED = "submitted", _("Reflection submitted")
    RETURNED = "returned", _("Reflection returned for changes")
    APPROVED = "approved", _("Approved")


class PlacementApplication(models.Model):
    """One officer's way through a placement. Each step is stamped with who and when."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="applications")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="placement_applications"
    )
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices)
    applied_at = models.DateTimeField(_("applied at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    attendance_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attendance_confirmed_at = models.DateTimeField(
        _("attendance confirmed at"), null=True, blank=True
    )

    class Meta:
        ordering = ["applied_at", "pk"]
        verbose_name = _("placement application (观摩申请)")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "officer"], name="one_application_per_placement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.placement_id} · {self.status}"


class Reflection(models.Model):
    """A reflection (观摩心得). Append-only: a returned reflection is answered by a new one."""

    application = models.ForeignKey(
        PlacementApplication, on_delete=models.PROTECT, related_name="reflections"
    )
    text = models.TextField(_("reflection"))
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("reflection (观摩心得)")

    def __str__(self) -> str:
        return f"{self.application_id} · {self.submitted_at:%Y-%m-%d}"


def reflection_upload_to(instance, filename: str) -> str:
    return f"reflections/{instance.reflection.application_id}/{filename}"


class ReflectionAttachment(models.Model):
    reflection = models.ForeignKey(Reflection, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("attachment"), upload_to=reflection_upload_to)

    class Meta:
        verbose_name = _("reflection attachment")

    def __str__(self) -> str:
        return self.file.name

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with a comment")


class ReflectionReview(models.Model):
    """A trainer's decision on a reflection (append-only)."""

    reflection = models.ForeignKey(Reflection, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(pgettext_lazy("evaluation", "comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))

    class Meta:
        verbose_name = _("reflection review")

    def __str__(self) -> str:
        return f"{self.reflection_id} · {self.decision}"


# --- Field practice ---------------------------------------------------------------------


class ChecklistItem(models.Model):
    """An item of the field-practice evaluation checklist (configurable; defaults seeded)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("item"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    panels = [
        FieldPanel("label"),
        FieldPanel("code"),
        FieldPanel("sort_order"),
        FieldPanel("active"),
    ]

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("evaluation checklist item (评价要点)")
        verbose_name_plural = _("evaluation checklist items")

    def __str__(self) -> str:
        return self.label


class FieldPracticeSession(models.Model):
    """A county specialist guides township officers on-site through a real case (实战式).

    The specialists who took part are recorded, because while the power is in its
    transition period one of them must come from the power's original county department
    (see `courses.services.training.field_session_transition_check`).
    """

    module = models.ForeignKey(
        TrainingModulePage,
        verbose_name=_("module"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="field_sessions",
        limit_choices_to={"kind": ModuleKind.FIELD_PRACTICE},
    )
    power = models.ForeignKey(
        "powers.Power", verbose_name=_("power"), on_delete=models.PROTECT, related_name="+"
    )
    case_reference = models.CharField(_("case reference"), max_length=100)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    hours = hours_field()
    category = models.CharField(
        _("hour category"), max_length=20, choices=HourCategory.choices, default=HourCategory.SKILLS
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_sessions_recorded"
    )
    specialists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("specialists"), related_name="field_sessions"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("field-practice session (实战带教)")

    def __str__(self) -> str:
        return f"{self.case_reference} · {self.held_on}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class FieldPracticeParticipant(models.Model):
    session = models.ForeignKey(
        FieldPracticeSession, on_delete=models.PROTECT, related_name="participants"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_participations"
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("field-practice participant")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "officer"], name="one_participant_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.session_id}"


class ChecklistRating(models.Model):
    participant = models.ForeignKey(
        FieldPracticeParticipant, on_delete=models.PROTECT, related_name="ratings"
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(pgettext_lazy("evaluation", "comment"), max_length=500, blank=True)

    class Meta:
        ordering = ["item__sort_order", "item_id"]
        verbose_name = _("checklist rating")
        constraints = [
            models.UniqueConstraint(fields=["participant", "item"], name="one_rating_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.rating}"
