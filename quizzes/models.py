"""The quiz engine's data: the question bank, quizzes and exams, attempts and their answers.

A question bank (题库) is a tree of categories holding questions of four types. A quiz
names some questions outright and/or draws N at random from a category; the draw and the
order are fixed when an attempt starts and stored on the attempt's slots, so what an
officer saw can always be reconstructed and re-marked. Each slot holds the officer's
latest answer together with the sequence number of the save that wrote it, which is how a
late or duplicated save is told apart from a newer one (see `services.answer_save`).

`Quiz`, `QuizKind`, `Attempt` (`user`, `quiz`, `score`, `passed`, `finished_at`) are read
by the courses and certification apps: keep those names stable.
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, Orderable, RevisionMixin

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel

from powers.models import EnforcementField, Power

from .formats.html import text_plain


class QuizKind(models.TextChoices):
    PRACTICE = "practice", _("Practice (in a lesson)")
    MODULE = "module", _("Module assessment")
    GENERAL_LAW = "general_law", _("Qualification exam: general law")
    SPECIALISED = "specialised", _("Qualification exam: specialised law")


#: Kinds whose results feed the certificate rules (DESIGN.md §4).
QUALIFICATION_KINDS = (QuizKind.GENERAL_LAW, QuizKind.SPECIALISED)

#: The lowest pass mark a qualification exam may have: the certificate rules ask for a
#: score of at least 60 out of 100 in each exam (DESIGN.md §4).
QUALIFICATION_MIN_PASS_MARK = 60


def _owner_unit_field():
    return models.ForeignKey(
        "people.OrgUnit",
        verbose_name=_("owned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The county whose trainers maintain it. Empty: the city's (only city "
            "administrators change it)."
        ),
    )


class QuestionCategory(models.Model):
    """A category of the question bank (题库分类); categories nest to any depth.

    `owner_unit` says who maintains it: a county's trainers, or the city (empty). Its
    questions are scoped by it (`quizzes.policies`); a category that a qualification exam
    draws from belongs to the city's exam pool whoever owns it (docs/exam-pools.md).
    """

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    owner_unit = _owner_unit_field()

    panels = [
        FieldPanel("name"),
        FieldPanel("parent"),
        FieldPanel("description"),
        FieldPanel("owner_unit"),
    ]

    class Meta:
        ordering = ["parent_id", "name"]
        verbose_name = _("question category (题库分类)")
        verbose_name_plural = _("question categories")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_category_name"),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="unique_root_category_name",
            ),
        ]

    def __str__(self) -> str:
        return " / ".join(self.path_names())

    def path_names(self) -> list[str]:
        names, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return list(reversed(names))

    def clean(self) -> None:
        super().clean()
        node = self.parent
        while node is not None:
            if self.pk and node.pk == self.pk:
                raise ValidationError({"parent": _("A category cannot sit under itself.")})
            node = node.parent

    def descendant_ids(self) -> list[int]:
        """Ids of this category and every category under it (the table is small: one query)."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in QuestionCategory.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, stack = [], [self.pk]
        while stack:
            pk = stack.pop()
            found.append(pk)
            stack.extend(children.get(pk, []))
        return found


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")
    ESSAY = "essay", _("Essay (marked by a trainer)")


CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE)


class TextFormat(models.TextChoices):
    PLAIN = "plain", _("Plain text")
    HTML = "html", _("HTML")


class QuestionQuerySet(models.QuerySet):
    def needing_review(self, on: date) -> "QuestionQuerySet":
        """Questions tagged with a power withdrawn on or before `on`: they may teach a
        power the townships no longer hold, so a trainer must look at them."""
        withdrawn = Power.objects.withdrawn_by(on)
        return self.filter(
            models.Exists(
                Question.powers.through.objects.filter(
                    question_id=models.OuterRef("pk"), power__in=withdrawn
                )
            )
        )

    def drawable(self, on: date) -> "QuestionQuerySet":
        """Questions a random draw may pick on `on`: active and not needing review."""
        withdrawn = Power.objects.withdrawn_by(on)
        return self.filter(is_active=True).exclude(
            models.Exists(
                Question.powers.through.objects.filter(
                    question_id=models.OuterRef("pk"), power__in=withdrawn
                )
            )
        )


