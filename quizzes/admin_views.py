"""Admin screens of the quiz engine: import, the XLSX template, exports, item analysis."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from people.tabular import upload_validate

from . import exchange, selectors, services
from .models import QuestionCategory, Quiz

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("xlsx", _("XLSX template")),
            ("gift", "Moodle GIFT"),
            ("moodle-xml", "Moodle XML"),
            ("aiken", "Aiken"),
        ],
    )
    category = forms.CharField(
        label=_("Category"),
        max_length=200,
        help_text=_("Created if missing; use / for a sub-category, e.g. 行政处罚法/简易程序."),
    )

    skip_unsupported = forms.BooleanField(
        label=_("Skip questions of unsupported types"),
        required=False,
        help_text=_(
            "Moodle's short-answer, numerical, matching and description questions are left "
            "out and listed, instead of refusing the whole file."
        ),
    )

    def clean_file(self):
        return upload_validate(
            self.cleaned_data["file"], extensions=(".xlsx", ".gift", ".txt", ".xml"), max_mb=5
        )


def question_import(request):
    """Upload a file of questions: all of it is imported, or none with every problem listed."""
    _require(request, "quizzes.add_question")
    problems = []
    skipped = []
    warnings = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        path = [p.strip() for p in form.cleaned_data["category"].split("/") if p.strip()]
        try:
            result = services.questions_import_as(
                user=request.user,
                data=upload.read(),
                fmt=form.cleaned_data["format"],
                category_path=path,
                filename=upload.name,
                skip_unsupported=form.cleaned_data["skip_unsupported"],
            )
        except services.ImportRefused as refused:
            messages.error(request, str(refused))
        else:
            where = "row" if form.cleaned_data["format"] == "xlsx" else "line"
            if result.problems:
                problems = [str(problem) for problem in result.problems]
                messages.error(
                    request, _("Nothing was imported: fix the problems below and try again.")
                )
            else:
                messages.success(
                    request, _("Imported %(n)s questions.") % {"n": len(result.questions)}
                )
                if not result.unsupported and not result.warnings:
                    return redirect("quizzes_import")
                # The skipped list and the warnings are shown on this page, so it is not
                # redirected away.
                if result.unsupported:
                    messages.warning(
                        request,
                        _("Skipped %(n)s questions of unsupported types.")
                        % {"n": len(result.unsupported)},
                    )
                skipped = [
                    exchange.Problem(where, item.number, f"{item.qtype} ({item.label()})")
                    for item in result.unsupported
                ]
                warnings = [str(warning) for warning in result.warnings]
                form = ImportForm()
    return TemplateResponse(
        request,
        "pages/quizzes/admin/import.html",
        {
            "form": form,
            "problems": problems,
            "skipped": [str(item) for item in skipped],
            "warnings": warnings,
            "categories": QuestionCategory.objects.select_related("parent").order_by("name"),
        },
    )


def xlsx_template(request):
    _require(request, "quizzes.add_question")
    response = HttpResponse(exchange.xlsx_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="question-template.xlsx"'
    return response


def category_export(request, pk: int, fmt: str):
    _require(request, "quizzes.view_question")
    category = get_object_or_404(QuestionCategory, pk=pk)
    questions = list(exchange.category_questions(category))
    if fmt == "xlsx":
        response = HttpResponse(
            exchange.export_xlsx(questions, root=category), content_type=XLSX_TYPE
        )
    elif fmt == "gift":
        response = HttpResponse(
            exchange.export_gift(questions, root=category), content_type="text/plain; charset=utf-8"
        )
    elif fmt == "xml":
        response = HttpResponse(
            exchange.export_moodle_xml(questions, root=category),
            content_type="application/xml; charset=utf-8",
        )
    else:
        raise PermissionDenied
    response["Content-Disposition"] = f'attachment; filename="category-{category.pk}.{fmt}"'
    return response


def item_analysis_index(request):
    _require(request, "quizzes.view_question")
    return TemplateResponse(
        request,
        "pages/quizzes/admin/item_analysis_index.html",
        {"quizzes": Quiz.objects.select_related("field").order_by("kind", "title")},
    )


def item_analysis(request, pk: int):
    """Per-question statistics over the attempts of the officers the viewer oversees."""
    _require(request, "quizzes.view_question")
    quiz = get_object_or_404(Quiz, pk=pk)
    return TemplateResponse(
        request,
        "pages/quizzes/admin/item_analysis.html",
        {"quiz": quiz, "items": selectors.item_analysis(quiz=quiz, user=request.user)},
    )
