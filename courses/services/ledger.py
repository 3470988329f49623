"""Writing to the training-hours ledger (DESIGN.md §5: `training_record_create`)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from people.models import User

from ..models.ledger import HourCategory, TrainingRecord, TrainingSource

__all__ = ["training_record_create", "training_record_reverse", "hours_validate"]

MAX_HOURS_PER_RECORD = Decimal("200")


def hours_validate(hours) -> Decimal:
    """Hours as a Decimal in half-hour steps, greater than zero; a clear error otherwise."""
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(_("Hours must be a number.")) from error
    if not value.is_finite() or value <= 0:
        raise ValidationError(_("Hours must be more than zero."))
    if value > MAX_HOURS_PER_RECORD:
        raise ValidationError(_("One record holds at most 200 hours."))
    if (value * 2) % 1 != 0:
        raise ValidationError(
            _("Hours are counted in half-hour steps (0.5, 1, 1.5 …); %(hours)s is not one.")
            % {"hours": value}
        )
    return value.quantize(Decimal("0.1"))


def training_record_create(
    *,
    officer: User,
    hours,
    category: str,
    completed_on: datetime.date,
    source: str,
    title: str,
    approved_by: User | None = None,
    evidence: Model | None = None,
    evidence_key: str | None = None,
    note: str = "",
) -> TrainingRecord:
    """Add approved hours to an officer's ledger.

    With `evidence_key` the call is idempotent: a second call for the same officer and key
    returns the first record instead of crediting twice (a repeated last step, a double
    click, a task that runs twice).
    """
    value = hours_validate(hours)
    if category not in HourCategory.values:
        raise ValidationError(_("Unknown hour category: %(category)s") % {"category": category})
    if source not in TrainingSource.values:
        raise ValidationError(_("Unknown training source: %(source)s") % {"source": source})
    if not isinstance(completed_on, datetime.date):
        raise ValidationError(_("The completion date is not a date."))
    if not title.strip():
        raise ValidationError(_("A training record needs a title."))
    if evidence_key is not None:
        existing = TrainingRecord.objects.filter(officer=officer, evidence_key=evidence_key).first()
        if existing is not None:
            return existing
    record = TrainingRecord(
        officer=officer,
        hours=value,
        category=category,
        source=source,
        completed_on=completed_on,
        title=title.strip()[:300],
        approved_by=approved_by,
        evidence_key=evidence_key,
        note=note,
    )
    if evidence is not None:
        record.evidence = evidence
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # Another request credited the same evidence between our check and our insert.
        if evidence_key is None:
            raise
        return TrainingRecord.objects.get(officer=officer, evidence_key=evidence_key)
    return record


@transaction.atomic
def training_record_reverse(*, record: TrainingRecord, actor: User, reason: str) -> TrainingRecord:
    """Correct a mistaken entry by appending its negative; the original stays as it was."""
    if record.is_reversal:
        raise ValidationError(_("A reversing entry cannot itself be reversed."))
    if TrainingRecord.objects.filter(reverses=record).exists():
        raise ValidationError(_("This record has already been reversed."))
    if not reason.strip():
        raise ValidationError(_("Say why the record is reversed."))
    return TrainingRecord.objects.create(
        officer=record.officer,
        hours=-record.hours,
        category=record.category,
        source=record.source,
        completed_on=record.completed_on,
        title=_("Reversal: %(title)s") % {"title": record.title},
        approved_by=actor,
        reverses=record,
        note=reason,
    )
