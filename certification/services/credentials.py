"""Issuing certificates and recording what happens to them (DESIGN.md §5).

These functions are the only way a certificate or its history changes. Each appends an
attributed, dated `CredentialEvent`; nothing is edited in place.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from people.models import OrgUnit, UnitKind, User
from powers.models import STANDARD_FIELDS, EnforcementField

from ..models import Credential, CredentialEvent, EventKind, StatusCode
from ..selectors.status import credential_status, policy_current

__all__ = [
    "fields_by_code",
    "credential_issue",
    "credential_suspend",
    "credential_reinstate",
    "credential_revoke",
    "credential_cancel",
    "credential_number_next",
    "expiry_default",
]


def fields_by_code(codes: list[str]) -> list[EnforcementField]:
    """The fields with these codes. The seven fixed codes of DESIGN.md §5 are created on
    first use when the catalogue has not been loaded yet; any other unknown code is left out."""
    found = {f.code: f for f in EnforcementField.objects.filter(code__in=codes)}
    for order, (code, name) in enumerate(STANDARD_FIELDS, start=1):
        if code in codes and code not in found:
            found[code], _created = EnforcementField.objects.get_or_create(
                code=code, defaults={"name": name, "sort_order": order}
            )
    return [found[code] for code in codes if code in found]


def expiry_default(*, issued_on: datetime.date, years: int) -> datetime.date:
    """`years` years after issue, to the same day (29 February → 28 February)."""
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:
        return issued_on.replace(year=issued_on.year + years, day=28)


def credential_number_next(*, officer: User, issued_on: datetime.date) -> str:
    """The next certificate number from the policy's pattern (unique; skips numbers taken)."""
    pattern = policy_current().number_pattern
    township = officer.unit
    county = None
    if township is not None:
        county = OrgUnit.objects.filter(
            path__in=township.ancestor_paths(), kind=UnitKind.COUNTY
        ).first()
    values = {
        "year": issued_on.year,
        "county": (county.code if county else "").replace("-", ""),
        "township": (township.code if township else "").replace("-", ""),
    }
    serial = Credential.objects.filter(issued_on__year=issued_on.year).count() + 1
    for _attempt in range(1000):
        try:
            number = pattern.format(serial=serial, **values)
        except (KeyError, IndexError, ValueError) as error:
            raise ValidationError(
                _("The certificate number pattern “%(pattern)s” cannot be filled in.")
                % {"pattern": pattern}
            ) from error
        if not Credential.objects.filter(number=number).exists():
            return number
        serial += 1
    raise ValidationError(_("No free certificate number: check the number pattern."))


