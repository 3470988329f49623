"""Write-side rules of the law registry: importing versions, classifying what changed,
citing articles, and recording reviews and corrections (append-only, attributed)."""

import re
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Article,
    ArticleChange,
    ChangeDecision,
    ChangeKind,
    Citation,
    CitationReview,
    Law,
    LawLevel,
    LawVersion,
    ReviewDecision,
)
from .parsing import article_label, chinese_to_int, parse_law, text_normalise
from .selectors import article_in_force, law_find

#: Below this similarity two articles are not the same article.
MATCH_MIN = 0.5
#: At or above this similarity an article at a new number is "renumbered", below "replaced".
RENUMBERED_MIN = 0.9

COUNTRY_PREFIX = "中华人民共和国"


class LawImportError(ValueError):
    """The version cannot be imported as given; the message says why. Nothing was saved."""


class CitationError(ValueError):
    """The cited article does not exist on that date, or the request is not a citation."""


@dataclass
class ImportReport:
    version: LawVersion
    created: bool
    articles: int
    counts: dict[str, int] = field(default_factory=dict)


def law_version_import(
    *, title: str, text: str, promulgated_on: date, effective_on: date, level: str = "law"
) -> LawVersion:
    """Import one version of a law from its text and return it.

    Importing the same version again (same law, date and article texts) changes nothing.
    When the law has an earlier version, every article is classified against it
    (`ArticleChange`). Raises `LawParseError` (with a line number) or `LawImportError`.
    """
    return law_version_import_report(
        title=title,
        text=text,
        promulgated_on=promulgated_on,
        effective_on=effective_on,
        level=level,
    ).version


def law_version_import_report(
    *, title: str, text: str, promulgated_on: date, effective_on: date, level: str = "law"
) -> ImportReport:
    title = title.strip()
    if not title:
        raise LawImportError(_("A law needs a title."))
    if level not in LawLevel.values:
        raise LawImportError(
            _("Unknown level “%(level)s”; use one of %(levels)s.")
            % {"level": level, "levels": ", ".join(LawLevel.values)}
        )
    if promulgated_on > effective_on:
        raise LawImportError(_("A version cannot take effect before it is promulgated."))
    parsed = parse_law(text)
    with transaction.atomic():
        law, _created = Law.objects.select_for_update().get_or_create(
            title=title,
            defaults={
                "level": level,
                "short_title": title.removeprefix(COUNTRY_PREFIX)
                if title.startswith(COUNTRY_PREFIX)
                else "",
            },
        )
        existing = law.versions.filter(effective_on=effective_on).first()
        if existing is not None:
            stored = list(existing.articles.values_list("number", "suffix", "text"))
            if stored == [(a.number, a.suffix, a.text) for a in parsed] and (
                existing.promulgated_on == promulgated_on
            ):
                return ImportReport(version=existing, created=False, articles=len(stored))
            raise LawImportError(
                _(
                    "%(title)s already has a version taking effect on %(date)s, with other "
                    "text or another promulgation date; nothing was imported."
                )
                % {"title": title, "date": effective_on.isoformat()}
            )
        later = law.versions.filter(effective_on__gt=effective_on).order_by("effective_on").first()
        if later is not None:
            raise LawImportError(
                _(
                    "%(title)s already has a later version (in force from %(date)s); import "
                    "versions from the oldest to the newest."
                )
                % {"title": title, "date": later.effective_on.isoformat()}
            )
        previous = law.versions.order_by("-effective_on").first()
        version = LawVersion.objects.create(
            law=law, promulgated_on=promulgated_on, effective_on=effective_on
        )
        articles = Article.objects.bulk_create(
            Article(
                version=version,
                chapter=item.chapter[:200],
                section=item.section[:200],
                number=item.number,
                suffix=item.suffix,
                label=item.label,
                text=item.text,
                position=i,
            )
            for i, item in enumerate(parsed)
        )
        counts: dict[str, int] = {}
        if previous is not None:
            changes = articles_classify(
                old=list(previous.articles.order_by("position")), new=articles
            )
            ArticleChange.objects.bulk_create(
                ArticleChange(
                    new_version=version, old_article=old, new_article=new, kind=kind, similarity=s
                )
                for old, new, kind, s in changes
            )
            counts = dict.fromkeys(ChangeKind.values, 0)
            for _old, _new, kind, _s in changes:
                counts[kind] += 1
    return ImportReport(version=version, created=True, articles=len(articles), counts=counts)