class Question(RevisionMixin, ClusterableModel):
    """One question of the bank (试题). Choice questions own their options.

    Every save through the admin is a revision (who, when, and the whole question with its
    options), so a change to a question an exam draws can be compared with what it was:
    https://docs.wagtail.org/en/stable/topics/snippets/features.html#saving-revisions-of-snippets
    """

    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    qtype = models.CharField(
        _("type"), max_length=20, choices=QuestionType.choices, default=QuestionType.SINGLE
    )
    title = models.CharField(
        _("title"), max_length=255, blank=True, help_text=_("A short name, as Moodle keeps.")
    )
    text = models.TextField(_("question"))
    text_format = models.CharField(
        _("text format"),
        max_length=10,
        choices=TextFormat.choices,
        default=TextFormat.PLAIN,
        help_text=_(
            "HTML: the question, its options, their feedback and the explanation are HTML, "
            "cleaned of scripts and styles when saved and when shown."
        ),
    )
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Shown to the officer at review time.")
    )
    grader_info = models.TextField(
        _("notes for the marker"),
        blank=True,
        help_text=_("Essay questions: what a trainer marking the answer should look for."),
    )
    correct_feedback = models.TextField(
        _("feedback for a right answer"),
        blank=True,
        help_text=_(
            "Choice questions, as in Moodle: shown in the review after a full-marks answer."
        ),
    )
    partially_correct_feedback = models.TextField(
        _("feedback for a partly right answer"), blank=True
    )
    incorrect_feedback = models.TextField(_("feedback for a wrong answer"), blank=True)
    partial_credit = models.BooleanField(
        _("partial credit"),
        default=False,
        help_text=_(
            "Multiple choice only: give part of the marks for a partly right answer "
            "(each right option adds, each wrong one takes away). Otherwise all or nothing."
        ),
    )
    points = models.DecimalField(
        _("marks"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01)],
    )
    fields = ParentalManyToManyField(
        EnforcementField, verbose_name=_("enforcement fields"), blank=True, related_name="+"
    )
    powers = ParentalManyToManyField(
        Power, verbose_name=_("delegated powers"), blank=True, related_name="questions"
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive questions are never drawn.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("category"), FieldPanel("qtype")]),
        FieldPanel("title"),
        # The format comes with an import; an HTML question's text is edited as HTML.
        FieldPanel("text"),
        InlinePanel("options", label=_("Options"), heading=_("Options (choice questions)")),
        FieldRowPanel([FieldPanel("points"), FieldPanel("partial_credit")]),
        FieldPanel("explanation"),
        MultiFieldPanel(
            [
                FieldPanel("correct_feedback"),
                FieldPanel("partially_correct_feedback"),
                FieldPanel("incorrect_feedback"),
                FieldPanel("grader_info"),
            ],
            heading=_("Feedback and marking notes (as in Moodle)"),
            classname="collapsed",
        ),
        MultiFieldPanel(
            [FieldPanel("fields"), FieldPanel("powers")], heading=_("Tags"), classname="collapsed"
        ),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["category_id", "pk"]
        verbose_name = _("question (试题)")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        text = text_plain(self.text, is_html=self.text_format == TextFormat.HTML)
        text = text.replace("\n", " ")
        return text if len(text) <= 60 else f"{text[:60]}…"

    def citation_text(self) -> str:
        """Where a question names its legal basis (《法名》第X条): its text and explanation,
        read by the law registry when the question is saved (`laws.wagtail_hooks`)."""
        return f"{self.text}\n{self.explanation}"

    @property
    def is_choice(self) -> bool:
        return self.qtype in CHOICE_TYPES

    def clean(self) -> None:
        super().clean()
        if self.partial_credit and self.qtype != QuestionType.MULTIPLE:
            raise ValidationError(
                {"partial_credit": _("Partial credit applies to multiple choice only.")}
            )


