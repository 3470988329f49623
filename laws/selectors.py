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
from difflib import SequenceMatcher

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Max, prefetch_related_objects
from django.utils import timezone

from people.models import Role
from people.selectors import units_visible_to, user_roles

from .models import CHANGED_KINDS, Article, ArticleChange, ChangeKind, Citation, Law, LawVersion

#: Who reviews citations and corrects classifications.
REVIEWER_ROLES = {Role.TRAINER, Role.CITY_ADMIN}


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
        .select_related("new_version__law", "old_article", "new_article")
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


def repealed_object_ids(*, model, on: date) -> set[int]:
    """Ids of `model` rows citing an article no longer law on `on`: a version in force by
    then repealed it (following it through unchanged, amended and moved versions), or the
    whole law was repealed. Unlike `due_object_ids`, a review does not clear this."""
    content_type = ContentType.objects.get_for_model(model)
    citations = list(
        Citation.objects.filter(content_type=content_type).values_list(
            "object_id", "article_id", "article__version__law_id"
        )
    )
    if not citations:
        return set()
    law_ids = {law_id for _o, _a, law_id in citations}
    repealed_laws = set(
        LawVersion.objects.filter(law_id__in=law_ids, repealed_on__lte=on)
        .exclude(law__versions__effective_on__gt=F("effective_on"))
        .values_list("law_id", flat=True)
    )
    following = {
        old: (new, kind)
        for old, new, kind in ArticleChange.objects.filter(
            new_version__law_id__in=law_ids,
            new_version__effective_on__lte=on,
            old_article__isnull=False,
        ).values_list("old_article_id", "new_article_id", "kind")
    }
    found = set()
    for object_id, article_id, law_id in citations:
        if law_id in repealed_laws:
            found.add(object_id)
            continue
        seen = set()
        while article_id in following and article_id not in seen:
            seen.add(article_id)
            article_id, kind = following[article_id]
            if kind == ChangeKind.REPEALED:
                found.add(object_id)
                break
    return found


@dataclass(frozen=True)
class VersionChange:
    """A law version that took effect in a period, with what it changed."""

    version: LawVersion
    counts: dict[str, int]
    #: The first changed article, for a link to its diff (None if nothing changed).
    first_change: ArticleChange | None


def versions_changed(*, start: date, end: date) -> list[VersionChange]:
    """Law versions that took effect from `start` to `end` (inclusive) and changed some
    article of the version before them, oldest first."""
    versions = list(
        LawVersion.objects.filter(
            effective_on__gte=start, effective_on__lte=end, changes__isnull=False
        )
        .distinct()
        .select_related("law")
        .order_by("effective_on", "law__title")
    )
    counts: dict[int, dict[str, int]] = {
        v.pk: dict.fromkeys(ChangeKind.values, 0) for v in versions
    }
    first: dict[int, ArticleChange] = {}
    for change in ArticleChange.objects.filter(new_version__in=versions).order_by("pk"):
        counts[change.new_version_id][change.kind] += 1
        if change.kind != ChangeKind.UNCHANGED:
            first.setdefault(change.new_version_id, change)
    return [
        VersionChange(version=v, counts=counts[v.pk], first_change=first.get(v.pk))
        for v in versions
        if any(n for kind, n in counts[v.pk].items() if kind != ChangeKind.UNCHANGED)
    ]


def laws_cited_by(*, model, object_ids) -> dict[int, set[int]]:
    """Object id → ids of the laws its citations name, for rows of `model`."""
    content_type = ContentType.objects.get_for_model(model)
    found: dict[int, set[int]] = {}
    for object_id, law_id in Citation.objects.filter(
        content_type=content_type, object_id__in=list(object_ids)
    ).values_list("object_id", "article__version__law_id"):
        found.setdefault(object_id, set()).add(law_id)
    return found


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