def credential_issue(
    *,
    officer: User,
    fields: list[str],
    issued_on: datetime.date,
    expires_on: datetime.date | None = None,
    actor: User | None = None,
    number: str | None = None,
    reason: str = "",
) -> Credential:
    """Issue a certificate for `fields` (field codes); returns it.

    `expires_on` defaults to the policy's validity. Contract and temporary staff, and
    anyone not in an enforcement post, are never eligible. A certificate issued to an
    officer who already had one renews it (recorded as a renewal).
    """
    if not officer.established:
        raise ValidationError(
            _("Contract and temporary staff cannot hold an enforcement certificate.")
        )
    if not officer.enforcement_post:
        raise ValidationError(_("Only officers in an enforcement post can hold a certificate."))
    codes = sorted({getattr(item, "code", item) for item in (fields or [])})
    if not codes:
        raise ValidationError(_("A certificate covers at least one enforcement field."))
    field_objects = fields_by_code(codes)
    unknown = set(codes) - {f.code for f in field_objects}
    if unknown:
        raise ValidationError(
            _("Unknown enforcement field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    policy = policy_current()
    expires_on = expires_on or expiry_default(issued_on=issued_on, years=policy.validity_years)
    if expires_on < issued_on:
        raise ValidationError(_("A certificate cannot expire before it is issued."))
    with transaction.atomic():
        previous = (
            Credential.objects.select_for_update()
            .filter(officer=officer)
            .order_by("-issued_on", "-pk")
            .first()
        )
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    credential = Credential.objects.create(
                        officer=officer,
                        number=number
                        or credential_number_next(officer=officer, issued_on=issued_on),
                        issued_on=issued_on,
                        expires_on=expires_on,
                        renews=previous,
                        created_by=actor,
                    )
                break
            except IntegrityError:
                if number:
                    raise ValidationError(
                        _("The certificate number %(number)s is already used.") % {"number": number}
                    ) from None
        else:  # pragma: no cover - five collisions in a row
            raise ValidationError(_("Could not allocate a certificate number; try again."))
        credential.fields.set(field_objects)
        kind = EventKind.RENEWAL if previous else EventKind.ISSUE
        CredentialEvent.objects.create(
            credential=credential,
            kind=kind,
            effective_on=issued_on,
            reason=reason or (_("Renewed") if previous else _("Issued")),
            actor=actor,
            details={"fields": codes, "expires_on": expires_on.isoformat()},
        )
    return credential


def _ended_on(credential: Credential) -> CredentialEvent | None:
    return (
        credential.events.filter(kind__in=[EventKind.REVOCATION, EventKind.CANCELLATION])
        .order_by("effective_on", "pk")
        .first()
    )


def _event(
    *,
    credential: Credential,
    kind: str,
    reason: str,
    actor: User | None,
    effective_on: datetime.date,
    reason_code: str = "",
) -> CredentialEvent:
    if not (reason or "").strip():
        raise ValidationError(_("Give a reason."))
    if not isinstance(effective_on, datetime.date):
        raise ValidationError(_("The effective date is not a date."))
    if effective_on < credential.issued_on:
        raise ValidationError(_("The effective date is before the certificate was issued."))
    ended = _ended_on(credential)
    if ended is not None:
        raise ValidationError(
            _("This certificate was already %(event)s on %(date)s.")
            % {"event": ended.get_kind_display(), "date": ended.effective_on}
        )
    return CredentialEvent.objects.create(
        credential=credential,
        kind=kind,
        effective_on=effective_on,
        reason=reason.strip(),
        reason_code=reason_code,
        actor=actor,
    )


@transaction.atomic
def credential_suspend(
    *, credential: Credential, reason: str, actor: User | None, effective_on: datetime.date
) -> CredentialEvent:
    """Suspend (暂扣) from `effective_on` until a reinstatement."""
    return _event(
        credential=credential,
        kind=EventKind.SUSPENSION,
        reason=reason,
        actor=actor,
        effective_on=effective_on,
    )


@transaction.atomic
def credential_reinstate(
    *, credential: Credential, reason: str, actor: User | None, effective_on: datetime.date
) -> CredentialEvent:
    """Lift a suspension — explicit, or automatic for a year short of hours — from `effective_on`.

    For an hours shortfall the justice bureau reinstates once the missing hours are made up.
    """
    status = credential_status(officer=credential.officer, on=effective_on)
    if status.credential is None or status.credential.pk != credential.pk:
        raise ValidationError(_("This is not the officer's current certificate on that date."))
    if status.code != StatusCode.SUSPENDED:
        raise ValidationError(
            _("The certificate is not suspended on %(date)s (it is %(status)s).")
            % {"date": effective_on, "status": status.label}
        )
    return _event(
        credential=credential,
        kind=EventKind.REINSTATEMENT,
        reason=reason,
        actor=actor,
        effective_on=effective_on,
        reason_code=",".join(r.code for r in status.reasons),
    )


@transaction.atomic
def credential_revoke(
    *, credential: Credential, reason: str, actor: User | None, effective_on: datetime.date
) -> CredentialEvent:
    """Revoke (吊销) from `effective_on`; final."""
    return _event(
        credential=credential,
        kind=EventKind.REVOCATION,
        reason=reason,
        actor=actor,
        effective_on=effective_on,
    )


@transaction.atomic
def credential_cancel(
    *, credential: Credential, reason: str, actor: User | None, effective_on: datetime.date
) -> CredentialEvent:
    """Cancel (注销: left the post, retired, dismissed) from `effective_on`; final."""
    return _event(
        credential=credential,
        kind=EventKind.CANCELLATION,
        reason=reason,
        actor=actor,
        effective_on=effective_on,
    )
