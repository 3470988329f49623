"""Views of the case library: the library and case page contexts, recording study, assigning cases.

The library and the cases are Wagtail pages (`CaseLibraryPage`, `CasePage`); their
`get_context` calls the context builders here, which call selectors. The plain Django
views below are mounted at /training/cases/ in the `courses` namespace.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .forms import CaseAssignmentForm, CaseFilterForm
from .models import CaseAssignment, CasePage
from .search import query_parse, text_highlight
from .selectors import (
    case_assignable_units,
    case_assignment_rosters,
    case_assignments_visible_to,
    case_library_facets,
    case_library_results,
    case_study_status,
)
from .services import case_assign, case_assignment_withdraw, case_reading_record


def login_required_page(request):
    """The library is for signed-in users: a redirect to the login page, or None."""
    if request.user.is_authenticated:
        return None
    return redirect_to_login(request.get_full_path())


def case_library_context(*, request, library) -> dict:
    """Filters, search and results of the library page."""
    facets = case_library_facets()
    form = CaseFilterForm(request.GET or None, facets=facets)
    filters = form.filters()
    results = case_library_results(
        query=filters.get("q") or "",
        field=filters.get("field") or None,
        power=filters.get("power") or None,
        outcome=filters.get("outcome") or None,
        county=filters.get("county") or None,
        year=filters.get("year") or None,
        held=bool(filters.get("held")),
        page_number=request.GET.get("page") or 1,
        library=library,
    )
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "form": form,
        "selects": _filter_selects(form),
        "results": results,
        "filtered": any(v for k, v in filters.items() if k != "q"),
        "page_query": params.urlencode(),
    }


def _filter_selects(form: CaseFilterForm) -> list[dict]:
    """The filter drop-downs as plain data: rendering a hundred options through Django's
    widget templates costs more than the search itself."""
    selects = []
    for name in ("field", "power", "outcome", "county", "year"):
        current = str(form.data.get(name, "")) if form.is_bound else ""
        selects.append(
            {
                "name": name,
                "label": form.fields[name].label,
                "errors": form.errors.get(name) if form.is_bound else None,
                "options": [
                    (str(value), label, str(value) == current)
                    for value, label in form.fields[name].choices
                ],
            }
        )
    return selects


def case_page_context(*, request, page: CasePage) -> dict:
    """A case: its withdrawn powers, the officer's study status, and the highlighted title."""
    today = timezone.localdate()
    powers = list(page.powers.select_related("field"))
    query = query_parse(request.GET.get("q", "")[:100])
    quiz = page.quiz if page.quiz_id else None
    return {
        "powers": powers,
        "withdrawn_powers": [p for p in powers if p.withdrawn_on and p.withdrawn_on <= today],
        "study": case_study_status(officer=request.user, page=page),
        "quiz": quiz,
        "related_quizzes": list(page.related_quizzes.all()),
        "quiz_url": getattr(quiz, "get_absolute_url", lambda: "")() if quiz else "",
        "title_html": text_highlight(page.title, query),
        "search_query": query.text,
    }


@require_POST
@login_required
def case_read(request, page_id: int):
    """An officer records that they read the case (the server-side record that earns the hours)."""
    page = get_object_or_404(CasePage.objects.live(), pk=page_id)
    try:
        case_reading_record(officer=request.user, page=page)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(page.url)
    status = case_study_status(officer=request.user, page=page)
    if status.completed:
        if status.completion.training_record_id:
            messages.success(
                request,
                _("Well done: %(hours)s hours are in your training record.")
                % {"hours": status.completion.training_record.hours},
            )
        else:
            messages.success(request, _("Recorded: you have studied this case."))
    else:
        messages.info(request, _("Recorded that you read the case. Pass its quiz to finish it."))
    return HttpResponseRedirect(page.url)


def _require_assigner(request):
    units = case_assignable_units(user=request.user)
    if not units.exists():
        raise PermissionDenied
    return units


@never_cache
@login_required
def case_assignments(request):
    """Supervisors require cases of their units, and see how far their officers are."""
    units = _require_assigner(request)
    cases = CasePage.objects.live().order_by("-decided_on", "title")
    form = CaseAssignmentForm(request.POST or None, cases=cases, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            case_assign(
                actor=request.user,
                page=form.cleaned_data["page"],
                unit=form.cleaned_data["unit"],
                due_on=form.cleaned_data["due_on"],
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The case is now required of %(unit)s.") % {"unit": form.cleaned_data["unit"]},
            )
            return redirect("cases:case_assignments")
    assignments = list(case_assignments_visible_to(user=request.user)[:200])
    rosters = case_assignment_rosters(user=request.user, assignments=assignments)
    for assignment in assignments:
        assignment.roster = rosters[assignment.pk]
    withdrawable = set(units.values_list("pk", flat=True))
    return render(
        request,
        "pages/cases/case_assignments.html",
        {"form": form, "assignments": assignments, "withdrawable": withdrawable},
    )


@require_POST
@login_required
def case_assignment_withdraw_view(request, pk: int):
    units = _require_assigner(request)
    assignment = CaseAssignment.objects.filter(pk=pk, unit__in=units).first()
    if assignment is None:
        raise Http404
    case_assignment_withdraw(actor=request.user, assignment=assignment)
    messages.success(request, _("The assignment was withdrawn."))
    return redirect(reverse("cases:case_assignments"))
