"""Views of the training area: thin callers of `courses.services` / `courses.selectors`.

Every view is scoped: an officer reaches only their own sign-ups, applications and
evaluations, staff only what lies in their area; anything else is a 404, not a 403, so
the existence of another township's records is not revealed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from people.models import Role, RoleAssignment, User
from people.params import id_list_param, year_param
from people.roles import SUPERVISORY_ROLES
from people.selectors import officers_visible_to, user_roles
from people.spreadsheets import XLSX_CONTENT_TYPE, sheet_append, xlsx_bytes, xlsx_workbook

from . import forms
from .models import (
    ApplicationStatus,
    ChecklistItem,
    FieldPracticeParticipant,
    FieldPracticeSession,
    HourCategory,
    Lecture,
    LectureAttendance,
    LectureSignup,
    LessonPage,
    Placement,
    PlacementApplication,
    ReflectionAttachment,
    SignupStatus,
)
from .selectors import training as sel
from .services import training as svc
from .services.ledger import external_hours_import
from .templatetags.training_tags import hours as hours_text


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _require_officer(request) -> None:
    if request.user.unit_id is None or not request.user.unit.is_grassroots:
        raise PermissionDenied


# --- My training ---------------------------------------------------------------------------


@never_cache
@login_required
def my_training(request):
    _require_officer(request)
    summary = sel.my_training_summary(officer=request.user)
    return render(
        request,
        "pages/courses/my_training.html",
        {
            "summary": summary,
            "lectures_open": sel.lectures_open_to(officer=request.user)[:10],
            "placements_open": sel.placements_open_to(officer=request.user)[:10],
            "index_url": sel.training_index_url(request),
        },
    )


# --- Lessons -------------------------------------------------------------------------------


@require_POST
@login_required
def lesson_complete(request, pk: int):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=pk)
    _require_officer(request)
    credited_before = sel.lesson_module_credit(officer=request.user, lesson=lesson) is not None
    try:
        svc.lesson_complete(officer=request.user, lesson=lesson)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(lesson.url)
    credit = (
        None if credited_before else sel.lesson_module_credit(officer=request.user, lesson=lesson)
    )
    if credit is None:
        messages.success(request, _("Lesson complete."))
    else:
        messages.success(
            request,
            _("Module complete: %(hours)s hours credited; %(total)s of %(required)s this year.")
            % {
                "hours": hours_text(credit.hours),
                "total": hours_text(credit.year_total),
                "required": hours_text(credit.required),
            },
        )
    return redirect(lesson.url)


@require_POST
@login_required
def lesson_heartbeat(request, pk: int):
    """The open lesson page reports in while it is in front of the officer; the answer tells
    its countdown how long is left (the server's clock, docs/study-clock.md)."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=pk)
    _require_officer(request)
    now = timezone.now()
    try:
        progress = svc.lesson_heartbeat(officer=request.user, lesson=lesson, now=now)
    except ValidationError as error:
        return JsonResponse({"error": _error_text(error)}, status=409)
    remaining = sel.lesson_study_remaining(progress=progress, lesson=lesson, now=now)
    return JsonResponse(
        {
            "completed": progress.completed_at is not None,
            "remaining_seconds": int(remaining.total_seconds()),
        }
    )


# --- Lectures ------------------------------------------------------------------------------


def _lecture_visible(request, lecture: Lecture) -> bool:
    unit = request.user.unit
    if unit is not None and unit.path.startswith(lecture.county.path):
        return True
    return sel.lecture_can_manage(user=request.user, lecture=lecture)


@never_cache
@login_required
def lecture_list(request):
    _require_officer(request)
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
        messages.error(request, _error_text(error))
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
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("%(count)s attendance(s) recorded.") % {"count": len(recorded)})
    return redirect("courses:lecture_detail", pk=lecture.pk)


# --- Observation placements -----------------------------------------------------------------


@never_cache
@login_required
def placement_list(request):
    _require_officer(request)
    return render(
        request,
        "pages/courses/placement_list.html",
        {
            "rows": sel.placements_open_to(officer=request.user),
            "applications": PlacementApplication.objects.filter(officer=request.user)
            .select_related("placement__host_unit")
            .order_by("-placement__held_on"),
        },
    )


