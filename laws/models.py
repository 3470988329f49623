"""Laws by version, their articles, how articles changed, and citations of them.

A law (法律, 行政法规 …) has dated versions; each version's articles carry their 章/节
headings and a number with an insertion suffix (第四十七条之一 is number 47, suffix 1).
When a new version is imported, every article of the previous one is matched to the new
one by text (`ArticleChange`), so the platform knows which citations are out of date
from the day the new version takes effect.

Anything in the platform may cite an article: powers, case and lesson pages, questions.
`Citation` refers to the citing object through a content type, so this app imports
nothing from the apps above it. Decisions (a corrected classification, a citation
reviewed) are appended, never edited.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnlyError(Exception):
    """A decision row cannot be changed or deleted; a correction is a new row."""


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} records are append-only")


class LawLevel(models.TextChoices):
    LAW = "law", _("Law (法律)")
    REGULATION = "regulation", _("Administrative regulation (行政法规)")
    LOCAL_REGULATION = "local_regulation", _("Local regulation (地方性法规)")
    RULE = "rule", _("Departmental rule (部门规章)")
    NORMATIVE = "normative", _("Normative document (规范性文件)")


class Law(models.Model):
    title = models.CharField(_("title"), max_length=200, unique=True)
    short_title = models.CharField(_("short title"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=LawLevel, default=LawLevel.LAW)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("law")
        verbose_name_plural = _("laws")

    def __str__(self) -> str:
        return self.title


class LawVersion(models.Model):
    law = models.ForeignKey(
        Law, verbose_name=_("law"), on_delete=models.PROTECT, related_name="versions"
    )
    promulgated_on = models.DateField(_("promulgated on"))
    effective_on = models.DateField(_("effective on"))
    repealed_on = models.DateField(_("repealed on"), null=True, blank=True)
    source_note = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        ordering = ["law", "effective_on"]
        verbose_name = _("law version")
        verbose_name_plural = _("law versions")
        constraints = [
            models.UniqueConstraint(fields=["law", "effective_on"], name="law_version_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.law} ({self.effective_on:%Y-%m-%d})"


class Article(models.Model):
    version = models.ForeignKey(
        LawVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="articles"
    )
    chapter = models.CharField(_("chapter (章)"), max_length=200, blank=True)
    section = models.CharField(_("section (节)"), max_length=200, blank=True)
    number = models.PositiveIntegerField(_("number"))
    suffix = models.PositiveSmallIntegerField(
        _("insertion suffix"), default=0, help_text=_("1 for 之一, 2 for 之二; 0 for none.")
    )
    label = models.CharField(pgettext_lazy("law article", "label"), max_length=40)
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("order in the version"))

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "number", "suffix"], name="article_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version.law} {self.label}"


class ChangeKind(models.TextChoices):
    UNCHANGED = "unchanged", _("Unchanged")
    AMENDED = "amended", _("Amended")
    RENUMBERED = "renumbered", _("Renumbered")
    REPLACED = "replaced", _("Moved and changed")
    REPEALED = "repealed", _("Repealed")
    NEW = "new", pgettext_lazy("law change", "New")


#: Kinds that make a citation of the old article due for review.
CHANGED_KINDS = (
    ChangeKind.AMENDED,
    ChangeKind.RENUMBERED,
    ChangeKind.REPLACED,
    ChangeKind.REPEALED,
)


class ArticleChange(models.Model):
    """How one article of the previous version fares in `new_version` (or a new article).

    Computed by text similarity on import; a trainer may correct `kind` with
    `services.change_confirm`, which appends a `ChangeDecision`.
    """

    new_version = models.ForeignKey(
        LawVersion, verbose_name=_("new version"), on_delete=models.CASCADE, related_name="changes"
    )
    old_article = models.ForeignKey(
        Article,
        verbose_name=_("old article"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes_out",
    )
    new_article = models.ForeignKey(
        Article,
        verbose_name=_("new article"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes_in",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind)
    similarity = models.FloatField(_("similarity"), default=0.0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["new_version", "pk"]
        verbose_name = _("article change")
        verbose_name_plural = _("article changes")

    def __str__(self) -> str:
        old = self.old_article.label if self.old_article_id else "—"
        new = self.new_article.label if self.new_article_id else "—"
        return f"{old} → {new}: {self.get_kind_display()}"


class ChangeDecision(AppendOnlyModel):
    """A classification confirmed or corrected by a person (append-only): the kind, and
    for a re-pairing the new article the old one was matched with before and after."""

    change = models.ForeignKey(
        ArticleChange, verbose_name=_("change"), on_delete=models.CASCADE, related_name="decisions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    kind_before = models.CharField(_("kind before"), max_length=20, choices=ChangeKind)
    kind_after = models.CharField(_("kind after"), max_length=20, choices=ChangeKind)
    paired_before = models.ForeignKey(
        Article,
        verbose_name=_("matched with before"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    paired_after = models.ForeignKey(
        Article,
        verbose_name=_("matched with after"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("change decision")
        verbose_name_plural = _("change decisions")

    def __str__(self) -> str:
        return f"{self.change}: {self.kind_before} → {self.kind_after}"

    @property
    def repaired(self) -> bool:
        """The decision matched the old article with another one (a kind-only decision
        leaves both empty; a re-pairing never keeps the same partner)."""
        return self.paired_before_id != self.paired_after_id


class Citation(models.Model):
    """`obj` (a power, a page, a question …) rests on `article`."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("content type"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(pgettext_lazy("citation", "object id"))
    obj = GenericForeignKey("content_type", "object_id")
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="citations"
    )
    created = models.DateTimeField(_("cited at"), default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "article"], name="citation_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.content_type.model}#{self.object_id} → {self.article}"


class ReviewDecision(models.TextChoices):
    KEEP = "keep", _("Keep (still right)")
    UPDATE = "update", _("Updated")
    RETIRE = "retire", _("Retired")


class CitationReview(AppendOnlyModel):
    """Someone reviewed a citation after its article changed (append-only)."""

    citation = models.ForeignKey(
        Citation, verbose_name=_("citation"), on_delete=models.CASCADE, related_name="reviews"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision)
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("citation review")
        verbose_name_plural = _("citation reviews")

    def __str__(self) -> str:
        return f"{self.citation}: {self.decision}"


class LawDigest(models.Model):
    """That an officer was sent the digest of law changes of `month` (YYYY-MM).

    The unique constraint makes the monthly digest once-only: the row and the notification
    are written in one transaction, so a second run sends nothing twice.
    """

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.CharField(_("month"), max_length=7)
    laws = models.PositiveSmallIntegerField(_("laws listed"), default=0)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-month", "officer"]
        verbose_name = _("law digest sent")
        verbose_name_plural = _("law digests sent")
        constraints = [
            models.UniqueConstraint(fields=["officer", "month"], name="law_digest_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.officer} · {self.month}"
