"""Officer and trainer pages of the quiz engine; thin callers of services and selectors.

Integrity rule: while an attempt is in progress, nothing sent to the browser may say which
option is right, what an option is worth, or what the explanation is. The attempt page is
therefore rendered from plain dictionaries built by `_slot_views`, which never read those
fields, and options are named by their index in the attempt's stored order.
"""

import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from people.params import page_param
from people.roles import SUPERVISORY_ROLES
from people.selectors import officers_visible_to, user_roles

from . import selectors, services
from .formats.html import text_render
from .models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Layout,
    Option,
    QuestionType,
    Quiz,
    TextFormat,
)


def _visible_quiz(request, pk: int) -> Quiz:
    quiz = get_object_or_404(Quiz.objects.select_related("field"), pk=pk)
    if not quiz.live and not selectors.user_is_quiz_editor(user=request.user):
        raise Http404
    return quiz


def _own_attempt(request, public_id) -> Attempt:
    attempt = selectors.attempt_for_user(user=request.user, public_id=public_id)
    if attempt is None:
        raise Http404
    return attempt


def _remaining(deadline) -> int | None:
    """Whole seconds left before `deadline` (never negative), or None without a time limit."""
    if deadline is None:
        return None
    return max(0, int((deadline - timezone.now()).total_seconds()))


def _remaining_seconds(attempt: Attempt) -> int | None:
    return _remaining(attempt.deadline)


@never_cache
@login_required
def quiz_index(request):
    """The exams open to the officer now (the same list as the home page's), then every
    other quiz they may see, with whether they have passed each."""
    open_exams = list(selectors.exams_open_to(user=request.user))
    open_ids = {quiz.pk for quiz in open_exams}
    quizzes = [q for q in selectors.quizzes_for_officer(user=request.user) if q.pk not in open_ids]
    passed = selectors.quizzes_passed(user=request.user, quizzes=open_exams + quizzes)
    return render(
        request,
        "pages/quizzes/index.html",
        {"open_exams": open_exams, "quizzes": quizzes, "passed": passed},
    )


@never_cache
@login_required
def quiz_detail(request, pk: int):
    quiz = _visible_quiz(request, pk)
    rules = selectors.quiz_rules_for(quiz=quiz, user=request.user)
    attempts = list(Attempt.objects.filter(user=request.user, quiz=quiz).order_by("number"))
    in_progress = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None)
    used = max((a.number for a in attempts), default=0)
    return render(
        request,
        "pages/quizzes/detail.html",
        {
            "quiz": quiz,
            "rules": rules,
            "attempts": attempts,
            "in_progress": in_progress,
            "attempts_left": (
                None if not rules.attempts_allowed else max(0, rules.attempts_allowed - used)
            ),
            "result": selectors.quiz_result(user=request.user, quiz=quiz),
            "passed": selectors.quiz_passed(user=request.user, quiz=quiz),
        },
    )


@require_POST
@login_required
def quiz_start(request, pk: int):
    quiz = _visible_quiz(request, pk)
    try:
        attempt = services.attempt_start(quiz=quiz, user=request.user)
    except services.QuizUnavailable as error:
        messages.error(request, str(error))
        return redirect("quizzes:detail", pk=quiz.pk)
    return redirect("quizzes:attempt", public_id=attempt.public_id)


#: The slot fields the attempt page reads, fetched as plain values (no model instances:
#: an exam page is loaded once per answer, and building 80 instances was a third of it).
SLOT_FIELDS = (
    "position",
    "option_order",
    "selected",
    "text",
    "seq",
    "question__text",
    "question__text_format",
    "question__qtype",
)


def _slot_views(slots: list[dict], option_texts: dict[int, str]) -> list[dict]:
    """What the attempt page may know about each question: text, type, options by index,
    and the officer's own saved answer. Nothing about correctness. `slots` are rows of
    `SLOT_FIELDS`."""
    views = []
    for slot in slots:
        qtype = slot["question__qtype"]
        chosen = set(slot["selected"])
        is_html = slot["question__text_format"] == TextFormat.HTML
        position = str(slot["position"])
        views.append(
            {
                "position": position,
                "text": text_render(slot["question__text"], is_html=is_html),
                "qtype": qtype,
                "multiple": qtype == QuestionType.MULTIPLE,
                "essay": qtype == QuestionType.ESSAY,
                "answer_text": slot["text"],
                "answered": AttemptQuestion.is_answered(slot["selected"], slot["text"]),
                "options": [
                    {
                        "index": str(index),
                        "letter": chr(ord("A") + index) if index < 26 else str(index + 1),
                        "text": text_render(option_texts.get(option_id, ""), is_html=is_html),
                        "checked": option_id in chosen,
                    }
                    for index, option_id in enumerate(slot["option_order"])
                ],
            }
        )
    return views


