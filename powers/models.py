"""Enforcement fields and the dated lists of delegated powers (承接事项清单).

Lists change (DESIGN.md §1: the 2023 city lists were replaced in 2025–26), so a power is
never edited away: it carries the date it applies from and the date it is withdrawn,
and each list records which powers it delegates from its effective date. "What does this
township hold on date D" and "what changed between two lists" are answered by
`powers.selectors`.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from people.models import OrgUnit

#: The enforcement fields every deployment knows, in display order: (code, name). The
#: codes are fixed (rules, imports and exports name fields by them); a city may rename one.
STANDARD_FIELDS = [
    ("natural_resources", "自然资源"),
    ("ecology", "生态环境保护"),
    ("urban", "城市管理"),
    ("water", "水利"),
    ("agriculture", "农业农村"),
    ("transport", "交通运输"),
    ("fire", "消防救援"),
]


class EnforcementField(models.Model):
    """One of the enforcement fields (执法领域); the codes are `STANDARD_FIELDS`."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("enforcement field (执法领域)")
        verbose_name_plural = _("enforcement fields")

    def __str__(self) -> str:
        return self.name


class AppliesTo(models.TextChoices):
    TOWNSHIPS = "township", _("Townships (乡镇)")
    SUBDISTRICTS = "subdistrict", _("Sub-districts (街道)")
    BOTH = "both", _("Townships and sub-districts")


class PowerList(models.Model):
    """A published list of powers delegated to townships and/or sub-districts."""

    name = models.CharField(_("name"), max_length=200)
    document_number = models.CharField(_("document number (文号)"), max_length=100, blank=True)
    issuer = models.ForeignKey(
        OrgUnit,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="power_lists",
        help_text=_("The city or county whose units the list applies to; empty for all."),
    )
    applies_to = models.CharField(
        _("applies to"), max_length=20, choices=AppliesTo.choices, default=AppliesTo.TOWNSHIPS
    )
    effective_from = models.DateField(_("effective from"))
    description = models.TextField(_("description"), blank=True)
    powers = models.ManyToManyField(
        "Power", verbose_name=_("powers"), related_name="lists", blank=True
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("document_number"), FieldPanel("effective_from")]),
        FieldRowPanel([FieldPanel("issuer"), FieldPanel("applies_to")]),
        FieldPanel("description"),
        FieldPanel("powers"),
    ]

    class Meta:
        ordering = ["-effective_from", "name"]
        verbose_name = _("list of delegated powers (承接事项清单)")
        verbose_name_plural = _("lists of delegated powers")

    def __str__(self) -> str:
        return self.name

    @property
    def unit_kinds(self) -> list[str]:
        if self.applies_to == AppliesTo.BOTH:
            return [AppliesTo.TOWNSHIPS.value, AppliesTo.SUBDISTRICTS.value]
        return [self.applies_to]


class PowerQuerySet(models.QuerySet):
    def in_force_on(self, on: date) -> "PowerQuerySet":
        """Powers that have started and not been withdrawn on `on`."""
        return self.filter(applies_from__lte=on).filter(
            models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gt=on)
        )

    def withdrawn_by(self, on: date) -> "PowerQuerySet":
        return self.filter(withdrawn_on__isnull=False, withdrawn_on__lte=on)


class Power(index.Indexed, models.Model):
    """One administrative penalty power (行政处罚事项) delegated to townships."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    field = models.ForeignKey(
        EnforcementField, verbose_name=_("field"), on_delete=models.PROTECT, related_name="powers"
    )
    legal_basis_law = models.CharField(_("legal basis: law"), max_length=200, blank=True)
    legal_basis_article = models.CharField(_("legal basis: article"), max_length=100, blank=True)
    original_department = models.CharField(
        _("original county department"),
        max_length=100,
        blank=True,
        help_text=_(
            "The county department that held the power before delegation, e.g. 县自然资源局."
        ),
    )
    applies_from = models.DateField(_("applies from"))
    withdrawn_on = models.DateField(
        _("withdrawn on"),
        null=True,
        blank=True,
        help_text=_("First day the township no longer holds the power; empty while it holds it."),
    )
    transition_ends = models.DateField(
        _("transition period ends"),
        null=True,
        blank=True,
        help_text=_(
            "Last day of the transition period (过渡期) in which the original department "
            "still takes part; at most one year after the power applies."
        ),
    )

    objects = PowerQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("field")]),
        FieldPanel("name"),
        MultiFieldPanel(
            [FieldPanel("legal_basis_law"), FieldPanel("legal_basis_article")],
            heading=_("Legal basis"),
        ),
        FieldPanel("original_department"),
        FieldRowPanel(
            [FieldPanel("applies_from"), FieldPanel("transition_ends"), FieldPanel("withdrawn_on")]
        ),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("code"),
        index.AutocompleteField("name"),
        index.FilterField("field"),
    ]

    class Meta:
        ordering = ["field__sort_order", "code"]
        verbose_name = _("delegated power (行政处罚事项)")
        verbose_name_plural = _("delegated powers")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def citation_text(self) -> str:
        """Its legal basis as a statute cites it (《法名》第X条), read by the law registry
        when the power is saved in the admin or imported with a list."""
        return f"{self.legal_basis_law}{self.legal_basis_article}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.applies_from and self.transition_ends:
            if self.transition_ends < self.applies_from:
                errors["transition_ends"] = _("The transition cannot end before the power applies.")
            elif self.transition_ends > transition_limit(self.applies_from):
                errors["transition_ends"] = _(
                    "The transition period is at most one year: it must end by %(limit)s."
                ) % {"limit": transition_limit(self.applies_from).isoformat()}
        if self.applies_from and self.withdrawn_on and self.withdrawn_on <= self.applies_from:
            errors["withdrawn_on"] = _("A power is withdrawn after the day it starts to apply.")
        if errors:
            raise ValidationError(errors)

    def in_force_on(self, on: date) -> bool:
        return self.applies_from <= on and (self.withdrawn_on is None or on < self.withdrawn_on)

    def in_transition_on(self, on: date) -> bool:
        return (
            self.transition_ends is not None
            and self.applies_from <= on <= self.transition_ends
            and self.in_force_on(on)
        )


def transition_limit(start: date) -> date:
    """The last day a transition period starting on `start` may run to (one year on)."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def transition_default_end(start: date) -> date:
    """The usual last day of a one-year transition period: the day before the anniversary."""
    return transition_limit(start) - timedelta(days=1)
