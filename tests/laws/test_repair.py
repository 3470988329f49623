"""A reviewer corrects the import's matching: an old article is matched with another new
article (or with none), partners swap, kinds follow from the texts, every decision is
recorded, and each article of both versions stays in exactly one change."""

from collections import Counter

from django.urls import reverse

import pytest

from laws.models import ArticleChange, ChangeDecision, ChangeKind
from laws.services import change_repair, pair_kind
from people.factories import OfficerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _whole(version) -> None:
    """Every article of the new version and of the one before is in exactly one change."""
    changes = ArticleChange.objects.filter(new_version=version)
    old = Counter(c.old_article_id for c in changes if c.old_article_id)
    new = Counter(c.new_article_id for c in changes if c.new_article_id)
    previous = version.law.versions.exclude(pk=version.pk).get()
    assert old == Counter(previous.articles.values_list("pk", flat=True))
    assert new == Counter(version.articles.values_list("pk", flat=True))
    for change in changes:
        if change.old_article_id and change.new_article_id:
            assert change.kind == pair_kind(change.old_article, change.new_article)[0]


def test_matching_an_article_with_another_swaps_partners_and_records_both(sanitation_v2, reviewer):
    pairs = list(
        ArticleChange.objects.filter(
            new_version=sanitation_v2, old_article__isnull=False, new_article__isnull=False
        ).order_by("pk")
    )
    first, second = pairs[0], pairs[1]
    x, y = first.new_article, second.new_article

    change_repair(change=first, actor=reviewer, new_article=y)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.new_article, second.new_article) == (y, x)
    assert first.kind == pair_kind(first.old_article, y)[0]
    decisions = [d for d in ChangeDecision.objects.all() if d.repaired]
    assert {(d.change_id, d.paired_before, d.paired_after, d.actor) for d in decisions} == {
        (first.pk, x, y, reviewer),
        (second.pk, y, x, reviewer),
    }
    assert first.confirmed_by == reviewer
    _whole(sanitation_v2)


def test_matching_with_none_repeals_and_the_article_left_becomes_new_then_is_taken_back(
    sanitation_v2, reviewer
):
    change = ArticleChange.objects.filter(
        new_version=sanitation_v2, old_article__isnull=False, new_article__isnull=False
    ).first()
    partner = change.new_article
    change_repair(change=change, actor=reviewer, new_article=None)
    change.refresh_from_db()
    assert change.kind == ChangeKind.REPEALED and change.new_article is None
    orphan = ArticleChange.objects.get(new_version=sanitation_v2, new_article=partner)
    assert orphan.kind == ChangeKind.NEW and orphan.old_article is None
    _whole(sanitation_v2)

    change_repair(change=change, actor=reviewer, new_article=partner)
    assert not ArticleChange.objects.filter(pk=orphan.pk).exists()
    change.refresh_from_db()
    assert change.new_article == partner
    _whole(sanitation_v2)


def test_a_matching_that_changes_nothing_or_leaves_the_version_is_refused(
    sanitation_v1, sanitation_v2, reviewer
):
    change = ArticleChange.objects.filter(
        new_version=sanitation_v2, old_article__isnull=False, new_article__isnull=False
    ).first()
    with pytest.raises(ValueError, match="already"):
        change_repair(change=change, actor=reviewer, new_article=change.new_article)
    with pytest.raises(ValueError):
        change_repair(change=change, actor=reviewer, new_article=sanitation_v1.articles.first())
    new_only = ArticleChange.objects.filter(new_version=sanitation_v2, old_article__isnull=True)
    if new_only.exists():
        with pytest.raises(ValueError):
            change_repair(change=new_only.first(), actor=reviewer, new_article=None)
    assert not ChangeDecision.objects.exists()


def test_only_a_reviewer_posts_a_matching_and_a_foreign_article_is_refused(
    client, sanitation_v1, sanitation_v2, reviewer, city
):
    change = ArticleChange.objects.filter(
        new_version=sanitation_v2, old_article__isnull=False, new_article__isnull=False
    ).first()
    url = reverse("laws:change_pair", args=[change.pk])
    client.force_login(OfficerFactory(unit=city["township11"]))
    assert client.post(url, {"article": ""}).status_code == 403
    page = client.get(reverse("laws:change", args=[change.pk])).content.decode()
    assert url not in page

    client.force_login(reviewer)
    assert url in client.get(reverse("laws:change", args=[change.pk])).content.decode()
    foreign = sanitation_v1.articles.first()
    response = client.post(url, {"article": str(foreign.pk)}, follow=True)
    assert response.status_code == 200
    change.refresh_from_db()
    assert change.new_article_id != foreign.pk and not ChangeDecision.objects.exists()
    assert client.post(url, {"article": ""}).status_code == 302
    change.refresh_from_db()
    assert change.kind == ChangeKind.REPEALED
    assert ChangeDecision.objects.get(change=change).actor == reviewer