def is_law_reviewer(user) -> bool:
    """Trainers and the city administrator review citations and correct classifications."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(user_roles(user) & REVIEWER_ROLES)


def object_unit_id(obj) -> int | None:
    """The unit an object belongs to, if it says: a case's county, a quiz's owner unit, a
    question's category's owner unit (the county whose trainers maintain it)."""
    for name in ("county_id", "owner_unit_id"):
        value = getattr(obj, name, None)
        if value is not None:
            return value
    if "category" in _relations(type(obj)):
        return getattr(obj.category, "owner_unit_id", None)
    return None


def _relations(model) -> set[str]:
    return {f.name for f in model._meta.get_fields() if f.many_to_one}


def _categories_load(objs) -> None:
    """Load in one query per model the categories `object_unit_id` reads (questions')."""
    by_model: dict[type, list] = {}
    for obj in objs:
        if obj is not None:
            by_model.setdefault(type(obj), []).append(obj)
    for model, group in by_model.items():
        if "category" in _relations(model):
            prefetch_related_objects(group, "category")


def citations_due_for(*, user, on: date) -> list[DueCitation]:
    """The citations due on `on` that `user` reviews: nothing unless a reviewer; the city
    administrator all; a trainer those of objects in their area (a question's is its
    category's county), and of objects that belong to no unit (a power, a question of the
    city's bank)."""
    if not is_law_reviewer(user):
        return []
    due = citations_due(on=on)
    _categories_load(item.obj for item in due)
    unit_ids = {uid for item in due if (uid := object_unit_id(item.obj)) is not None}
    if not unit_ids or user.is_superuser:
        return due
    visible = set(units_visible_to(user).filter(pk__in=unit_ids).values_list("pk", flat=True))
    return [item for item in due if (uid := object_unit_id(item.obj)) is None or uid in visible]


def review_queue(*, user, on: date) -> list[tuple[LawVersion, list[DueCitation]]]:
    """`citations_due_for`, grouped by the law version that made them due."""
    groups: dict[int, tuple[LawVersion, list[DueCitation]]] = {}
    for item in citations_due_for(user=user, on=on):
        version = item.change.new_version
        groups.setdefault(version.pk, (version, []))[1].append(item)
    return list(groups.values())


def citation_due_for(*, user, pk: int, on: date) -> DueCitation | None:
    """One citation of `user`'s review queue, or None (not due, or not theirs)."""
    return next(
        (item for item in citations_due_for(user=user, on=on) if item.citation.pk == pk), None
    )


def citation_notices(obj, *, on: date) -> list[DueCitation]:
    """The citations of `obj` whose article a version in force on `on` changed, not yet
    reviewed since: what an officer reading it should be told."""
    if obj is None or getattr(obj, "pk", None) is None:
        return []
    content_type = ContentType.objects.get_for_model(obj)
    found = _due(
        on=on, citations=Citation.objects.filter(content_type=content_type, object_id=obj.pk)
    )
    found.sort(key=lambda item: (item[1].new_version.effective_on, item[0].pk))
    return [
        DueCitation(
            citation=citation,
            obj=obj,
            old_article=change.old_article,
            new_article=change.new_article,
            kind=change.kind,
            change=change,
            since=change.new_version.effective_on,
        )
        for citation, change in found
    ]


@dataclass(frozen=True)
class DiffPiece:
    #: "equal", "insert" or "delete".
    op: str
    text: str


def text_diff(old: str, new: str) -> list[DiffPiece]:
    """The difference between two article texts, character by character (Chinese has no
    spaces between words), as pieces kept, deleted and inserted, in reading order."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    pieces: list[DiffPiece] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("equal", old[i1:i2]))
            continue
        if op in ("delete", "replace"):
            pieces.append(DiffPiece("delete", old[i1:i2]))
        if op in ("insert", "replace"):
            pieces.append(DiffPiece("insert", new[j1:j2]))
    return pieces


__all__ = [
    "DiffPiece",
    "DueCitation",
    "VersionChange",
    "laws_cited_by",
    "versions_changed",
    "REVIEWER_ROLES",
    "citation_due_for",
    "citation_notices",
    "citations_due_for",
    "is_law_reviewer",
    "object_unit_id",
    "repealed_object_ids",
    "review_queue",
    "text_diff",
    "article_in_force",
    "change_counts",
    "citations_due",
    "citations_of",
    "due_object_ids",
    "law_find",
    "version_in_force",
]