class Option(Orderable):
    """An option of a choice question; whether it is right never leaves the server before
    the attempt is finished.

    `weight` is Moodle's grade of the option in per cent (-100 to 100), kept when a question
    comes from Moodle. When any option of a question has one, the question is marked the
    way Moodle marks it (`services.slot_auto_mark`): single choice earns the chosen
    option's weight, multiple choice the sum of the chosen weights, between 0 and 100 %.
    Without weights, `is_correct` and the question's partial-credit setting decide.
    `is_correct` stays what the review shows as right: a full-weight option of a
    single-choice question, any option with a positive weight of a multiple-choice one.
    """

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text=_(
            "Optional, as in Moodle: the share of the marks this option earns, from -100 to "
            "100. Leave every option empty to mark by “correct” alone."
        ),
    )

    feedback = models.TextField(
        _("feedback"),
        blank=True,
        help_text=_("Shown beside this option in the review, when the review shows answers."),
    )

    panels = [
        FieldRowPanel([FieldPanel("text"), FieldPanel("is_correct"), FieldPanel("weight")]),
        FieldPanel("feedback"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.text


class Layout(models.TextChoices):
    ONE_PER_PAGE = "one_per_page", _("One question per page")
    ALL_ON_ONE_PAGE = "all_on_one_page", _("All questions on one page")


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest attempt")
    LAST = "last", _("Last attempt")


class ReviewPolicy(models.TextChoices):
    SCORE_ONLY = "score_only", _("Score only")
    AFTER_SUBMIT = "after_submit", _("Answers and explanations after submitting")
    AFTER_CLOSE = "after_close", _("Answers and explanations after the quiz closes")


class Quiz(DraftStateMixin, RevisionMixin, ClusterableModel):
    """A quiz or exam (测验/考试): which questions, and the rules of sitting it.

    Drafts and publishing are Wagtail's (`DraftStateMixin`): an edit of a published quiz
    is saved as a revision and changes nothing officers sit until someone allowed to
    publish it does (for a qualification exam, only the city). The quiz engine reads the
    row, which is the published version. `is_draft` is kept for readers written before
    that: the database keeps it equal to "not live".
    https://docs.wagtail.org/en/stable/topics/snippets/features.html#saving-draft-changes-of-snippets
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=QuizKind.choices, default=QuizKind.PRACTICE
    )
    field = models.ForeignKey(
        EnforcementField,
        verbose_name=_("field"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("For a specialised qualification exam: the field it qualifies for."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=60, validators=[MaxValueValidator(100)]
    )
    is_draft = models.GeneratedField(
        expression=models.Case(
            models.When(live=True, then=models.Value(False)), default=models.Value(True)
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("draft"),
    )
    owner_unit = _owner_unit_field()
    success_text = models.TextField(_("text shown on passing"), blank=True)
    failure_text = models.TextField(_("text shown on failing"), blank=True)

    layout = models.CharField(
        _("layout"), max_length=20, choices=Layout.choices, default=Layout.ALL_ON_ONE_PAGE
    )
    shuffle_questions = models.BooleanField(_("shuffle questions per attempt"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options per attempt"), default=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Empty: no time limit.")
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0: unlimited. 1: a single-attempt exam.")
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=10,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    review = models.CharField(
        _("what the officer sees after submitting"),
        max_length=20,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.AFTER_SUBMIT,
    )

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("field")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("owner_unit")]),
        InlinePanel("fixed_questions", label=_("Question"), heading=_("Fixed questions")),
        InlinePanel("draws", label=_("Random draw"), heading=_("Random draws")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("layout"), FieldPanel("review")]),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
                FieldRowPanel(
                    [
                        FieldPanel("time_limit_minutes"),
                        FieldPanel("attempts_allowed"),
                        FieldPanel("grading_method"),
                    ]
                ),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            ],
            heading=_("Sitting"),
        ),
        MultiFieldPanel(
            [FieldPanel("success_text"), FieldPanel("failure_text")], heading=_("Feedback")
        ),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quizzes:detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.kind == QuizKind.SPECIALISED and not self.field_id:
            errors["field"] = _("A specialised exam names the field it qualifies for.")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The quiz must close after it opens.")
        if (
            self.kind in QUALIFICATION_KINDS
            and self.pass_mark is not None
            and self.pass_mark < QUALIFICATION_MIN_PASS_MARK
        ):
            errors["pass_mark"] = _(
                "A qualification exam's pass mark is at least %(mark)s%%: the certificate "
                "rules ask for a score of %(mark)s out of 100."
            ) % {"mark": QUALIFICATION_MIN_PASS_MARK}
        if errors:
            raise ValidationError(errors)


class QuizQuestion(Orderable):
    """A question every attempt at the quiz gets."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("question")]

    class Meta(Orderable.Meta):
        verbose_name = _("fixed question")


class QuizDraw(Orderable):
    """ "N questions at random from category X", drawn afresh for each attempt."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="draws")
    category = models.ForeignKey(
        QuestionCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveSmallIntegerField(
        _("number of questions"), default=10, validators=[MinValueValidator(1)]
    )
    include_subcategories = models.BooleanField(_("include sub-categories"), default=True)

    panels = [
        FieldRowPanel(
            [FieldPanel("category"), FieldPanel("count"), FieldPanel("include_subcategories")]
        )
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("random draw")


class QuizOverride(models.Model):
    """A per-officer exception to a quiz's rules (more time, another attempt, other dates).

    Append-only: the newest override for an officer and quiz applies, older ones stay as
    the record of who granted what and why.
    """

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="overrides"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="quiz_overrides",
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), null=True, blank=True
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    panels = [
        FieldRowPanel([FieldPanel("quiz"), FieldPanel("user")]),
        FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("attempts_allowed")]),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
        FieldPanel("reason"),
    ]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("quiz override (个人例外)")
        verbose_name_plural = _("quiz overrides")

    def __str__(self) -> str:
        return f"{self.quiz} · {self.user}"

    def clean(self) -> None:
        super().clean()
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("Give the reason for the override.")})


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", pgettext_lazy("attempt status", "In progress")
    SUBMITTED = "submitted", _("Awaiting marking")
    GRADED = "graded", _("Graded")


class FinishReason(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted by the officer")
    TIMED_OUT = "timed_out", _("Time ran out")


class Attempt(models.Model):
    """One sitting of a quiz by an officer (答题记录).

    Addressed in URLs by `public_id` (a random UUID), never by the sequential key.
    `score` (0–100) and `passed` are set only once every answer is marked.

    A running exam's rules cannot change under it: what decides the result is fixed when
    the attempt starts (the questions and their marks, the marking key on each slot, the
    `deadline` and the `pass_mark`), so a new version of the quiz published meanwhile
    applies to later attempts only.
    """

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveSmallIntegerField(_("attempt number"), default=1)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AttemptStatus.choices,
        default=AttemptStatus.IN_PROGRESS,
        db_index=True,
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        null=True,
        blank=True,
        help_text=_("The quiz's pass mark when the attempt started."),
    )
    finish_reason = models.CharField(
        _("finished because"), max_length=20, choices=FinishReason.choices, blank=True
    )
    points_awarded = models.DecimalField(
        _("marks awarded"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    points_possible = models.DecimalField(
        _("marks possible"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=models.Q(status="in_progress"),
                name="one_attempt_in_progress",
            ),
            models.UniqueConstraint(
                fields=["user", "quiz", "number"], name="unique_attempt_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.quiz}"

    @property
    def in_progress(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS


class AttemptQuestion(models.Model):
    """One question of an attempt, in the place it was given, with the latest answer.

    `option_order` lists the option ids in the order this officer sees them; the page and
    the save endpoint refer to options only by their index in it, so nothing sent to the
    browser carries an option's id (ids could betray the order a question was written in).
    `seq` is the sequence number of the save that wrote the current answer.
    `max_points`, `correct_options`, `partial_credit` and `option_weights` (option id →
    Moodle weight in per cent, for questions that have weights) are the question's marking
    as it stood when the attempt started (empty on slots made before they were recorded:
    those are marked from the question as it is).
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField(_("position"))
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="slots"
    )
    option_order = models.JSONField(default=list)
    max_points = models.DecimalField(_("marks possible"), max_digits=5, decimal_places=2)
    correct_options = models.JSONField(_("right options"), null=True, blank=True)
    partial_credit = models.BooleanField(_("partial credit"), null=True, blank=True)
    option_weights = models.JSONField(_("option weights"), null=True, blank=True)
    selected = models.JSONField(default=list)
    text = models.TextField(_("answer text"), blank=True)
    seq = models.PositiveBigIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    points = models.DecimalField(
        _("marks awarded"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marker_comment = models.TextField(_("marker's comment"), blank=True)
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)

    class Meta:
        ordering = ["attempt_id", "position"]
        verbose_name = _("attempt question")
        verbose_name_plural = _("attempt questions")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="unique_slot_position")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.position}"

    @property
    def answered(self) -> bool:
        return self.is_answered(self.selected, self.text)

    @staticmethod
    def is_answered(selected: list, text: str) -> bool:
        """An option chosen or some words written (the page reads slots as plain values)."""
        return bool(selected) or bool(text.strip())
