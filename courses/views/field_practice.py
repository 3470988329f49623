"""Field practice: the county specialist opens a session, evaluates each officer on the
real case and signs; the officer acknowledges."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from people.models import Role, RoleAssignment, User
from people.selectors import officers_visible_to, user_roles

from .. import forms
from ..models import (
    ChecklistItem,
    FieldPracticeParticipant,
    FieldPracticeSession,
)
from ..services import training as svc
from ._common import error_text


def _specialist_or_403(request) -> None:
    if not (request.user.is_superuser or Role.TRAINER in user_roles(request.user)):
        raise PermissionDenied


@never_cache
@login_required
def field_session_list(request):
    roles = user_roles(request.user)
    if Role.TRAINER in roles or request.user.is_superuser:
        sessions = FieldPracticeSession.objects.filter(specialists=request.user)
    else:
        sessions = FieldPracticeSession.objects.filter(participants__officer=request.user)
    return render(
        request,
        "pages/courses/field_session_list.html",
        {
            "sessions": sessions.select_related("power").distinct().order_by("-held_on")[:200],
            "is_specialist": Role.TRAINER in roles,
        },
    )


@never_cache
@login_required
def field_session_new(request):
    _specialist_or_403(request)
    officers = (
        officers_visible_to(request.user).select_related("unit").order_by("unit__path", "full_name")
    )
    specialists = User.objects.filter(
        pk__in=RoleAssignment.objects.filter(role=Role.TRAINER).values("user")
    ).exclude(pk=request.user.pk)
    form = forms.FieldSessionForm(request.POST or None, officers=officers, specialists=specialists)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = svc.field_session_record(
                recorded_by=request.user,
                power=data["power"],
                case_reference=data["case_reference"],
                held_on=data["held_on"],
                place=data["place"],
                hours=data["hours"],
                category=data["category"],
                officers=data["officers"],
                specialists=data["specialists"],
                module=data["module"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session recorded. Now evaluate each officer."))
            return redirect("courses:field_session", pk=session.pk)
    return render(request, "pages/courses/field_session_form.html", {"form": form})


def _session_for(request, pk: int) -> tuple[FieldPracticeSession, bool]:
    session = get_object_or_404(
        FieldPracticeSession.objects.select_related("power", "module", "signed_by", "recorded_by"),
        pk=pk,
    )
    is_specialist = session.specialists.filter(pk=request.user.pk).exists()
    if not is_specialist and not session.participants.filter(officer=request.user).exists():
        raise Http404
    return session, is_specialist


@never_cache
@login_required
def field_session_detail(request, pk: int):
    session, is_specialist = _session_for(request, pk)
    participants = session.participants.select_related("officer__unit").prefetch_related(
        "ratings__item"
    )
    if not is_specialist:
        participants = participants.filter(officer=request.user)
    return render(
        request,
        "pages/courses/field_session_detail.html",
        {
            "session": session,
            "participants": participants,
            "is_specialist": is_specialist,
            "sign_form": forms.SignForm(),
            "specialists": session.specialists.select_related("unit"),
        },
    )


@never_cache
@login_required
def field_evaluate(request, pk: int):
    participant = get_object_or_404(
        FieldPracticeParticipant.objects.select_related("session__power", "officer"), pk=pk
    )
    session = participant.session
    if not session.specialists.filter(pk=request.user.pk).exists():
        raise Http404
    items = list(ChecklistItem.objects.filter(active=True))
    existing = {r.item_id: (r.rating, r.comment) for r in participant.ratings.all()}
    form = forms.EvaluationForm(request.POST or None, items=items, initial_ratings=existing)
    if request.method == "POST" and form.is_valid():
        try:
            svc.field_evaluation_record(
                participant=participant, actor=request.user, ratings=form.ratings()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Evaluation saved."))
            return redirect("courses:field_session", pk=session.pk)
    return render(
        request,
        "pages/courses/field_evaluate.html",
        {"participant": participant, "session": session, "form": form},
    )


@require_POST
@login_required
def field_sign(request, pk: int):
    session, is_specialist = _session_for(request, pk)
    if not is_specialist:
        raise Http404
    try:
        svc.field_session_sign(
            session=session, actor=request.user, password=request.POST.get("password", "")
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Signed. The officers can now acknowledge their evaluations."))
    return redirect("courses:field_session", pk=session.pk)


@require_POST
@login_required
def field_acknowledge(request, pk: int):
    participant = get_object_or_404(FieldPracticeParticipant, pk=pk, officer=request.user)
    try:
        svc.field_practice_acknowledge(participant=participant, officer=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Acknowledged; the session's hours are on your record."))
    return redirect("courses:field_session", pk=participant.session_id)
