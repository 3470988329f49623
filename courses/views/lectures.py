"""In-person lectures: officers sign up and withdraw; the trainer checks attendance."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from people.models import Role, RoleAssignment, User
from people.params import id_list_param
from people.selectors import user_roles

from .. import forms
from ..models import (
    Lecture,
    LectureAttendance,
    LectureSignup,
    SignupStatus,
)
from ..selectors import training as sel
from ..services import training as svc
from ._common import error_text, require_officer


def _lecture_visible(request, lecture: Lecture) -> bool:
    unit = request.user.unit
    if unit is not None and unit.path.startswith(lecture.county.path):
        return True
    return sel.lecture_can_manage(user=request.user, lecture=lecture)


@never_cache
@login_required
def lecture_list(request):
    require_officer(request)
    return render(
        request,
        "pages/courses/lecture_list.html",
        {"rows": sel.lectures_open_to(officer=request.user)},
    )


@never_cache
@login_required
def lecture_detail(request, pk: int):
    lecture = get_object_or_404(Lecture.objects.select_related("county", "module"), pk=pk)
    if not _lecture_visible(request, lecture):
        raise Http404
    can_manage = sel.lecture_can_manage(user=request.user, lecture=lecture)
    signup = LectureSignup.objects.filter(lecture=lecture, officer=request.user).first()
    position = sel.waiting_positions(signups=[signup]).get(signup.pk) if signup else None
    attendance = LectureAttendance.objects.filter(lecture=lecture, officer=request.user).first()
    now = timezone.now()
    context = {
        "lecture": lecture,
        "signup": signup,
        "position": position,
        "attendance": attendance,
        "is_officer": Role.OFFICER in user_roles(request.user),
        "can_manage": can_manage,
        "is_on": lecture.starts_at <= now <= lecture.ends_at,
        "has_started": now >= lecture.starts_at,
        "confirmed_count": lecture.signups.filter(status=SignupStatus.CONFIRMED).count(),
        "checkin_form": forms.CheckinForm(),
    }
    if can_manage:
        attended = set(lecture.attendances.values_list("officer_id", flat=True))
        context["roster"] = [
            {"signup": s, "attended": s.officer_id in attended}
            for s in lecture.signups.exclude(status=SignupStatus.WITHDRAWN)
            .filter(officer__in=RoleAssignment.objects.filter(role=Role.OFFICER).values("user"))
            .select_related("officer__unit")
        ]
    return render(request, "pages/courses/lecture_detail.html", context)


def _lecture_action(request, pk: int, action) -> HttpResponse:
    lecture = get_object_or_404(Lecture.objects.select_related("county"), pk=pk)
    if not _lecture_visible(request, lecture):
        raise Http404
    try:
        message = action(lecture)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, message)
    return redirect("courses:lecture_detail", pk=lecture.pk)


@require_POST
@login_required
def lecture_signup(request, pk: int):
    def action(lecture):
        signup = svc.lecture_signup(officer=request.user, lecture=lecture)
        if signup.status == SignupStatus.WAITING:
            return _(
                "The lecture is full: you are on the waiting list and will move up if a place frees."
            )
        return _("Your place is confirmed.")

    return _lecture_action(request, pk, action)


@require_POST
@login_required
def lecture_withdraw(request, pk: int):
    """Withdraw after a confirmation: a POST without `confirm=yes` only shows what would be
    given up (a confirmed place may go to the waiting list) and changes nothing."""
    if request.POST.get("confirm") != "yes":
        lecture = get_object_or_404(Lecture.objects.select_related("county"), pk=pk)
        if not _lecture_visible(request, lecture):
            raise Http404
        signup = LectureSignup.objects.filter(lecture=lecture, officer=request.user).first()
        if signup is None or signup.status == SignupStatus.WITHDRAWN:
            messages.error(request, _("You are not signed up for this lecture."))
            return redirect("courses:lecture_detail", pk=lecture.pk)
        confirmed = lecture.signups.filter(status=SignupStatus.CONFIRMED).count()
        return render(
            request,
            "pages/courses/lecture_withdraw_confirm.html",
            {
                "lecture": lecture,
                "signup": signup,
                "position": sel.waiting_positions(signups=[signup]).get(signup.pk),
                "is_full": confirmed >= lecture.capacity,
            },
        )

    def action(lecture):
        svc.lecture_withdraw(officer=request.user, lecture=lecture)
        return _("You have withdrawn from the lecture.")

    return _lecture_action(request, pk, action)


@require_POST
@login_required
def lecture_checkin(request, pk: int):
    def action(lecture):
        form = forms.CheckinForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Enter the attendance code."))
        svc.lecture_checkin(officer=request.user, lecture=lecture, code=form.cleaned_data["code"])
        return _("Attendance recorded; the lecture's hours are on your record.")

    return _lecture_action(request, pk, action)


@require_POST
@login_required
def lecture_roster(request, pk: int):
    lecture = get_object_or_404(Lecture.objects.select_related("county"), pk=pk)
    if not sel.lecture_can_manage(user=request.user, lecture=lecture):
        raise Http404
    ids = id_list_param(request.POST, name="officer")
    officers = list(User.objects.filter(pk__in=ids))
    try:
        recorded = svc.lecture_roster_mark(lecture=lecture, officers=officers, actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(count)s attendance(s) recorded.") % {"count": len(recorded)})
    return redirect("courses:lecture_detail", pk=lecture.pk)
