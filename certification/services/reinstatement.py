"""Suspension and reinstatement by the county justice bureau, and officers' requests (申请恢复).

Who may suspend or reinstate: the county justice bureau (or the city administrator)
whose area holds the officer — the rule the annual-review page already used for
reinstatement. Every change to the certificate goes through `credential_suspend` /
`credential_reinstate`, so it is an append-only, attributed event.

An officer suspended for an hours shortfall may ask for reinstatement once this year's
approved hours cover what was missing; a suspension the bureau imposed (discipline) is
lifted only by the bureau. An officer has at most one pending request.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import OrgUnit, Role, User
from people.selectors import unit_county

from ..messages import hours_text
from ..models import (
    Credential,
    CredentialEvent,
    ReinstatementRequest,
    ReinstatementState,
    StatusCode,
)
from ..selectors.status import Reason, credential_status
from .credentials import credential_reinstate, credential_suspend
from .notices import notification_send
from .workflow import actor_may

__all__ = [
    "Eligibility",
    "BulkOutcome",
    "may_suspend_or_reinstate",
    "reinstatement_eligibility",
    "eligibility_from_status",
    "officer_suspend",
    "officer_reinstate",
    "reinstatement_request_create",
    "reinstatement_request_decide",
    "officers_reinstate",
    "reinstatement_requests_decide",
]


def _county_of(officer: User) -> OrgUnit | None:
    return unit_county(officer.unit) if officer.unit is not None else None


def may_suspend_or_reinstate(*, actor: User, officer: User) -> bool:
    """Whether `actor` may suspend or reinstate `officer`'s certificate: the justice bureau
    (or city administrator) whose area holds the officer's county."""
    if actor is None or not actor.is_authenticated:
        return False
    county = _county_of(officer)
    if county is None:
        return actor.is_superuser
    return actor_may(actor=actor, role=Role.JUSTICE_BUREAU, unit=county) or actor_may(
        actor=actor, role=Role.CITY_ADMIN, unit=county
    )


def _require_right(actor: User, officer: User) -> None:
    if not may_suspend_or_reinstate(actor=actor, officer=officer):
        raise PermissionDenied(
            _("Only the county justice bureau can suspend or reinstate this certificate.")
        )


@dataclass
class Eligibility:
    """Whether an officer may be reinstated for making up hours, and why not if not."""

    ok: bool
    reason: str = ""
    shortfall: Decimal = Decimal("0")
    made_up: Decimal = Decimal("0")
    credential: Credential | None = None


def eligibility_from_status(
    code: str, reasons: list[Reason], made_up, credential: Credential | None = None
) -> Eligibility:
    """The reinstatement rule on a status already computed (lists compute many at once).

    Suspended for an hours shortfall only, and this year's approved hours cover the hours
    that were missing.
    """
    made_up = Decimal(str(made_up or 0))
    if code != StatusCode.SUSPENDED:
        return Eligibility(ok=False, reason=_("The certificate is not suspended."))
    codes = {r.code for r in reasons}
    shortfall = sum(
        (
            Decimal(str(r.details.get("missing") or 0))
            for r in reasons
            if r.code == "hours_shortfall"
        ),
        Decimal("0"),
    )
    base = {"shortfall": shortfall, "made_up": made_up, "credential": credential}
    if "suspended" in codes:
        return Eligibility(
            ok=False,
            reason=_(
                "The justice bureau suspended this certificate; only the bureau can lift that suspension."
            ),
            **base,
        )
    if shortfall <= 0 or made_up < shortfall:
        return Eligibility(
            ok=False,
            reason=_(
                "%(missing)s hours were missing; %(made_up)s approved this year. Make up the rest first."
            )
            % {"missing": hours_text(shortfall), "made_up": hours_text(made_up)},
            **base,
        )
    return Eligibility(ok=True, **base)


def reinstatement_eligibility(*, officer: User, on: datetime.date | None = None) -> Eligibility:
    """Whether `officer` may be reinstated on `on` for having made up the missing hours."""
    from courses.selectors import training_hours

    on = on or timezone.localdate()
    status = credential_status(officer=officer, on=on)
    if status.code != StatusCode.SUSPENDED:
        return eligibility_from_status(status.code, status.reasons, 0)
    made_up = training_hours(officer=officer, year=on.year)["total"]
    return eligibility_from_status(status.code, status.reasons, made_up, status.credential)


def _notify(officer: User, title: str, body: str = "") -> None:
    notification_send(user=officer, title=title, body=body, url=reverse("certification:mine"))