@require_POST
@login_required
def placement_apply(request, pk: int):
    placement = get_object_or_404(Placement, pk=pk)
    try:
        svc.placement_apply(officer=request.user, placement=placement)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Application sent; the coordinator will accept or decline it."))
    return redirect("courses:placement_list")


@never_cache
@login_required
def placement_manage(request, pk: int):
    placement = get_object_or_404(Placement.objects.select_related("host_unit", "module"), pk=pk)
    can_coordinate = sel.placement_can_coordinate(user=request.user, placement=placement)
    if not can_coordinate:
        raise Http404
    return render(
        request,
        "pages/courses/placement_manage.html",
        {
            "placement": placement,
            "applications": placement.applications.select_related("officer__unit"),
            "can_host": sel.placement_can_host(user=request.user, placement=placement),
            "today": timezone.localdate(),
        },
    )


@never_cache
@login_required
def placement_manage_list(request):
    """Placements the user coordinates or hosts."""
    placements = [
        p
        for p in Placement.objects.select_related("host_unit").order_by("-held_on")[:200]
        if sel.placement_can_coordinate(user=request.user, placement=p)
    ]
    if not placements and not (user_roles(request.user) & {Role.HOST, *SUPERVISORY_ROLES}):
        raise PermissionDenied
    return render(request, "pages/courses/placement_manage_list.html", {"placements": placements})


