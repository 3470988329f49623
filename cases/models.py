"""The case-study library (以案说法): case pages, their search index, reading, study and assignment records.

A case is a Wagtail page, so trainers get preview, revisions and the moderation workflow
for free (https://docs.wagtail.org/en/stable/topics/pages.html). Its structured parts —
legal basis, procedure, evidence, lessons — are StreamFields of small blocks
(`cases.blocks`), so the library can show, index and check them field by field.

Search does not use Wagtail's search backend: Chinese needs the character n-gram index
of `CaseSearchTerm`, built when a case is published (see `cases.search`).

What an officer does with a case is recorded in append-only rows — `CaseReading` (the
server-side record that they read it) and `CaseCompletion` (read, and the quiz passed;
the hours it earned are in the training ledger) — and what supervisors require in
`CaseAssignment`, which is withdrawn, never deleted.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from modelcluster.fields import ParentalManyToManyField

from courses.models import HourCategory
from quizzes.models import QuizKind
from quizzes.signals import attempt_graded

from .blocks import (
    PROCEDURE_STEPS,
    DocumentTemplateBlock,
    EvidenceBlock,
    LegalProvisionBlock,
    procedure_stream_blocks,
)
from .forms import CasePageForm

__all__ = [
    "CaseOutcome",
    "CaseLibraryPage",
    "CasePage",
    "CaseSearchTerm",
    "CaseReading",
    "CaseCompletion",
    "CaseAssignment",
]

RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]


class CaseOutcome(models.TextChoices):
    PENALTY = "penalty", _("Penalty imposed (作出处罚)")
    LENIENT = "lenient", _("Lighter or no penalty (从轻、减轻或不予处罚)")
    UPHELD = "upheld", _("Upheld on review or in court (复议、诉讼维持)")
    OVERTURNED = (
        "overturned",
        _("Overturned or changed on review or in court (复议、诉讼撤销或变更)"),
    )
    CLOSED = "closed", _("Closed without a decision (撤销立案、终止调查)")


class CaseLibraryPage(Page):
    """The library: filters, Chinese full-text search, and the cases below it.

    The listing is built in `get_context` by `courses.selectors.case_library_results`;
    the page itself holds only an introduction.
    """

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cases.CasePage"]
    template = "pages/cases/case_library_page.html"

    class Meta:
        verbose_name = _("case library (以案说法)")

    def serve(self, request, *args, **kwargs):
        from .views import login_required_page

        return login_required_page(request) or super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .views import case_library_context

        context = super().get_context(request, *args, **kwargs)
        context.update(case_library_context(request=request, library=self))
        return context


class CasePage(Page):
    """One case, anonymised: what happened, the law, the procedure, the decision and the lessons."""

    case_number = models.CharField(
        _("case number (案号)"),
        max_length=100,
        blank=True,
        help_text=_("Anonymised, e.g. 濮县城关综执罚〔2024〕X号."),
    )
    field = models.ForeignKey(
        "powers.EnforcementField",
        verbose_name=_("enforcement field"),
        on_delete=models.PROTECT,
        null=True,
        related_name="case_pages",
    )
    powers = ParentalManyToManyField(
        "powers.Power", verbose_name=_("powers"), blank=True, related_name="case_pages"
    )
    county = models.ForeignKey(
        "people.OrgUnit",
        verbose_name=_("county"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "county"},
    )
    township = models.ForeignKey(
        "people.OrgUnit",
        verbose_name=_("township"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind__in": ["township", "subdistrict"]},
    )
    decided_on = models.DateField(_("decision date"), db_index=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=CaseOutcome.choices, default=CaseOutcome.PENALTY
    )
    facts = RichTextField(_("facts (基本案情)"), features=RICH_TEXT_FEATURES)
    legal_questions = RichTextField(
        _("legal questions (争议焦点)"), blank=True, features=RICH_TEXT_FEATURES
    )
    legal_basis = StreamField(
        [("provision", LegalProvisionBlock())], verbose_name=_("legal basis"), blank=True
    )
    procedure = StreamField(
        procedure_stream_blocks(),
        verbose_name=_("procedure"),
        blank=True,
        block_counts={code: {"max_num": 1} for code, _label in PROCEDURE_STEPS},
    )
    evidence = StreamField([("item", EvidenceBlock())], verbose_name=_("evidence"), blank=True)
    decision = RichTextField(_("decision (处理决定)"), blank=True, features=RICH_TEXT_FEATURES)
    penalty = models.CharField(
        _("penalty"),
        max_length=300,
        blank=True,
        help_text=_("In one line, e.g. 罚款人民币2万元，责令退还非法占用的土地."),
    )
    review_outcome = RichTextField(
        _("review or litigation outcome (复议、诉讼结果)"),
        blank=True,
        features=RICH_TEXT_FEATURES,
    )
    lessons = StreamField(
        [("point", blocks.TextBlock(label=_("Lesson")))],
        verbose_name=_("lessons (以案说法)"),
        blank=True,
    )
    document_templates = StreamField(
        [("template", DocumentTemplateBlock())],
        verbose_name=_("document templates (文书范本)"),
        blank=True,
    )
    related_modules = StreamField(
        [("module", blocks.PageChooserBlock(label=_("Training module")))],
        verbose_name=_("related training modules"),
        blank=True,
    )
    related_quizzes = ParentalManyToManyField(
        "quizzes.Quiz", verbose_name=_("related quizzes"), blank=True, related_name="+"
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        verbose_name=_("study quiz"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A short quiz the officer must pass before the hours are credited."),
    )
    study_hours = models.DecimalField(
        _("study hours"),
        max_digits=3,
        decimal_places=1,
        default=0,
        help_text=_("Hours credited once for reading the case (and passing its quiz); 0 for none."),
    )
    hours_category = models.CharField(
        _("hours category"),
        max_length=20,
        choices=HourCategory.choices,
        default=HourCategory.PROFESSIONAL,
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("case_number"), FieldPanel("decided_on")]),
        FieldRowPanel([FieldPanel("field"), FieldPanel("outcome")]),
        FieldPanel("powers"),
        FieldRowPanel([FieldPanel("county"), FieldPanel("township")]),
        FieldPanel("facts"),
        FieldPanel("legal_questions"),
        FieldPanel("legal_basis"),
        FieldPanel("procedure"),
        FieldPanel("evidence"),
        MultiFieldPanel(
            [FieldPanel("decision"), FieldPanel("penalty"), FieldPanel("review_outcome")],
            heading=_("Decision and outcome"),
        ),
        FieldPanel("lessons"),
        FieldPanel("document_templates"),
        MultiFieldPanel(
            [
                FieldPanel("related_modules"),
                FieldPanel("related_quizzes"),
                FieldPanel("quiz"),
                FieldRowPanel([FieldPanel("study_hours"), FieldPanel("hours_category")]),
            ],
            heading=_("Study"),
        ),
    ]

    base_form_class = CasePageForm
    parent_page_types = ["cases.CaseLibraryPage"]
    # Its county is picked in its form (checked there), not taken from where it is filed.
    county_chosen_in_form = True
    subpage_types: list[str] = []
    template = "pages/cases/case_page.html"

    class Meta:
        verbose_name = _("case (案例)")
        verbose_name_plural = _("cases")

    def clean(self):
        """A case's study quiz is a practice quiz: a qualification exam (time limit, two
        attempts, a field the officer may not be certified in) is never a reading check."""
        super().clean()
        if self.quiz_id and self.quiz.kind != QuizKind.PRACTICE:
            raise ValidationError(
                {
                    "quiz": _(
                        "“%(quiz)s” is not a practice quiz (%(kind)s). "
                        "A case's study quiz must be a practice quiz."
                    )
                    % {"quiz": self.quiz.title, "kind": self.quiz.get_kind_display()}
                }
            )

    def serve(self, request, *args, **kwargs):
        from .views import login_required_page

        return login_required_page(request) or super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .views import case_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(case_page_context(request=request, page=self))
        return context

    def citation_text(self) -> str:
        """The legal-basis list as a statute cites it (《法名》第X条, a line each), read by the
        law registry when the case is saved (`laws.wagtail_hooks`)."""
        return "\n".join(
            f"{block.value['law']}{block.value['article']}"
            for block in self.legal_basis
            if block.block_type == "provision"
        )

    def procedure_steps(self) -> list:
        """The procedure's steps in the order they happen, whatever order they were entered in."""
        order = {code: index for index, (code, _label) in enumerate(PROCEDURE_STEPS)}
        return sorted(self.procedure, key=lambda step: order.get(step.block_type, 99))