def _navigator_html(slots: list[dict], answered: list[bool], page: int | None) -> SafeString:
    """The row of question boxes: buttons that save and go (one question per page) or
    links to the question (all on one page). Built here rather than in the template: an
    exam page is loaded once per answer, and forty boxes were a third of its rendering."""
    boxes = []
    for slot, done in zip(slots, answered, strict=True):
        position = slot["position"]
        css = "navbox" + (" navbox--answered" if done else "")
        if page:
            css += " navbox--current" if position == page else ""
            boxes.append(
                format_html(
                    '<button type="submit" name="go" value="{0}" class="{1}" data-nav="{0}">'
                    "{0}</button>",
                    position,
                    css,
                )
            )
        else:
            boxes.append(
                format_html('<a href="#q{0}" class="{1}" data-nav="{0}">{0}</a>', position, css)
            )
    return mark_safe("\n".join(boxes))  # noqa: S308 - each box is built by format_html


@never_cache
@login_required
def attempt_take(request, public_id):
    attempt = _own_attempt(request, public_id)
    attempt = services.attempt_finish_if_expired(attempt=attempt)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect("quizzes:attempt_result", public_id=attempt.public_id)
    quiz = attempt.quiz
    slots = list(attempt.slots.order_by("position").values(*SLOT_FIELDS))
    total = len(slots)
    if quiz.layout == Layout.ONE_PER_PAGE:
        page = min(page_param(request.GET), total)
        shown = [slot for slot in slots if slot["position"] == page] or slots[:1]
    else:
        page = None
        shown = slots
    option_ids = [pk for slot in shown for pk in slot["option_order"]]
    option_texts = dict(Option.objects.filter(pk__in=option_ids).values_list("pk", "text"))
    answered = [AttemptQuestion.is_answered(slot["selected"], slot["text"]) for slot in slots]
    return render(
        request,
        "pages/quizzes/attempt.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "questions": _slot_views(shown, option_texts),
            "navigator": _navigator_html(slots, answered, page),
            "page": page,
            "total": total,
            "previous_page": page - 1 if page and page > 1 else None,
            "next_page": page + 1 if page and page < total else None,
            "seq": max((slot["seq"] for slot in slots), default=0),
            "remaining": _remaining_seconds(attempt),
            "answered_count": sum(answered),
        },
    )


@require_POST
@login_required
def attempt_post(request, public_id, finish: bool = False):
    """The plain form POST: save the answers on the page, then move on or finish.

    Works with no JavaScript at all; with JavaScript the answers are already saved and
    this only confirms them (a newer sequence number than any autosave on the page).
    """
    attempt = _own_attempt(request, public_id)
    attempt = services.attempt_finish_if_expired(attempt=attempt)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect("quizzes:attempt_result", public_id=attempt.public_id)
    try:
        problems = services.answers_save_form(attempt=attempt, data=request.POST)
    except services.AttemptClosed:
        return redirect("quizzes:attempt_result", public_id=attempt.public_id)
    for problem in problems:
        messages.error(request, problem)
    go = request.POST.get("go", "")
    if finish or go == "finish":
        if problems:
            return redirect("quizzes:attempt", public_id=attempt.public_id)
        services.attempt_finish(attempt=attempt)
        return redirect("quizzes:attempt_result", public_id=attempt.public_id)
    url = reverse("quizzes:attempt", kwargs={"public_id": attempt.public_id})
    if go.isascii() and go.isdigit():
        url += f"?page={page_param(request.POST, name='go')}"
    return redirect(url)


def _json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"status": "rejected", "error": message}, status=status)


