"""The credential policy: every number of DESIGN.md §4, editable by the city administrator.

A Wagtail generic setting (one row for the whole installation), edited under
Settings → Credential policy. Every change is audited by `PolicyChange`: the receivers in
`certification.receivers` snapshot the row before it is saved and append the before/after
difference with the acting user, whether the change came from the admin or from code.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from .base import AppendOnlyModel

__all__ = ["CredentialPolicy", "PolicyChange", "POLICY_FIELDS"]

HOURS = {"max_digits": 5, "decimal_places": 1, "validators": [MinValueValidator(0)]}


@register_setting(icon="doc-full")
class CredentialPolicy(BaseGenericSetting):
    annual_hours = models.DecimalField(
        _("approved hours required per calendar year"), default=Decimal("60"), **HOURS
    )
    min_public_law = models.DecimalField(
        _("minimum hours: public law knowledge"), null=True, blank=True, **HOURS
    )
    min_professional = models.DecimalField(
        _("minimum hours: professional knowledge"), null=True, blank=True, **HOURS
    )
    min_skills = models.DecimalField(
        _("minimum hours: enforcement skills"), null=True, blank=True, **HOURS
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("exam pass mark (out of 100)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    retakes_allowed = models.PositiveSmallIntegerField(
        _("retakes allowed per exam and year"), default=1
    )
    validity_years = models.PositiveSmallIntegerField(
        _("validity of a certificate (years)"), default=5, validators=[MinValueValidator(1)]
    )
    at_risk_days = models.PositiveSmallIntegerField(
        _("at risk when the expiry is this many days away or fewer"), default=180
    )
    checkpoint1_month = models.PositiveSmallIntegerField(
        _("first checkpoint: month"),
        default=7,
        validators=[MinValueValidator(2), MaxValueValidator(12)],
    )
    checkpoint1_hours = models.DecimalField(
        _("first checkpoint: hours expected by its first day"), default=Decimal("30"), **HOURS
    )
    checkpoint2_month = models.PositiveSmallIntegerField(
        _("second checkpoint: month"),
        default=10,
        validators=[MinValueValidator(2), MaxValueValidator(12)],
    )
    checkpoint2_hours = models.DecimalField(
        _("second checkpoint: hours expected by its first day"), default=Decimal("45"), **HOURS
    )
    number_pattern = models.CharField(
        _("certificate number pattern"),
        max_length=100,
        default="豫执{year}{county}{serial:05d}",
        help_text=_(
            "Placeholders: {year} (issue year), {county} and {township} (unit codes without "
            "dashes), {serial} (running number within the year, e.g. {serial:05d})."
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("annual_hours"),
                FieldRowPanel(
                    [
                        FieldPanel("min_public_law"),
                        FieldPanel("min_professional"),
                        FieldPanel("min_skills"),
                    ]
                ),
            ],
            heading=_("Annual training"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("retakes_allowed")])],
            heading=_("Qualification exams"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("validity_years"), FieldPanel("at_risk_days")]),
                FieldRowPanel([FieldPanel("checkpoint1_month"), FieldPanel("checkpoint1_hours")]),
                FieldRowPanel([FieldPanel("checkpoint2_month"), FieldPanel("checkpoint2_hours")]),
                FieldPanel("number_pattern"),
            ],
            heading=_("Certificates"),
        ),
    ]

    class Meta:
        verbose_name = _("credential policy (执法证管理规则)")

    def category_minimums(self) -> dict[str, Decimal]:
        """Configured per-category minimums (categories without one are left out)."""
        values = {
            "public_law": self.min_public_law,
            "professional": self.min_professional,
            "skills": self.min_skills,
        }
        return {key: value for key, value in values.items() if value}

    def checkpoints(self, year: int) -> list[tuple[date, Decimal]]:
        """(first day, hours expected by then) of each pace checkpoint in `year`, in order."""
        points = [
            (date(year, self.checkpoint1_month, 1), self.checkpoint1_hours),
            (date(year, self.checkpoint2_month, 1), self.checkpoint2_hours),
        ]
        return sorted(points)


#: The policy fields a change is audited on.
POLICY_FIELDS = [
    "annual_hours",
    "min_public_law",
    "min_professional",
    "min_skills",
    "pass_mark",
    "retakes_allowed",
    "validity_years",
    "at_risk_days",
    "checkpoint1_month",
    "checkpoint1_hours",
    "checkpoint2_month",
    "checkpoint2_hours",
    "number_pattern",
]


class PolicyChange(AppendOnlyModel):
    """One change to the credential policy: who, when, and each changed value before and after."""

    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("credential policy change (规则变更记录)")
        verbose_name_plural = _("credential policy changes")

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} · {', '.join(sorted(self.after))}"