@require_POST
@login_required
def placement_decide(request, pk: int):
    application = get_object_or_404(PlacementApplication.objects.select_related("placement"), pk=pk)
    if not sel.placement_can_coordinate(user=request.user, placement=application.placement):
        raise Http404
    try:
        svc.placement_decide(
            application=application, actor=request.user, accept=request.POST.get("accept") == "1"
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("courses:placement_manage", pk=application.placement_id)


@require_POST
@login_required
def placement_confirm(request, pk: int):
    application = get_object_or_404(PlacementApplication.objects.select_related("placement"), pk=pk)
    if not sel.placement_can_host(user=request.user, placement=application.placement):
        raise Http404
    try:
        svc.placement_attendance_confirm(application=application, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Attendance confirmed."))
    return redirect("courses:placement_manage", pk=application.placement_id)


@never_cache
@login_required
def reflection_submit(request, pk: int):
    application = get_object_or_404(
        PlacementApplication.objects.select_related("placement__host_unit"),
        pk=pk,
        officer=request.user,
    )
    reflections = list(application.reflections.prefetch_related("reviews", "attachments"))
    form = forms.ReflectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.reflection_submit(
                application=application,
                officer=request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(request, _("Reflection submitted for review."))
            return redirect("courses:my_training")
    return render(
        request,
        "pages/courses/reflection_form.html",
        {
            "application": application,
            "reflections": reflections,
            "form": form,
            "can_submit": application.status
            in (ApplicationStatus.ATTENDED, ApplicationStatus.RETURNED),
        },
    )


@never_cache
@login_required
def review_list(request):
    if not (
        request.user.is_superuser or user_roles(request.user) & {Role.TRAINER, Role.CITY_ADMIN}
    ):
        raise PermissionDenied
    applications = (
        PlacementApplication.objects.filter(
            status=ApplicationStatus.SUBMITTED,
            officer__in=officers_visible_to(request.user).values("pk"),
        )
        .select_related("placement", "officer__unit")
        .order_by("applied_at")
    )
    return render(request, "pages/courses/review_list.html", {"applications": applications})


@never_cache
@login_required
def reflection_review(request, pk: int):
    application = get_object_or_404(
        PlacementApplication.objects.select_related("placement__host_unit", "officer__unit"), pk=pk
    )
    if not sel.application_can_review(user=request.user, application=application):
        raise Http404
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.reflection_review(
                application=application,
                reviewer=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("courses:review_list")
    return render(
        request,
        "pages/courses/review_form.html",
        {
            "application": application,
            "reflections": application.reflections.prefetch_related("reviews", "attachments"),
            "form": form,
        },
    )


# --- Field practice -------------------------------------------------------------------------


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
        messages.error(request, _error_text(error))
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
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Acknowledged; the session's hours are on your record."))
    return redirect("courses:field_session", pk=participant.session_id)


# --- Supervisors --------------------------------------------------------------------------


@never_cache
@login_required
def supervisor_hours(request):
    roles = user_roles(request.user)
    if not (request.user.is_superuser or roles & SUPERVISORY_ROLES):
        raise PermissionDenied
    year = year_param(request.GET, default=timezone.localdate().year)
    sort = request.GET.get("sort", "unit")
    if sort not in sel.SUPERVISOR_SORTS:
        sort = "unit"
    officers = sel.supervisor_hours(user=request.user, year=year, sort=sort)
    required = sel.hours_required(year=year)
    if request.GET.get("format") == "xlsx":
        return _hours_xlsx(officers, year=year, required=required)
    page = Paginator(officers, 100).get_page(request.GET.get("page"))
    columns = (
        [("name", pgettext("person", "Name")), ("unit", _("Unit"))]
        + [(code, label) for code, label in HourCategory.choices]
        + [("total", _("Total"))]
    )
    return render(
        request,
        "pages/courses/supervisor_hours.html",
        {
            "page": page,
            "year": year,
            "sort": sort,
            "required": required,
            "columns": columns,
            "categories": HourCategory.values,
        },
    )


def _hours_xlsx(officers, *, year: int, required) -> HttpResponse:
    workbook = xlsx_workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(year))
    sheet_append(
        sheet,
        [
            "工号",
            "姓名",
            "单位",
            "公共法律知识",
            "业务知识",
            "执法技能",
            "合计",
            f"要求 {required}",
        ],
    )
    for officer in officers.iterator(chunk_size=500):
        sheet_append(
            sheet,
            [
                officer.employee_number or "",
                officer.full_name,
                officer.unit.name if officer.unit else "",
                float(officer.hours_public_law),
                float(officer.hours_professional),
                float(officer.hours_skills),
                float(officer.hours_total),
                "达标" if officer.hours_total >= required else "未达标",
            ],
        )
    response = HttpResponse(xlsx_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="training-hours-{year}.xlsx"'
    return response


# --- External hours import (Wagtail admin) -----------------------------------------------


def external_hours_import_view(request):
    """Registered in the Wagtail admin by `courses.hooks_training`."""
    if not request.user.has_perm("people.import_officers"):
        raise PermissionDenied
    form = forms.ExternalHoursImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = external_hours_import(
            source=upload,
            filename=upload.name,
            actor=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.ok and not form.cleaned_data["dry_run"]:
            messages.success(
                request,
                _("Imported %(created)s record(s); %(unchanged)s already on the ledger.")
                % {"created": report.created, "unchanged": report.unchanged},
            )
            return redirect(reverse("courses_external_hours_import"))
    return render(
        request,
        "components/courses/admin_external_import.html",
        {"form": form, "report": report},
    )


def modules_to_review_view(request):
    """Wagtail admin: modules that teach a power withdrawn from the current list."""
    from django.utils import timezone as tz

    from .selectors.training import modules_needing_review

    today = tz.localdate()
    modules = list(modules_needing_review(on=today).prefetch_related("powers"))
    rows = [
        {
            "module": module,
            "withdrawn": [
                p
                for p in module.powers.all()
                if p.withdrawn_on is not None and p.withdrawn_on <= today
            ],
        }
        for module in modules
    ]
    return render(
        request, "components/courses/admin_modules_to_review.html", {"rows": rows, "today": today}
    )


@never_cache
@login_required
def reflection_attachment(request, pk: int, filename: str):
    """An attachment of a reflection, for the officer who filed it, the host and the reviewers.

    Attachments are never linked as public media files (the web server refuses
    /media/reflections/); this view is the only way to them, and anyone else gets a 404.
    """
    attachment = get_object_or_404(
        ReflectionAttachment.objects.select_related(
            "reflection__application__placement", "reflection__application__officer"
        ),
        pk=pk,
    )
    application = attachment.reflection.application
    user = request.user
    allowed = (
        application.officer_id == user.pk
        or sel.application_can_review(user=user, application=application)
        or sel.placement_can_host(user=user, placement=application.placement)
    )
    if not allowed or filename != attachment.filename:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.filename
    )