def articles_classify(
    *, old: list[Article], new: list[Article]
) -> list[tuple[Article | None, Article | None, str, float]]:
    """Match the articles of two versions by text and say what became of each.

    Greedy: the most similar pair is matched first (at equal similarity, the pair with the
    same number, then the pair closest in position), and each article is matched once.
    A pair below `MATCH_MIN` is no match: the old article is repealed, the new one new.
    """
    old_text = {a.pk: text_normalise(a.text) for a in old}
    new_text = {a.pk: text_normalise(a.text) for a in new}
    result: list[tuple[Article | None, Article | None, str, float]] = []
    old_left = {a.pk: a for a in old}
    new_left = {a.pk: a for a in new}
    # Same number and same text: unchanged, without comparing anything else.
    by_number = {(a.number, a.suffix): a for a in new}
    for a in old:
        b = by_number.get((a.number, a.suffix))
        if b is not None and old_text[a.pk] == new_text[b.pk]:
            result.append((a, b, ChangeKind.UNCHANGED, 1.0))
            del old_left[a.pk], new_left[b.pk]
    # The same text at another number: renumbered, again without comparing anything else
    # (a law that inserts one article early renumbers all that follow).
    by_text: dict[str, list[Article]] = {}
    for b in new_left.values():
        by_text.setdefault(new_text[b.pk], []).append(b)
    for a in list(old_left.values()):
        same_text = by_text.get(old_text[a.pk])
        if same_text:
            b = min(same_text, key=lambda b: abs(b.position - a.position))
            same_text.remove(b)
            result.append((a, b, ChangeKind.RENUMBERED, 1.0))
            del old_left[a.pk], new_left[b.pk]
    candidates = []
    matcher = SequenceMatcher(autojunk=False)
    for b in new_left.values():
        matcher.set_seq2(new_text[b.pk])
        for a in old_left.values():
            matcher.set_seq1(old_text[a.pk])
            if matcher.real_quick_ratio() < MATCH_MIN or matcher.quick_ratio() < MATCH_MIN:
                continue
            ratio = matcher.ratio()
            if ratio >= MATCH_MIN:
                same = (a.number, a.suffix) == (b.number, b.suffix)
                candidates.append((-ratio, not same, abs(a.position - b.position), a.pk, b.pk))
    candidates.sort()
    for minus_ratio, different, _distance, a_pk, b_pk in candidates:
        if a_pk not in old_left or b_pk not in new_left:
            continue
        a, b, ratio = old_left.pop(a_pk), new_left.pop(b_pk), round(-minus_ratio, 4)
        if not different:
            kind = ChangeKind.UNCHANGED if old_text[a.pk] == new_text[b.pk] else ChangeKind.AMENDED
        elif ratio >= RENUMBERED_MIN:
            kind = ChangeKind.RENUMBERED
        else:
            kind = ChangeKind.REPLACED
        result.append((a, b, kind, ratio))
    result.extend((a, None, ChangeKind.REPEALED, 0.0) for a in old_left.values())
    result.extend((None, b, ChangeKind.NEW, 0.0) for b in new_left.values())

    def order(item):
        a, b, _kind, _s = item
        return (b.position if b is not None else a.position, 0 if b is not None else 1)

    result.sort(key=order)
    return result


