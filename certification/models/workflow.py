"""Applications and sign-off (申领, 逐级审签) and annual reviews (年审).

An application list moves township → township head → county justice bureau → city.
Its state and each applicant's decisions are the latest of their append-only steps
(`ApplicationStep`); the `state` columns are a cache of that for listing screens.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import OrgUnit

from .base import AppendOnlyModel
from .credentials import Credential

__all__ = [
    "ApplicationState",
    "Application",
    "ApplicantDecision",
    "Applicant",
    "StepKind",
    "ApplicationStep",
    "AnnualReview",
    "ReinstatementState",
    "ReinstatementRequest",
]


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Being prepared by the township")
    SIGNED = "signed", _("Signed by the township head; with the county justice bureau")
    COUNTY_DONE = "county_done", _("Reviewed by the county; with the city")
    APPROVED = "approved", _("Approved by the city; certificates issued")


class Application(models.Model):
    """A township's list of officers applying for a certificate (申领名单)."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("certificate application list (申领名单)")
        verbose_name_plural = _("certificate application lists")

    def __str__(self) -> str:
        return self.title


class ApplicantDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting county review")
    APPROVED = "approved", _("Approved by the county")
    RETURNED = "returned", _("Returned by the county")
    ISSUED = "issued", _("Certificate issued")
    REMOVED = "removed", _("Removed by the township")


class Applicant(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="applicants"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    field_codes = models.JSONField(_("fields applied for"), default=list)
    decision = models.CharField(
        _("decision"),
        max_length=20,
        choices=ApplicantDecision.choices,
        default=ApplicantDecision.PENDING,
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    credential = models.ForeignKey(
        Credential, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "officer"], name="one_row_per_officer_per_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.officer}"


class StepKind(models.TextChoices):
    CREATED = "created", _("List started")
    ADDED = "added", _("Officer added")
    REMOVED = "removed", _("Officer removed")
    SIGNED = "signed", _("Signed by the township head")
    APPROVED = "county_approved", _("Approved by the county justice bureau")
    RETURNED = "county_returned", _("Returned by the county justice bureau")
    COUNTY_DONE = "county_done", _("County review finished")
    CITY_APPROVED = "city_approved", _("Approved by the city")
    ISSUED = "issued", _("Certificate issued")


class ApplicationStep(AppendOnlyModel):
    """One recorded step of the sign-off, visible to every later level."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, null=True, blank=True, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("sign-off step (审签记录)")
        verbose_name_plural = _("sign-off steps")

    def __str__(self) -> str:
        return f"{self.application} · {self.get_kind_display()}"


class AnnualReview(AppendOnlyModel):
    """A county's close of one calendar year (年审): who closed it, when, and the outcome."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    holders = models.PositiveIntegerField(_("certificate holders reviewed"), default=0)
    suspended = models.PositiveIntegerField(_("suspended for a shortfall"), default=0)

    class Meta:
        ordering = ["-year", "unit__path"]
        verbose_name = _("annual review")
        verbose_name_plural = _("annual reviews")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_annual_review_per_county")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.year}"


class ReinstatementState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ReinstatementRequest(models.Model):
    """A suspended officer's request to have the certificate reinstated (申请恢复).

    The county justice bureau approves it (which records a reinstatement event on the
    certificate) or refuses it with a reason. An officer has at most one pending request.
    """

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="reinstatement_requests",
    )
    credential = models.ForeignKey(
        Credential, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReinstatementState.choices,
        default=ReinstatementState.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("reinstatement request")
        verbose_name_plural = _("reinstatement requests")
        constraints = [
            models.UniqueConstraint(
                fields=["officer"],
                condition=models.Q(status="pending"),
                name="one_pending_reinstatement_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.get_status_display()}"
