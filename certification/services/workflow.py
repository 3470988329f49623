"""Application lists and their sign-off (申领, 逐级审签), DESIGN.md §4.

township supervisor builds the list (eligible officers only) → township head signs →
county justice bureau approves or returns each applicant with a reason → city approves →
certificates are issued with numbers from the policy's pattern. Each step is an
append-only `ApplicationStep` the next level sees; an applicant who fails a prerequisite
at any point cannot be approved.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import OrgUnit, Role, RoleAssignment, User
from people.selectors import units_visible_to
from powers.selectors import field_labels

from ..models import (
    Applicant,
    ApplicantDecision,
    Application,
    ApplicationState,
    ApplicationStep,
    StepKind,
)
from .credentials import credential_issue
from .notices import notification_send

__all__ = [
    "actor_may",
    "application_create",
    "applicant_add",
    "applicant_remove",
    "application_sign",
    "applicant_review",
    "application_county_finish",
    "application_city_approve",
]


def actor_may(*, actor: User, role: str, unit: OrgUnit) -> bool:
    """Whether `actor` holds `role` with `unit` inside its scope (superusers may do anything)."""
    if actor.is_superuser:
        return True
    if not RoleAssignment.objects.filter(user=actor, role=role).exists():
        return False
    if role in (Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_HEAD):
        return RoleAssignment.objects.filter(user=actor, role=role, unit=unit).exists()
    return units_visible_to(actor).filter(pk=unit.pk).exists()


def _require(actor: User, role: str, unit: OrgUnit) -> None:
    if not actor_may(actor=actor, role=role, unit=unit):
        raise PermissionDenied(_("You cannot take this step for %(unit)s.") % {"unit": unit.name})


def _require_state(application: Application, state: str) -> None:
    if application.state != state:
        raise ValidationError(
            _("This list is “%(state)s”; that step is not possible now.")
            % {"state": application.get_state_display()}
        )


def _step(application, kind, actor, note="", applicant=None) -> ApplicationStep:
    return ApplicationStep.objects.create(
        application=application, applicant=applicant, kind=kind, actor=actor, note=note
    )


@transaction.atomic
def application_create(*, unit: OrgUnit, actor: User, title: str = "") -> Application:
    """A township supervisor starts an application list."""
    _require(actor, Role.TOWNSHIP_SUPERVISOR, unit)
    if not unit.is_grassroots:
        raise ValidationError(_("Application lists are made by a township or sub-district."))
    today = timezone.localdate()
    application = Application.objects.create(
        unit=unit,
        title=title.strip()
        or _("%(unit)s certificate application %(date)s") % {"unit": unit.name, "date": today},
        created_by=actor,
    )
    _step(application, StepKind.CREATED, actor)
    return application


@transaction.atomic
def applicant_add(
    *, application: Application, officer: User, actor: User, fields: list[str] | None = None
) -> Applicant:
    """Put an eligible officer on the list, for the fields whose exams they passed."""
    from ..selectors.exams import applicant_lacks

    _require(actor, Role.TOWNSHIP_SUPERVISOR, application.unit)
    _require_state(application, ApplicationState.DRAFT)
    if officer.unit_id != application.unit_id:
        raise ValidationError(_("%(name)s is not an officer of this township.") % {"name": officer})
    if (
        application.applicants.filter(officer=officer)
        .exclude(decision=ApplicantDecision.REMOVED)
        .exists()
    ):
        raise ValidationError(_("%(name)s is already on this list.") % {"name": officer})
    lacks, standing = applicant_lacks(officers=[officer])[officer.pk]
    if lacks:
        raise ValidationError(
            _("%(name)s cannot apply: %(lacks)s")
            % {"name": officer, "lacks": "；".join(r.message for r in lacks)}
        )
    chosen = sorted(standing.fields_passed if fields is None else set(fields))
    if not chosen or not set(chosen) <= standing.fields_passed:
        raise ValidationError(_("Choose fields whose specialised exam the officer has passed."))
    applicant, _created = Applicant.objects.update_or_create(
        application=application,
        officer=officer,
        defaults={"field_codes": chosen, "decision": ApplicantDecision.PENDING},
    )
    _step(
        application,
        StepKind.ADDED,
        actor,
        note="、".join(field_labels(chosen)),
        applicant=applicant,
    )
    return applicant


@transaction.atomic
def applicant_remove(*, applicant: Applicant, actor: User) -> None:
    application = applicant.application
    _require(actor, Role.TOWNSHIP_SUPERVISOR, application.unit)
    _require_state(application, ApplicationState.DRAFT)
    applicant.decision = ApplicantDecision.REMOVED
    applicant.save(update_fields=["decision"])
    _step(application, StepKind.REMOVED, actor, note=str(applicant.officer), applicant=applicant)


@transaction.atomic
def application_sign(*, application: Application, actor: User, note: str = "") -> Application:
    """The township head (一把手) signs the list and sends it to the county justice bureau."""
    _require(actor, Role.TOWNSHIP_HEAD, application.unit)
    _require_state(application, ApplicationState.DRAFT)
    if not application.applicants.filter(decision=ApplicantDecision.PENDING).exists():
        raise ValidationError(_("The list has no applicants to sign for."))
    application.state = ApplicationState.SIGNED
    application.save(update_fields=["state"])
    _step(application, StepKind.SIGNED, actor, note=note)
    return application


@transaction.atomic
def applicant_review(
    *, applicant: Applicant, actor: User, approve: bool, reason: str = ""
) -> Applicant:
    """The county justice bureau approves an applicant, or returns them with a reason."""
    from ..selectors.exams import applicant_lacks

    application = applicant.application
    _require(actor, Role.JUSTICE_BUREAU, application.unit)
    _require_state(application, ApplicationState.SIGNED)
    if applicant.decision not in (
        ApplicantDecision.PENDING,
        ApplicantDecision.APPROVED,
        ApplicantDecision.RETURNED,
    ):
        raise ValidationError(_("This applicant is no longer on the list."))
    if approve:
        lacks, standing = applicant_lacks(officers=[applicant.officer])[applicant.officer_id]
        if lacks or not set(applicant.field_codes) <= standing.fields_passed:
            raise ValidationError(
                _("%(name)s cannot be approved: %(lacks)s")
                % {
                    "name": applicant.officer,
                    "lacks": "；".join(r.message for r in lacks)
                    or _("an exam for a field is no longer passed"),
                }
            )
        applicant.decision, applicant.decision_reason = ApplicantDecision.APPROVED, reason.strip()
        kind = StepKind.APPROVED
    else:
        if not reason.strip():
            raise ValidationError(_("Say why the applicant is returned."))
        applicant.decision, applicant.decision_reason = ApplicantDecision.RETURNED, reason.strip()
        kind = StepKind.RETURNED
    applicant.save(update_fields=["decision", "decision_reason"])
    _step(application, kind, actor, note=reason.strip(), applicant=applicant)
    return applicant


@transaction.atomic
def application_county_finish(*, application: Application, actor: User) -> Application:
    """The county has decided every applicant; the list goes to the city."""
    _require(actor, Role.JUSTICE_BUREAU, application.unit)
    _require_state(application, ApplicationState.SIGNED)
    if application.applicants.filter(decision=ApplicantDecision.PENDING).exists():
        raise ValidationError(_("Approve or return every applicant first."))
    application.state = ApplicationState.COUNTY_DONE
    application.save(update_fields=["state"])
    _step(application, StepKind.COUNTY_DONE, actor)
    return application


@transaction.atomic
def application_city_approve(
    *, application: Application, actor: User, issued_on: datetime.date | None = None
) -> list:
    """The city approves: every county-approved applicant is issued a certificate."""
    from ..selectors.exams import applicant_lacks

    _require(actor, Role.CITY_ADMIN, application.unit)
    _require_state(application, ApplicationState.COUNTY_DONE)
    issued_on = issued_on or timezone.localdate()
    approved = list(
        application.applicants.filter(decision=ApplicantDecision.APPROVED).select_related("officer")
    )
    lacks = (
        applicant_lacks(officers=[a.officer for a in approved], on=issued_on) if approved else {}
    )
    issued = []
    for applicant in approved:
        problems, _standing = lacks[applicant.officer_id]
        if problems:
            raise ValidationError(
                _("%(name)s no longer meets the prerequisites: %(lacks)s")
                % {"name": applicant.officer, "lacks": "；".join(r.message for r in problems)}
            )
        credential = credential_issue(
            officer=applicant.officer,
            fields=applicant.field_codes,
            issued_on=issued_on,
            actor=actor,
            reason=_("Issued on application: %(title)s") % {"title": application.title},
        )
        applicant.decision, applicant.credential = ApplicantDecision.ISSUED, credential
        applicant.save(update_fields=["decision", "credential"])
        _step(application, StepKind.ISSUED, actor, note=credential.number, applicant=applicant)
        notification_send(
            user=applicant.officer,
            title=_("Your enforcement certificate %(number)s has been issued")
            % {"number": credential.number},
            url=reverse("certification:mine"),
        )
        issued.append(credential)
    application.state = ApplicationState.APPROVED
    application.save(update_fields=["state"])
    _step(application, StepKind.CITY_APPROVED, actor)
    return issued
