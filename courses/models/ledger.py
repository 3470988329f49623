"""The training-hours ledger: one append-only table of approved hours (DESIGN.md §4, §5).

Every kind of training — online lessons, lectures, observation placements, field
practice, external courses — ends as a `TrainingRecord`. Work awaiting review waits with
its evidence elsewhere and becomes a record only when approved. A record is never edited
or deleted; a mistake is corrected by a reversing entry (`training_record_reverse`).
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, transaction
from django.utils.translation import gettext_lazy as _

__all__ = [
    "HourCategory",
    "TrainingSource",
    "TrainingRecord",
    "LedgerImmutableError",
    "HoursTotal",
]


class HourCategory(models.TextChoices):
    PUBLIC_LAW = "public_law", _("Public law knowledge")
    PROFESSIONAL = "professional", _("Professional knowledge")
    SKILLS = "skills", _("Enforcement skills")


class TrainingSource(models.TextChoices):
    ONLINE = "online", _("Online lesson")
    LECTURE = "lecture", _("Lecture")
    OBSERVATION = "observation", _("Observation")
    FIELD_PRACTICE = "field_practice", _("Field practice")
    EXTERNAL = "external", _("External training")


class LedgerImmutableError(Exception):
    """Raised on any attempt to change or delete a ledger entry."""


class TrainingRecordQuerySet(models.QuerySet):
    def in_year(self, year: int) -> "TrainingRecordQuerySet":
        return self.filter(completed_on__year=year)

    def update(self, **kwargs):
        raise LedgerImmutableError("training records are append-only")

    def delete(self):
        raise LedgerImmutableError("training records are append-only")


class TrainingRecord(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="training_records",
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        help_text=_("Half-hour steps; negative only on a reversing entry."),
    )
    category = models.CharField(_("category"), max_length=20, choices=HourCategory.choices)
    source = models.CharField(_("source"), max_length=20, choices=TrainingSource.choices)
    completed_on = models.DateField(_("completed on"), db_index=True)
    title = models.CharField(_("title"), max_length=300)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # What earned the hours: a lesson completion, an attendance, a placement, a session...
    evidence_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence_id = models.CharField(max_length=64, blank=True)
    evidence = GenericForeignKey("evidence_type", "evidence_id")
    # Makes crediting idempotent: one entry per officer and piece of evidence, however
    # often the last step is repeated. NULL (not "") for "no key", so the partial unique
    # constraint below ignores records without one.
    evidence_key = models.CharField(  # noqa: DJ001
        _("evidence key"), max_length=200, null=True, blank=True
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    note = models.TextField(_("note"), blank=True)

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "-pk"]
        verbose_name = _("training record (学时记录)")
        verbose_name_plural = _("training records")
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "evidence_key"],
                condition=models.Q(evidence_key__isnull=False),
                name="one_record_per_officer_and_evidence",
            )
        ]
        indexes = [models.Index(fields=["officer", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.officer} · {self.title} · {self.hours}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutableError("training records are append-only")
        # The officer's yearly total moves in the same transaction as the entry itself.
        with transaction.atomic(using=kwargs.get("using") or self._state.db):
            super().save(*args, **kwargs)
            HoursTotal.add(self)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError("training records are append-only")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


HALF_HOUR = Decimal("0.5")


class HoursTotal(models.Model):
    """An officer's approved hours in one year and category: the ledger, summed as it grows.

    Kept by `TrainingRecord.save` in the entry's own transaction (one upsert), so dashboards
    read one row per officer, year and category instead of every entry. `latest_on` is the
    latest completion date summed in: a total whose `latest_on` is after a day asked about
    holds hours from after that day, and the ledger is read for it instead. Entries written
    in bulk (the demo, a benchmark's COPY) are summed by `hours_totals_rebuild`; a nightly
    check (`hours_totals_differences`) compares the totals with the ledger.
    """

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hours_totals"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=20, choices=HourCategory.choices)
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=1)
    latest_on = models.DateField(_("latest completion"))

    class Meta:
        verbose_name = _("hours total")
        verbose_name_plural = _("hours totals")
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "year", "category"], name="one_hours_total_per_year_category"
            )
        ]
        indexes = [models.Index(fields=["year", "officer"], name="hours_total_year_officer")]

    def __str__(self) -> str:
        return f"{self.officer_id} · {self.year} · {self.category} · {self.hours}"

    @classmethod
    def add(cls, record: TrainingRecord) -> None:
        """Add one ledger entry to its total, creating the total if it is the first."""
        using = record._state.db or "default"
        table = connections[using].ops.quote_name(cls._meta.db_table)
        sql = f"""
INSERT INTO {table} (officer_id, year, category, hours, latest_on)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (officer_id, year, category) DO UPDATE SET
    hours = {table}.hours + excluded.hours,
    latest_on = CASE WHEN excluded.latest_on > {table}.latest_on
                     THEN excluded.latest_on ELSE {table}.latest_on END
"""  # noqa: S608 - the table name is the model's; values are parameters
        connection = connections[using]
        params = [
            record.officer_id,
            record.completed_on.year,
            record.category,
            connection.ops.adapt_decimalfield_value(Decimal(record.hours), 8, 1),
            connection.ops.adapt_datefield_value(record.completed_on),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
