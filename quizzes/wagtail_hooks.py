"""Wagtail admin for the quiz engine: the question bank, quizzes (a snippet with a chooser,
so lessons can place one with `SnippetChooserBlock("quizzes.Quiz")`), per-officer
overrides, item analysis, imports and exports. See
https://docs.wagtail.org/en/stable/topics/snippets/customising.html

Every snippet here is scoped (`people.policies`): its policy, registered below before the
view sets, says who may change what (`quizzes.policies`), and each view set's form is the
scoped one of `quizzes.forms`. Quizzes have drafts and revisions, questions revisions.
"""

from django.contrib import messages
from django.db.models import BooleanField, Case, Exists, OuterRef, Value, When
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSetGroup

import django_filters

from people.admin_menu import PermissionMenuItem
from people.policies import ScopedSnippetViewSet
from powers.models import EnforcementField

from . import admin_views, selectors, services
from .forms import (
    QuestionAdminForm,
    QuestionCategoryAdminForm,
    QuizAdminForm,
    QuizOverrideAdminForm,
)
from .models import Question, QuestionCategory, QuestionType, Quiz, QuizOverride
from .policies import QuestionCategoryPolicy, QuestionPolicy, QuizOverridePolicy, QuizPolicy

# Each model's policy is registered before its view set: Wagtail resolves the policy once.
register_permission_policy(Quiz, QuizPolicy(Quiz))
register_permission_policy(QuestionCategory, QuestionCategoryPolicy(QuestionCategory))
register_permission_policy(Question, QuestionPolicy(Question))
register_permission_policy(QuizOverride, QuizOverridePolicy(QuizOverride))


