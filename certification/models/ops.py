"""Operational records: in-app notifications, reminders sent, export jobs and API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import OrgUnit

__all__ = ["Notification", "ReminderSent", "ExportJob", "ExportState", "ApiToken"]


class Notification(models.Model):
    """A message in an officer's or supervisor's in-app inbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificate_notices"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification (通知)")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class ReminderSent(models.Model):
    """That a reminder about `reason_code` went to `user` in ISO week `week`.

    The unique constraint is what makes reminders once-only: the reminder task inserts
    this row first, in the same transaction as the notification, and skips on conflict —
    so a second run, or a rerun after a worker died mid-way, sends nothing twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason_code = models.CharField(_("reason code"), max_length=60)
    week = models.CharField(_("ISO week"), max_length=8)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "reason_code", "week"], name="one_reminder_per_user_reason_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.reason_code} · {self.week}"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A readiness export (XLSX) built by a Celery task and kept for the user who asked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    on = models.DateField(_("status on"))
    state = models.CharField(
        _("state"), max_length=20, choices=ExportState.choices, default=ExportState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="certification/exports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("readiness export")
        verbose_name_plural = _("readiness exports")

    def __str__(self) -> str:
        return f"{self.unit} · {self.on}"


class ApiToken(models.Model):
    """A token for the read-only supervision API. Only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user, name: str) -> tuple["ApiToken", str]:
        """Create a token; returns it and the plain key (shown once, never stored)."""
        key = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=cls.hash(key)), key
