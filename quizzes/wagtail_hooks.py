"""Wagtail admin for the quiz engine: the question bank, quizzes (a snippet with a chooser,
so lessons can place one with `SnippetChooserBlock("quizzes.Quiz")`), per-officer
overrides, item analysis, imports and exports. See
https://docs.wagtail.org/en/stable/topics/snippets/customising.html
"""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

import django_filters

from people.admin_menu import PermissionMenuItem
from people.selectors import officers_visible_to
from powers.models import EnforcementField

from . import admin_views
from .models import Question, QuestionCategory, QuestionType, Quiz, QuizKind, QuizOverride


class QuestionFilterSet(WagtailFilterSet):
    needs_review = django_filters.BooleanFilter(
        label=_("Tagged with a withdrawn power"), method="filter_needs_review"
    )
    fields = django_filters.ModelChoiceFilter(
        label=_("Enforcement field"), queryset=EnforcementField.objects.all()
    )
    qtype = django_filters.ChoiceFilter(label=_("Type"), choices=QuestionType.choices)

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


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Questions")
    list_display = [
        "__str__",
        "qtype",
        "category",
        ReviewColumn("needs_review", label=_("Needs review")),
    ]
    filterset_class = QuestionFilterSet
    search_fields = ["text", "explanation"]
    search_backend_name = None
    list_per_page = 50

    def get_queryset(self, request):
        from django.db.models import Exists, OuterRef

        flagged = Question.objects.needing_review(timezone.localdate()).filter(pk=OuterRef("pk"))
        return Question.objects.select_related("category__parent").annotate(
            needs_review_flag=Exists(flagged)
        )


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("Categories")
    list_display = ["__str__", "description"]
    search_fields = ["name"]
    search_backend_name = None


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("Quizzes and exams")
    list_display = ["title", "kind", "field", "pass_mark", "is_draft"]
    list_filter = ["kind", "field", "is_draft"]
    search_fields = ["title", "description"]
    search_backend_name = None


class QuizOverrideForm(WagtailAdminModelForm):
    """Only officers the editor oversees may be given an override; the editor is recorded."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and "user" in self.fields:
            self.fields["user"].queryset = officers_visible_to(self.for_user).order_by(
                "unit__path", "username"
            )
        self.fields["reason"].required = True

    def save(self, commit=True):
        if self.instance.created_by_id is None and self.for_user is not None:
            self.instance.created_by = self.for_user
        return super().save(commit=commit)


class QuizOverrideViewSet(SnippetViewSet):
    model = QuizOverride
    icon = "time"
    menu_label = _("Overrides")
    base_form_class = QuizOverrideForm
    list_display = [
        "quiz",
        "user",
        "time_limit_minutes",
        "attempts_allowed",
        "reason",
        "created_at",
    ]
    list_filter = ["quiz"]
    search_fields = ["reason", "user__full_name", "user__username"]
    search_backend_name = None

    def get_queryset(self, request):
        return QuizOverride.objects.filter(
            user__in=officers_visible_to(request.user)
        ).select_related("quiz", "user")


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
    from .selectors import marking_queue, quizzes_for_officer, user_may_mark

    if user_may_mark(user=request.user):
        return {
            "template": "components/quizzes/home_trainer_panel.html",
            "context": {"to_mark": marking_queue(user=request.user).count()},
            "order": 40,
        }
    if "officer" in roles:
        quizzes = list(quizzes_for_officer(user=request.user).exclude(kind=QuizKind.PRACTICE)[:5])
        return {
            "template": "components/quizzes/home_officer_panel.html",
            "context": {"quizzes": quizzes},
            "order": 30,
        }
    return None