class CaseSearchTerm(models.Model):
    """One term (a character, a character pair or a Latin word) of a published case, weighted.

    Only live cases are indexed: the rows are rebuilt when a case is published and removed
    when it is unpublished. The composite index answers `term IN (…) GROUP BY page` from
    the index alone on both SQLite and PostgreSQL.
    """

    page = models.ForeignKey(
        CasePage, on_delete=models.CASCADE, related_name="search_terms", db_index=False
    )
    term = models.CharField(max_length=32)
    weight = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("case search term")
        constraints = [
            models.UniqueConstraint(fields=["page", "term"], name="case_search_term_unique")
        ]
        indexes = [models.Index(fields=["term", "page", "weight"], name="case_search_term_lookup")]

    def __str__(self) -> str:
        return f"{self.term} · {self.page_id} · {self.weight}"


class CaseReading(models.Model):
    """The server-side record that an officer read a case (they pressed "I have read it")."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="case_readings",
    )
    page = models.ForeignKey(
        CasePage, verbose_name=_("case"), on_delete=models.CASCADE, related_name="readings"
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("case reading (案例阅读记录)")
        verbose_name_plural = _("case readings")
        constraints = [
            models.UniqueConstraint(fields=["officer", "page"], name="one_reading_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.page_id}"


class CaseCompletion(models.Model):
    """An officer finished studying a case: read it and, if it has one, passed its quiz.

    Created once; the hours it earned (if any) are the linked ledger entry.
    """

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="case_completions",
    )
    page = models.ForeignKey(
        CasePage, verbose_name=_("case"), on_delete=models.CASCADE, related_name="completions"
    )
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)
    training_record = models.ForeignKey(
        "courses.TrainingRecord",
        verbose_name=_("training record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case completion (案例学习完成)")
        verbose_name_plural = _("case completions")
        constraints = [
            models.UniqueConstraint(fields=["officer", "page"], name="one_completion_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.page_id}"


class CaseAssignment(models.Model):
    """A case a supervisor requires the officers of a unit (and everything under it) to study."""

    page = models.ForeignKey(
        CasePage, verbose_name=_("case"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        "people.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="case_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        verbose_name = _("case assignment (指定学习案例)")
        verbose_name_plural = _("case assignments")
        indexes = [models.Index(fields=["unit", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.page_id} → {self.unit}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


def _case_published(sender, instance, **kwargs) -> None:
    from .services import case_index_update

    case_index_update(page=instance)


def _case_unpublished(sender, instance, **kwargs) -> None:
    from .services import case_index_remove

    case_index_remove(page=instance)


# Connected here rather than in AppConfig.ready(), which belongs to the whole app: the index
# must follow every publication, from the admin, the moderation workflow or a script.
page_published.connect(_case_published, sender=CasePage, dispatch_uid="case_index_on_publish")
page_unpublished.connect(_case_unpublished, sender=CasePage, dispatch_uid="case_index_on_unpublish")


def _attempt_graded(sender, attempt, **kwargs) -> None:
    from .services import case_study_quiz_passed

    if attempt.passed:
        case_study_quiz_passed(officer=attempt.user, quiz=attempt.quiz)


attempt_graded.connect(_attempt_graded, dispatch_uid="case_study_on_attempt_graded")