@transaction.atomic
def officer_suspend(
    *, officer: User, actor: User, reason: str, effective_on: datetime.date
) -> CredentialEvent:
    """The bureau suspends the officer's current certificate from `effective_on`."""
    _require_right(actor, officer)
    if not isinstance(effective_on, datetime.date):
        raise ValidationError(_("The effective date is not a date."))
    status = credential_status(officer=officer, on=effective_on)
    if status.credential is None or status.code not in (StatusCode.VALID, StatusCode.AT_RISK):
        raise ValidationError(
            _("Only a valid certificate can be suspended (it is %(status)s on %(date)s).")
            % {"status": status.label, "date": effective_on}
        )
    event = credential_suspend(
        credential=status.credential, reason=reason, actor=actor, effective_on=effective_on
    )
    _notify(
        officer,
        _("Your certificate is suspended from %(date)s") % {"date": effective_on},
        event.reason,
    )
    return event


@transaction.atomic
def officer_reinstate(
    *,
    officer: User,
    actor: User,
    reason: str = "",
    on: datetime.date | None = None,
    require_hours: bool = True,
) -> CredentialEvent:
    """The bureau reinstates the officer from `on`. With `require_hours` (bulk actions and
    requests) only an officer who has made up the missing hours qualifies."""
    _require_right(actor, officer)
    on = on or timezone.localdate()
    if require_hours:
        eligibility = reinstatement_eligibility(officer=officer, on=on)
        if not eligibility.ok:
            raise ValidationError(eligibility.reason)
        credential = eligibility.credential
    else:
        status = credential_status(officer=officer, on=on)
        if status.credential is None:
            raise ValidationError(_("The certificate is not suspended."))
        credential = status.credential
    event = credential_reinstate(
        credential=credential,
        reason=(reason or "").strip() or _("Make-up hours completed"),
        actor=actor,
        effective_on=on,
    )
    return event


def reinstatement_request_create(
    *, officer: User, note: str = "", on: datetime.date | None = None
) -> ReinstatementRequest:
    """The officer asks for reinstatement; refused unless eligible and none is pending."""
    if ReinstatementRequest.objects.filter(
        officer=officer, status=ReinstatementState.PENDING
    ).exists():
        raise ValidationError(_("You already have a request waiting for the justice bureau."))
    eligibility = reinstatement_eligibility(officer=officer, on=on)
    if not eligibility.ok:
        raise ValidationError(eligibility.reason)
    try:
        with transaction.atomic():
            return ReinstatementRequest.objects.create(
                officer=officer, credential=eligibility.credential, note=(note or "").strip()[:2000]
            )
    except IntegrityError:
        raise ValidationError(
            _("You already have a request waiting for the justice bureau.")
        ) from None


def reinstatement_request_decide(
    *,
    request: ReinstatementRequest,
    actor: User,
    approve: bool,
    reason: str = "",
    on: datetime.date | None = None,
) -> ReinstatementRequest:
    """The bureau approves (reinstating from `on`) or refuses (with a reason) a pending request;
    the officer is notified either way."""
    officer = request.officer
    _require_right(actor, officer)
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = ReinstatementRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != ReinstatementState.PENDING:
            raise ValidationError(
                _("This request was already decided (%(status)s).")
                % {"status": locked.get_status_display()}
            )
        if approve:
            officer_reinstate(
                officer=officer,
                actor=actor,
                reason=reason or _("Reinstatement request approved: make-up hours completed"),
                on=on,
            )
            locked.status = ReinstatementState.APPROVED
            title = _("Your certificate is reinstated")
        else:
            if not reason:
                raise ValidationError(_("Give a reason for refusing."))
            locked.status = ReinstatementState.REFUSED
            title = _("Your reinstatement request was refused")
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        _notify(officer, title, reason)
    request.refresh_from_db()
    return request


@dataclass
class BulkOutcome:
    """What a bulk action did: who was handled, and who was not and why (never silently)."""

    done: list[User] = field(default_factory=list)
    refused: list[tuple[User, str]] = field(default_factory=list)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or _("You cannot take this step.")


def officers_reinstate(
    *, officers: list[User], actor: User, reason: str = "", on: datetime.date | None = None
) -> BulkOutcome:
    """Reinstate each officer under the same rule as one at a time; report who was not and why."""
    outcome = BulkOutcome()
    for officer in officers:
        try:
            officer_reinstate(officer=officer, actor=actor, reason=reason, on=on)
        except (ValidationError, PermissionDenied) as error:
            outcome.refused.append((officer, _error_text(error)))
        else:
            outcome.done.append(officer)
    return outcome


def reinstatement_requests_decide(
    *,
    requests: list[ReinstatementRequest],
    actor: User,
    approve: bool,
    reason: str = "",
    on: datetime.date | None = None,
) -> BulkOutcome:
    """Approve or refuse many pending requests, each under the single-request rule."""
    outcome = BulkOutcome()
    for item in requests:
        try:
            reinstatement_request_decide(
                request=item, actor=actor, approve=approve, reason=reason, on=on
            )
        except (ValidationError, PermissionDenied) as error:
            outcome.refused.append((item.officer, _error_text(error)))
        else:
            outcome.done.append(item.officer)
    return outcome