def change_confirm(*, change: ArticleChange, actor, kind: str) -> ArticleChange:
    """Confirm (same kind) or correct the classification of one change; the decision is
    appended to `ChangeDecision` with who and when."""
    if kind not in ChangeKind.values:
        raise ValueError(_("Unknown kind of change: %(kind)s") % {"kind": kind})
    if change.old_article_id and change.new_article_id:
        allowed = {ChangeKind.UNCHANGED, ChangeKind.AMENDED, ChangeKind.RENUMBERED}
        allowed.add(ChangeKind.REPLACED)
    elif change.old_article_id:
        allowed = {ChangeKind.REPEALED}
    else:
        allowed = {ChangeKind.NEW}
    if kind not in allowed:
        raise ValueError(
            _("A change from %(old)s to %(new)s cannot be “%(kind)s”.")
            % {
                "old": change.old_article.label if change.old_article_id else "—",
                "new": change.new_article.label if change.new_article_id else "—",
                "kind": ChangeKind(kind).label,
            }
        )
    now = timezone.now()
    with transaction.atomic():
        change = ArticleChange.objects.select_for_update().get(pk=change.pk)
        ChangeDecision.objects.create(
            change=change, actor=actor, kind_before=change.kind, kind_after=kind, at=now
        )
        change.kind, change.confirmed_by, change.confirmed_at = kind, actor, now
        change.save(update_fields=["kind", "confirmed_by", "confirmed_at"])
    return change


def pair_kind(old: Article, new: Article) -> tuple[str, float]:
    """The kind and similarity of an old article matched with a new one by a person: the
    same words as `articles_classify` uses, whatever the similarity."""
    old_text, new_text = text_normalise(old.text), text_normalise(new.text)
    ratio = round(SequenceMatcher(None, old_text, new_text, autojunk=False).ratio(), 4)
    if (old.number, old.suffix) == (new.number, new.suffix):
        return (ChangeKind.UNCHANGED if old_text == new_text else ChangeKind.AMENDED), ratio
    if ratio >= RENUMBERED_MIN:
        return ChangeKind.RENUMBERED, ratio
    return ChangeKind.REPLACED, ratio


def _decided(change: ArticleChange, *, actor, at, kind_before: str, paired_before) -> None:
    ChangeDecision.objects.create(
        change=change,
        actor=actor,
        kind_before=kind_before,
        kind_after=change.kind,
        paired_before=paired_before,
        paired_after=change.new_article,
        at=at,
    )
    change.confirmed_by, change.confirmed_at = actor, at


def _matched(change: ArticleChange, new: Article | None) -> None:
    change.new_article = new
    if change.old_article is not None and new is not None:
        change.kind, change.similarity = pair_kind(change.old_article, new)
    elif change.old_article is not None:
        change.kind, change.similarity = ChangeKind.REPEALED, 0.0
    else:
        change.kind, change.similarity = ChangeKind.NEW, 0.0


def change_repair(*, change: ArticleChange, actor, new_article: Article | None) -> ArticleChange:
    """Match the old article of `change` with another article of the new version (or with
    none: repealed), correcting the import's matching.

    The article it leaves goes to the change that held `new_article` (which so swaps
    partners), or becomes new; a change left with neither article is removed when nobody
    has decided on it. Both changes get their kind again from the texts, and each gets a
    `ChangeDecision` with the article it was matched with before and after.
    """
    if change.old_article_id is None:
        raise ValueError(_("Only an article of the previous version can be matched again."))
    if new_article is not None and new_article.version_id != change.new_version_id:
        raise ValueError(_("Choose an article of the version this change belongs to."))
    if new_article is not None and new_article.pk == change.new_article_id:
        raise ValueError(
            _("The article is already matched with %(label)s.") % {"label": new_article.label}
        )
    if new_article is None and change.new_article_id is None:
        raise ValueError(_("The article is already recorded as repealed."))
    now = timezone.now()
    with transaction.atomic():
        change = (
            ArticleChange.objects.select_for_update(of=("self",))
            .select_related("old_article", "new_article")
            .get(pk=change.pk)
        )
        left = change.new_article
        other = None
        if new_article is not None:
            other = (
                ArticleChange.objects.select_for_update(of=("self",))
                .select_related("old_article", "new_article")
                .filter(new_version_id=change.new_version_id, new_article=new_article)
                .first()
            )
        before = (change.kind, change.new_article)
        _matched(change, new_article)
        _decided(change, actor=actor, at=now, kind_before=before[0], paired_before=before[1])
        change.save()
        if other is not None:
            if other.old_article_id is None and left is None:
                if other.decisions.exists():
                    raise ValueError(
                        _(
                            "%(label)s was confirmed as a new article; correct that decision "
                            "on its own page first."
                        )
                        % {"label": new_article.label}
                    )
                other.delete()
            else:
                other_before = (other.kind, other.new_article)
                _matched(other, left)
                _decided(
                    other,
                    actor=actor,
                    at=now,
                    kind_before=other_before[0],
                    paired_before=other_before[1],
                )
                other.save()
        elif left is not None:
            ArticleChange.objects.create(
                new_version_id=change.new_version_id, new_article=left, kind=ChangeKind.NEW
            )
    return change


