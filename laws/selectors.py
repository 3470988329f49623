"""Read-side rules of the law registry: the article in force, and citations due for review.

A version is in force from its `effective_on` until the next version of the law takes
effect, or until its `repealed_on` (the law itself repealed). A citation is *due for
review* from the day a version takes effect that amends, renumbers, moves or repeals the
cited article, until someone reviews it (`services.citation_review`) on or after that day.
Citations of an article that a later version left unchanged follow it into that version,
and a reviewed citation follows its article's successor, so a later change makes it due
again.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Max
from django.utils import timezone

from .models import CHANGED_KINDS, Article, ArticleChange, ChangeKind, Citation, Law, LawVersion


def law_find(title: str) -> Law | None:
    """The law with this title, or else the one law with this short title."""
    law = Law.objects.filter(title=title).first()
    if law is not None:
        return law
    found = list(Law.objects.filter(short_title=title)[:2])
    return found[0] if len(found) == 1 else None


def version_in_force(*, law: Law, on: date) -> LawVersion | None:
    version = law.versions.filter(effective_on__lte=on).order_by("-effective_on").first()
    if version is None or (version.repealed_on and version.repealed_on <= on):
        return None
    return version


def article_in_force(*, title: str, number: int, suffix: int = 0, on: date) -> Article | None:
    """The article 第`number`条(之`suffix`) of the law's version in force on `on`."""
    law = law_find(title)
    if law is None:
        return None
    version = version_in_force(law=law, on=on)
    if version is None:
        return None
    return (
        Article.objects.select_related("version__law")
        .filter(version=version, number=number, suffix=suffix)
        .first()
    )


@dataclass(frozen=True)
class DueCitation:
    citation: Citation
    obj: object
    #: The article as it stood before the change (the cited one, or its unchanged successor).
    old_article: Article
    #: Where the text went in the new version; None when it was repealed.
    new_article: Article | None
    kind: str
    change: ArticleChange
    #: The day the changing version took effect.
    since: date


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _due(*, on: date, citations) -> list[tuple[Citation, ArticleChange]]:
    # Only citations of a law with a later version in force by `on` can be due.
    citations = list(
        citations.filter(
            article__version__law__versions__effective_on__gt=F("article__version__effective_on"),
            article__version__law__versions__effective_on__lte=on,
        )
        .distinct()
        .select_related("article__version")
    )
    if not citations:
        return []
    law_ids = {c.article.version.law_id for c in citations}
    changes: dict[int, list[ArticleChange]] = {}
    for change in (
        ArticleChange.objects.filter(
            new_version__law_id__in=law_ids,
            new_version__effective_on__lte=on,
            old_article__isnull=False,
        )
        .select_related("new_version", "old_article", "new_article")
        .order_by("new_version__effective_on", "pk")
    ):
        changes.setdefault(change.old_article_id, []).append(change)
    last_review = dict(
        Citation.objects.filter(pk__in=[c.pk for c in citations], reviews__isnull=False)
        .annotate(last=Max("reviews__at"))
        .values_list("pk", "last")
    )
    due = []
    for citation in citations:
        article_id, reviewed = citation.article_id, last_review.get(citation.pk)
        seen = set()
        while article_id is not None and article_id not in seen:
            seen.add(article_id)
            following = changes.get(article_id)
            if not following:
                break
            change = following[0]
            since = _day_start(change.new_version.effective_on)
            if change.kind in CHANGED_KINDS and (reviewed is None or reviewed < since):
                due.append((citation, change))
                break
            article_id = change.new_article_id
    return due


def citations_due(*, on: date) -> list[DueCitation]:
    """Every citation due for review on `on`, oldest change first."""
    found = _due(on=on, citations=Citation.objects.prefetch_related("obj"))
    found.sort(key=lambda item: (item[1].new_version.effective_on, item[0].pk))
    return [
        DueCitation(
            citation=citation,
            obj=citation.obj,
            old_article=change.old_article,
            new_article=change.new_article,
            kind=change.kind,
            change=change,
            since=change.new_version.effective_on,
        )
        for citation, change in found
    ]


def due_object_ids(*, model, on: date) -> set[int]:
    """Ids of `model` rows with a citation due for review on `on` (left out of exam draws)."""
    content_type = ContentType.objects.get_for_model(model)
    citations = Citation.objects.filter(content_type=content_type)
    return {citation.object_id for citation, _change in _due(on=on, citations=citations)}


def change_counts(*, version: LawVersion) -> dict[str, int]:
    """How many articles of each kind `version` has against the previous version."""
    counts = dict.fromkeys(ChangeKind.values, 0)
    for kind in version.changes.values_list("kind", flat=True):
        counts[kind] += 1
    return counts


def citations_of(obj) -> list[Citation]:
    content_type = ContentType.objects.get_for_model(obj)
    return list(
        Citation.objects.filter(content_type=content_type, object_id=obj.pk)
        .select_related("article__version__law")
        .order_by("pk")
    )


__all__ = [
    "DueCitation",
    "article_in_force",
    "change_counts",
    "citations_due",
    "citations_of",
    "due_object_ids",
    "law_find",
    "version_in_force",
]
