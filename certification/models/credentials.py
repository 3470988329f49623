"""Exam results, certificates (行政执法证) and the append-only history of each certificate.

DESIGN.md §4 "History": a certificate and every event on it (issue, renewal, suspension,
reinstatement, revocation, cancellation, annual-review decision) is written once, with
its actor, reason and effective date, and never changed or deleted. Status on any date is
computed from these rows and the hours ledger (`certification.selectors`), never stored.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from powers.models import EnforcementField

from .base import AppendOnlyModel, ImmutableRecordError

__all__ = [
    "ExamKind",
    "ExamSource",
    "ExamResult",
    "Credential",
    "EventKind",
    "CredentialEvent",
    "VerificationToken",
    "ImmutableRecordError",
    "StatusCode",
]


class StatusCode(models.TextChoices):
    """Certificate status on a date (DESIGN.md §4), in the order the rules are tried."""

    NOT_QUALIFIED = "not_qualified", _("Not qualified")
    CANCELLED = "cancelled", pgettext_lazy("certificate", "Cancelled")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    SUSPENDED = "suspended", _("Suspended")
    AT_RISK = "at_risk", _("At risk")
    VALID = "valid", _("Valid")


class ExamKind(models.TextChoices):
    GENERAL_LAW = "general_law", _("General law exam")
    SPECIALISED = "specialised", _("Specialised law exam")


class ExamSource(models.TextChoices):
    PLATFORM = "platform", _("This platform")
    PROVINCIAL = "provincial", _("Provincial exam system (import)")
    MANUAL = "manual", _("Recorded by hand")


class ExamResult(AppendOnlyModel):
    """One sitting of a qualification exam. Passing is judged by the policy at read time."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="exam_results",
    )
    kind = models.CharField(_("exam"), max_length=20, choices=ExamKind.choices)
    field = models.ForeignKey(
        EnforcementField,
        verbose_name=_("field"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    sat_on = models.DateField(_("sat on"))
    source = models.CharField(
        _("source"), max_length=20, choices=ExamSource.choices, default=ExamSource.MANUAL
    )
    # Makes recording idempotent: one result per graded attempt or per imported row.
    source_key = models.CharField(  # noqa: DJ001 - NULL so the unique constraint skips it
        _("source key"), max_length=200, null=True, blank=True, unique=True
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["sat_on", "pk"]
        verbose_name = _("exam result (考试成绩)")
        verbose_name_plural = _("exam results")
        indexes = [models.Index(fields=["officer", "kind", "sat_on"])]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.field_id:
            label = f"{label} · {self.field}"
        return f"{self.officer} · {label} · {self.score}"


class Credential(AppendOnlyModel):
    """An enforcement certificate (行政执法证) as issued. Never edited: renewal issues a new one."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), help_text=_("The last day it is good."))
    fields = models.ManyToManyField(
        EnforcementField, verbose_name=_("fields"), related_name="credentials"
    )
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_by",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("enforcement certificate (行政执法证)")
        verbose_name_plural = _("enforcement certificates")
        indexes = [models.Index(fields=["officer", "issued_on"])]

    def __str__(self) -> str:
        return f"{self.number} · {self.officer}"


class EventKind(models.TextChoices):
    ISSUE = "issue", _("Issued")
    RENEWAL = "renewal", _("Renewed")
    SUSPENSION = "suspension", _("Suspended")
    REINSTATEMENT = "reinstatement", _("Reinstated")
    REVOCATION = "revocation", _("Revoked")
    CANCELLATION = "cancellation", pgettext_lazy("certificate", "Cancelled")
    ANNUAL_REVIEW = "annual_review", _("Annual review decision")


class CredentialEvent(AppendOnlyModel):
    """Something that happened to a certificate, effective from a date, by someone, for a reason."""

    credential = models.ForeignKey(
        Credential, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices, db_index=True)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"))
    reason_code = models.CharField(_("reason code"), max_length=60, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Annual-review decisions: which year was closed, and its figures (hours, required).
    year = models.PositiveSmallIntegerField(_("year reviewed"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["effective_on", "pk"]
        verbose_name = _("certificate event (证件记录)")
        verbose_name_plural = _("certificate events")
        indexes = [models.Index(fields=["credential", "kind", "effective_on"])]
        constraints = [
            # One annual-review decision per certificate and year, however often it is run.
            models.UniqueConstraint(
                fields=["credential", "year"],
                condition=models.Q(kind="annual_review"),
                name="one_annual_review_per_credential_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.credential.number} · {self.get_kind_display()} · {self.effective_on}"


class VerificationToken(models.Model):
    """The unguessable token behind a certificate's QR code; revoking it kills the link.

    Not append-only: revocation stamps `revoked_at` (the token row itself is never deleted).
    """

    credential = models.ForeignKey(
        Credential, on_delete=models.PROTECT, related_name="verification_tokens"
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = models.Manager()

    class Meta:
        verbose_name = _("verification link (验证二维码)")
        verbose_name_plural = _("verification links")

    def __str__(self) -> str:
        return f"{self.credential.number} · {self.token[:6]}…"