@require_POST
@login_required
def attempt_answer(request, public_id):
    """Autosave one answer: JSON `{"q": position, "a": answer, "seq": n}`.

    Answers "saved", or "stale" (HTTP 200, never an error) when a newer save got there
    first, or "finished" with where to go when the attempt is over. Bad input is a 400
    with a message; another officer's attempt is a 404.
    """
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict):
        # Still a 404 for somebody else's attempt, whatever the body holds.
        _own_attempt(request, public_id)
        return _json_error(_("The request is not valid JSON."))
    try:
        result = services.answer_save(
            user=request.user,
            public_id=public_id,
            position=payload.get("q"),
            answer=payload.get("a"),
            seq=payload.get("seq"),
        )
    except services.AttemptNotFound:
        raise Http404 from None
    except services.AnswerRejected as error:
        _own_attempt(request, public_id)  # a stranger learns nothing, not even the reason
        return _json_error(str(error))
    except services.AttemptClosed as error:
        attempt = _own_attempt(request, public_id)
        services.attempt_finish_if_expired(attempt=attempt)
        result_url = reverse("quizzes:attempt_result", kwargs={"public_id": attempt.public_id})
        return JsonResponse({"status": "finished", "message": str(error), "redirect": result_url})
    return JsonResponse(
        {"status": result.status, "seq": result.seq, "remaining": _remaining(result.deadline)}
    )


@never_cache
@login_required
def attempt_result(request, public_id):
    attempt = _own_attempt(request, public_id)
    attempt = services.attempt_finish_if_expired(attempt=attempt)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return redirect("quizzes:attempt", public_id=attempt.public_id)
    review = selectors.attempt_review_allowed(attempt=attempt, now=timezone.now())
    # Questions of an exam pool come without their answers (docs/exam-pools.md).
    reviewed = selectors.attempt_review(attempt=attempt) if review else []
    return render(
        request,
        "pages/quizzes/result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "breakdown": selectors.attempt_category_breakdown(attempt=attempt)
            if attempt.status == AttemptStatus.GRADED
            else [],
            "review": review,
            "reviewed": reviewed,
            "used_on": selectors.pages_using_quiz(quiz=attempt.quiz),
        },
    )


@never_cache
@login_required
def my_results(request):
    """The officer's own progress: every attempt, and marks per category."""
    return render(
        request,
        "pages/quizzes/my_results.html",
        {
            "attempts": selectors.officer_attempts(user=request.user)[:100],
            "breakdown": selectors.officer_category_breakdown(user=request.user),
        },
    )


def _require_overseer(request):
    if not (request.user.is_superuser or user_roles(request.user) & SUPERVISORY_ROLES):
        raise PermissionDenied


@never_cache
@login_required
def officer_results(request):
    """Finished attempts of the officers the viewer oversees (scoped), newest first."""
    _require_overseer(request)
    attempts = selectors.results_for_officers(user=request.user)
    page = Paginator(attempts, 50).get_page(request.GET.get("page"))
    return render(request, "pages/quizzes/officer_results.html", {"page": page})


@never_cache
@login_required
def officer_result_detail(request, user_pk: int):
    _require_overseer(request)
    officer = get_object_or_404(
        officers_visible_to(request.user).select_related("unit"), pk=user_pk
    )
    return render(
        request,
        "pages/quizzes/officer_result_detail.html",
        {
            "officer": officer,
            "attempts": selectors.officer_attempts(user=officer)[:100],
            "breakdown": selectors.officer_category_breakdown(user=officer),
        },
    )


@never_cache
@login_required
def marking_queue(request):
    if not selectors.user_may_mark(user=request.user):
        raise PermissionDenied
    page = Paginator(selectors.marking_queue(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "pages/quizzes/marking_queue.html", {"page": page})


@never_cache
@login_required
def mark_essay(request, slot_pk: int):
    if not selectors.user_may_mark(user=request.user):
        raise PermissionDenied
    slot = get_object_or_404(selectors.marking_queue(user=request.user), pk=slot_pk)
    error = None
    if request.method == "POST":
        try:
            points = Decimal(request.POST.get("points", "").strip())
        except InvalidOperation:
            points = None
        if points is None or not points.is_finite():
            # "NaN" and "Infinity" are Decimals too, but no mark: NaN cannot even be compared.
            error = _("Enter the mark as a number.")
        else:
            try:
                services.essay_mark(
                    slot=slot,
                    points=points,
                    comment=request.POST.get("comment", "").strip(),
                    marker=request.user,
                )
            except services.MarkingRejected as rejected:
                error = str(rejected)
            else:
                messages.success(request, _("Mark saved."))
                return redirect("quizzes:marking_queue")
    return render(
        request,
        "pages/quizzes/mark_essay.html",
        {"slot": slot, "error": error, "form_data": request.POST if error else {}},
    )