class RevisedEditView(EditView):
    """The edit view of a model with revisions: the first recorded change of a row made
    before revisions were kept also records how it stood, and "Publish" is offered only
    to those the policy lets publish this very object (Wagtail asks the model-wide
    permission alone). A question has no drafts, so it is not autosaved: half an edit of
    its right answers would be what the next attempt is marked by."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not self.draftstate_enabled:
            self.autosave_enabled = False

    def get_available_actions(self):
        actions = super().get_available_actions()
        if "publish" in actions and not self.permission_policy.user_has_permission_for_instance(
            self.request.user, "publish", self.object
        ):
            actions.remove("publish")
        return actions

    def save_instance(self):
        services.revision_baseline_ensure(instance=self.form.instance)
        return super().save_instance()


class QuizEditView(RevisedEditView):
    """A qualification exam's edit page warns its owner, before it opens, when questions
    withheld for law review leave its pool too small (or empty) for an attempt."""

    def get(self, request, *args, **kwargs):
        quiz = self.object
        today = timezone.localdate()
        opens = timezone.localdate(quiz.opens_at) if quiz.opens_at else today
        check = selectors.exam_pool_check(quiz=quiz, on=max(opens, today))
        if check is not None and check.short:
            if check.left == 0:
                text = ngettext(
                    "On %(date)s this exam could draw no question: its only question "
                    "cites a law article that has changed and waits for review. Review it "
                    "in the law review queue before the exam opens.",
                    "On %(date)s this exam could draw no question: all %(count)s questions "
                    "of its pool cite law articles that have changed and wait for review. "
                    "Review them in the law review queue before the exam opens.",
                    check.withheld,
                )
            else:
                text = ngettext(
                    "On %(date)s this exam has %(left)s questions for the %(needed)s an "
                    "attempt takes: %(count)s question is withheld until its law citation "
                    "is reviewed.",
                    "On %(date)s this exam has %(left)s questions for the %(needed)s an "
                    "attempt takes: %(count)s questions are withheld until their law "
                    "citations are reviewed.",
                    check.withheld,
                )
            messages.warning(
                request,
                text
                % {
                    "date": check.on.isoformat(),
                    "count": check.withheld,
                    "left": check.left,
                    "needed": check.needed,
                },
            )
        return super().get(request, *args, **kwargs)


class QuestionIndexView(IndexView):
    """The bank says how many questions qualification exams leave out for law review."""

    def get(self, request, *args, **kwargs):
        if not self.results_only:
            withheld = self.get_base_queryset().filter(pk__in=self._withheld()).count()
            if withheld:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s question is withheld from qualification exams: it cites "
                        "a law article that has changed and waits for review.",
                        "%(count)s questions are withheld from qualification exams: they "
                        "cite law articles that have changed and wait for review.",
                        withheld,
                    )
                    % {"count": withheld},
                )
        return super().get(request, *args, **kwargs)

    def _withheld(self) -> set[int]:
        if not hasattr(self, "_withheld_ids"):
            self._withheld_ids = selectors.questions_withheld_ids(on=timezone.localdate())
        return self._withheld_ids


class WithheldColumn(Column):
    """Marks a question qualification exams leave out until its law citation is reviewed."""

    def get_value(self, instance):
        return getattr(instance, "withheld_flag", False)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["value"] = (
            format_html('<span class="w-status w-status--label">{}</span>', _("Withheld"))
            if self.get_value(instance)
            else ""
        )
        return context


class QuestionFilterSet(WagtailFilterSet):
    needs_review = django_filters.BooleanFilter(
        label=_("Tagged with a withdrawn power"), method="filter_needs_review"
    )
    fields = django_filters.ModelChoiceFilter(
        label=_("Enforcement field"), queryset=EnforcementField.objects.all()
    )
    qtype = django_filters.ChoiceFilter(
        label=pgettext_lazy("question type", "Type"), choices=QuestionType.choices
    )

    class Meta:
        model = Question
        fields = ["category", "qtype", "fields", "is_active"]

    def filter_needs_review(self, queryset, name, value):
        flagged = Question.objects.needing_review(timezone.localdate()).values("pk")
        if value is True:
            return queryset.filter(pk__in=flagged)
        if value is False:
            return queryset.exclude(pk__in=flagged)
        return queryset


class ReviewColumn(Column):
    """Flags a question that teaches a power withdrawn from the current list."""

    def get_value(self, instance):
        return getattr(instance, "needs_review_flag", False)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["value"] = (
            format_html('<span class="w-status w-status--label">{}</span>', _("Review"))
            if self.get_value(instance)
            else ""
        )
        return context


class QuestionViewSet(ScopedSnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Questions")
    base_form_class = QuestionAdminForm
    edit_view_class = RevisedEditView
    index_view_class = QuestionIndexView
    list_display = [
        "__str__",
        "qtype",
        "category",
        ReviewColumn("needs_review", label=_("Needs review")),
        WithheldColumn("withheld", label=_("Law review")),
    ]
    filterset_class = QuestionFilterSet
    search_fields = ["text", "explanation"]
    search_backend_name = None
    list_per_page = 50

    def get_queryset(self, request):
        flagged = Question.objects.needing_review(timezone.localdate()).filter(pk=OuterRef("pk"))
        withheld = selectors.questions_withheld_ids(on=timezone.localdate())
        return (
            super()
            .get_queryset(request)
            .select_related("category__parent")
            .annotate(
                needs_review_flag=Exists(flagged),
                withheld_flag=Case(
                    When(pk__in=withheld, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
                if withheld
                else Value(False, output_field=BooleanField()),
            )
        )


class QuestionCategoryViewSet(ScopedSnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("Categories")
    base_form_class = QuestionCategoryAdminForm
    list_display = ["__str__", "owner_unit", "description"]
    search_fields = ["name"]
    search_backend_name = None


class QuizViewSet(ScopedSnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("Quizzes and exams")
    base_form_class = QuizAdminForm
    edit_view_class = QuizEditView
    list_display = ["title", "kind", "field", "pass_mark", "owner_unit", LiveStatusTagColumn()]
    list_filter = ["kind", "field", "live"]
    search_fields = ["title", "description"]
    search_backend_name = None


class QuizOverrideViewSet(ScopedSnippetViewSet):
    model = QuizOverride
    icon = "time"
    menu_label = _("Overrides")
    base_form_class = QuizOverrideAdminForm
    list_display = [
        "quiz",
        "user",
        "time_limit_minutes",
        "attempts_allowed",
        "reason",
        "created_by",
        "created_at",
    ]
    list_filter = ["quiz"]
    search_fields = ["reason", "user__full_name", "user__username"]
    search_backend_name = None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quiz", "user", "created_by")


class QuizzesGroup(SnippetViewSetGroup):
    menu_label = _("Question bank and quizzes")
    menu_icon = "help"
    menu_order = 250
    items = (QuizViewSet, QuestionViewSet, QuestionCategoryViewSet, QuizOverrideViewSet)


register_snippet(QuizzesGroup)


@hooks.register("register_admin_urls")
def register_quiz_admin_urls():
    return [
        path("quizzes/import/", admin_views.question_import, name="quizzes_import"),
        path("quizzes/template.xlsx", admin_views.xlsx_template, name="quizzes_xlsx_template"),
        path(
            "quizzes/categories/<int:pk>/export.<str:fmt>",
            admin_views.category_export,
            name="quizzes_category_export",
        ),
        path("quizzes/<int:pk>/items/", admin_views.item_analysis, name="quizzes_item_analysis"),
        path(
            "quizzes/analysis/", admin_views.item_analysis_index, name="quizzes_item_analysis_index"
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_question_import_menu_item():
    return PermissionMenuItem(
        _("Import and export questions"),
        reverse("quizzes_import"),
        icon_name="upload",
        order=260,
        permission="quizzes.add_question",
    )


@hooks.register("register_admin_menu_item")
def register_item_analysis_menu_item():
    return PermissionMenuItem(
        _("Item analysis"),
        reverse("quizzes_item_analysis_index"),
        icon_name="table",
        order=261,
        permission="quizzes.view_question",
    )


@hooks.register("home_panels")
def quizzes_home_panel(*, request, roles):
    """Officers see their open quizzes; trainers see how many essays await their mark."""
    from .selectors import exams_open_to, marking_queue, user_may_mark

    if user_may_mark(user=request.user):
        return {
            "template": "components/quizzes/home_trainer_panel.html",
            "context": {"to_mark": marking_queue(user=request.user).count()},
            "order": 40,
        }
    if "officer" in roles:
        quizzes = list(exams_open_to(user=request.user)[:6])
        return {
            "template": "components/quizzes/home_officer_panel.html",
            "context": {"quizzes": quizzes[:5], "more": len(quizzes) > 5},
            "order": 30,
        }
    return None