def citation_add(
    *, obj, title: str, number: int, suffix: int = 0, on: date | None = None
) -> Citation:
    """Cite from `obj` the article 第`number`条 of the version of `title` in force on `on`
    (today by default). Citing the same article twice returns the existing citation."""
    on = on or timezone.localdate()
    article = article_in_force(title=title, number=number, suffix=suffix, on=on)
    if article is None:
        raise CitationError(
            _("%(title)s has no %(label)s in force on %(date)s.")
            % {"title": title, "label": article_label(number, suffix), "date": on.isoformat()}
        )
    if obj.pk is None:
        raise CitationError(_("Save the item before citing a law from it."))
    citation, _created = Citation.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, article=article
    )
    return citation


def citation_review(*, citation: Citation, actor, decision: str, note: str = "") -> CitationReview:
    """Record that `actor` reviewed `citation`: keep (still right), update or retire."""
    if decision not in ReviewDecision.values:
        raise ValueError(
            _("A review decides keep, update or retire, not “%(decision)s”.")
            % {"decision": decision}
        )
    return CitationReview.objects.create(
        citation=citation, actor=actor, decision=decision, note=note, at=timezone.now()
    )


def citation_decide(*, citation: Citation, actor, decision: str, note: str = "") -> CitationReview:
    """A reviewer's decision from the review queue: recorded with `citation_review`; to
    retire an item that can be switched off (a question's `is_active`) also switches it
    off, so it is drawn no more."""
    with transaction.atomic():
        review = citation_review(citation=citation, actor=actor, decision=decision, note=note)
        obj = citation.obj
        if decision == ReviewDecision.RETIRE and obj is not None:
            field_names = {f.name for f in obj._meta.concrete_fields}
            if "is_active" in field_names and obj.is_active:
                obj.is_active = False
                obj.save(update_fields=["is_active"])
    return review


_NUMERAL = "[零〇一二两三四五六七八九十百千0-9]+"
_REF = rf"第{_NUMERAL}条(?:之{_NUMERAL})?(?:第{_NUMERAL}[款项])*"
_CITED = re.compile(rf"《(?P<title>[^《》\n]{{1,80}})》(?P<refs>{_REF}(?:[、，,和及与或]{_REF})*)")
_ONE = re.compile(rf"第(?P<n>{_NUMERAL})条(?:之(?P<s>{_NUMERAL}))?(?:第{_NUMERAL}[款项])*")


def citations_from_text(*, obj, text: str, on: date | None = None):
    """Cite every 《法名》第X条(之Y) in `text` from `obj`.

    Returns (citations, unresolved): the citations made or found, and the references that
    name no known law or no article in force on `on`, as written.
    """
    on = on or timezone.localdate()
    citations: list[Citation] = []
    unresolved: list[str] = []
    for match in _CITED.finditer(text):
        title = match["title"].strip()
        law = law_find(title)
        for ref in _ONE.finditer(match["refs"]):
            written = f"《{title}》{ref.group(0)}"
            try:
                number = chinese_to_int(ref["n"])
                suffix = chinese_to_int(ref["s"]) if ref["s"] else 0
            except ValueError:
                unresolved.append(written)
                continue
            if law is None:
                unresolved.append(written)
                continue
            try:
                citation = citation_add(
                    obj=obj, title=law.title, number=number, suffix=suffix, on=on
                )
            except CitationError:
                unresolved.append(written)
                continue
            if citation not in citations:
                citations.append(citation)
    return citations, unresolved


__all__ = [
    "CitationError",
    "ImportReport",
    "LawImportError",
    "articles_classify",
    "change_confirm",
    "change_repair",
    "citation_add",
    "citation_decide",
    "citation_review",
    "citations_from_text",
    "law_version_import",
    "law_version_import_report",
    "pair_kind",
]
