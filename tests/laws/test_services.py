"""Importing versions, classifying what changed, citing articles, and reviews."""

import datetime

from django.utils import timezone

import pytest

from laws import selectors, services
from laws.models import (
    AppendOnlyError,
    Article,
    ArticleChange,
    ChangeDecision,
    ChangeKind,
    Citation,
    CitationReview,
    Law,
    LawVersion,
)
from laws.parsing import LawParseError
from powers.factories import PowerFactory

from .conftest import TITLE, V1_EFFECTIVE, V2_EFFECTIVE, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date


def test_import_creates_the_law_its_version_and_articles(sanitation_v1):
    law = Law.objects.get()
    assert (law.title, law.level) == (TITLE, "local_regulation")
    assert sanitation_v1.effective_on == V1_EFFECTIVE
    articles = list(sanitation_v1.articles.order_by("position"))
    assert [a.label for a in articles][:3] == ["第一条", "第二条", "第三条"]
    assert articles[4].chapter == "第二章 责任与处罚"
    assert not ArticleChange.objects.exists()


def test_importing_the_same_version_again_changes_nothing(sanitation_v2):
    before = (
        LawVersion.objects.count(),
        Article.objects.count(),
        list(ArticleChange.objects.values_list("pk", "kind")),
    )
    again = services.law_version_import_report(
        title=TITLE,
        text=text_of("sanitation_2024.md"),
        promulgated_on=D(2024, 5, 10),
        effective_on=V2_EFFECTIVE,
    )
    assert again.version == sanitation_v2
    assert not again.created
    after = (
        LawVersion.objects.count(),
        Article.objects.count(),
        list(ArticleChange.objects.values_list("pk", "kind")),
    )
    assert after == before


def test_same_date_with_other_text_or_an_older_version_is_refused(sanitation_v2):
    count = Article.objects.count()
    with pytest.raises(services.LawImportError, match="already has a version"):
        services.law_version_import(
            title=TITLE,
            text="第一条 别的内容。",
            promulgated_on=D(2024, 5, 10),
            effective_on=V2_EFFECTIVE,
        )
    with pytest.raises(services.LawImportError, match="oldest to the newest"):
        services.law_version_import(
            title=TITLE,
            text="第一条 别的内容。",
            promulgated_on=D(2020, 1, 1),
            effective_on=D(2020, 1, 1),
        )
    with pytest.raises(LawParseError):
        services.law_version_import(
            title=TITLE,
            text="第二条 甲。\n第一条 乙。",
            promulgated_on=D(2025, 1, 1),
            effective_on=D(2025, 1, 1),
        )
    assert Article.objects.count() == count


def _changes(version):
    found = {}
    for change in version.changes.select_related("old_article", "new_article"):
        old = change.old_article.label if change.old_article else None
        new = change.new_article.label if change.new_article else None
        found[(old, new)] = change.kind
    return found


def test_two_versions_are_compared_by_text_not_by_number(sanitation_v2):
    assert _changes(sanitation_v2) == {
        ("第一条", "第一条"): ChangeKind.UNCHANGED,
        ("第二条", "第二条"): ChangeKind.AMENDED,
        ("第三条", None): ChangeKind.REPEALED,
        ("第四条", "第三条"): ChangeKind.RENUMBERED,
        # moved and rewritten, though 第五条 of the new version resembles it a little
        ("第五条", "第四条"): ChangeKind.REPLACED,
        (None, "第四条之一"): ChangeKind.NEW,
        ("第六条", "第五条"): ChangeKind.RENUMBERED,
        ("第七条", "第六条"): ChangeKind.REPLACED,
    }
    assert selectors.change_counts(version=sanitation_v2) == {
        "unchanged": 1,
        "amended": 1,
        "renumbered": 2,
        "replaced": 2,
        "repealed": 1,
        "new": 1,
    }


def test_a_trainer_corrects_a_classification_and_the_decision_is_kept(sanitation_v2, reviewer):
    change = sanitation_v2.changes.get(old_article__number=7)
    services.change_confirm(change=change, actor=reviewer, kind=ChangeKind.AMENDED)
    change.refresh_from_db()
    assert (change.kind, change.confirmed_by) == (ChangeKind.AMENDED, reviewer)
    decision = ChangeDecision.objects.get()
    assert (decision.kind_before, decision.kind_after, decision.actor) == (
        ChangeKind.REPLACED,
        ChangeKind.AMENDED,
        reviewer,
    )
    with pytest.raises(AppendOnlyError):
        decision.save()
    repealed = sanitation_v2.changes.get(kind=ChangeKind.REPEALED)
    with pytest.raises(ValueError, match="cannot be"):
        services.change_confirm(change=repealed, actor=reviewer, kind=ChangeKind.AMENDED)
    assert ChangeDecision.objects.count() == 1


def test_article_in_force_follows_the_dates(sanitation_v2):
    def text_on(day, number, suffix=0):
        article = selectors.article_in_force(title=TITLE, number=number, suffix=suffix, on=day)
        return article and article.text

    assert text_on(D(2019, 5, 31), 1) is None
    assert text_on(V1_EFFECTIVE, 3).startswith("市容环境卫生主管部门")
    assert text_on(D(2024, 8, 31), 3).startswith("市容环境卫生主管部门")
    assert text_on(V2_EFFECTIVE, 3).startswith("任何单位和个人")
    assert text_on(V2_EFFECTIVE, 4, 1).startswith("在农村公路两侧")
    assert text_on(D(2024, 8, 31), 4, 1) is None
    assert selectors.article_in_force(title="示范法", number=1, on=V2_EFFECTIVE) is None
    sanitation_v2.repealed_on = D(2026, 1, 1)
    sanitation_v2.save()
    assert text_on(D(2026, 1, 1), 1) is None


def test_citation_add_cites_the_article_in_force(sanitation_v2):
    power = PowerFactory()
    citation = services.citation_add(obj=power, title=TITLE, number=4, on=D(2020, 1, 1))
    assert citation.article.version.effective_on == V1_EFFECTIVE
    assert citation.obj == power
    assert services.citation_add(obj=power, title=TITLE, number=4, on=D(2020, 1, 1)) == citation
    today = services.citation_add(obj=power, title=TITLE, number=4, suffix=1)
    assert today.article.version == sanitation_v2
    with pytest.raises(services.CitationError, match="has no 第四条之一 in force on 2020-01-01"):
        services.citation_add(obj=power, title=TITLE, number=4, suffix=1, on=D(2020, 1, 1))
    assert Citation.objects.count() == 2


def test_citations_from_text_link_what_resolves_and_report_the_rest(sanitation_v2):
    Law.objects.filter(title=TITLE).update(short_title="环境卫生管理条例")
    power = PowerFactory()
    text = (
        "依据《示范市城乡环境卫生管理条例》第三条、第四条之一第一款，"
        "以及《环境卫生管理条例》第五条；参照《中华人民共和国土地管理法》第七十八条，"
        "《示范市城乡环境卫生管理条例》第九十九条。"
    )
    citations, unresolved = services.citations_from_text(obj=power, text=text, on=V2_EFFECTIVE)
    assert [c.article.label for c in citations] == ["第三条", "第四条之一", "第五条"]
    assert unresolved == [
        "《中华人民共和国土地管理法》第七十八条",
        "《示范市城乡环境卫生管理条例》第九十九条",
    ]


def test_citation_review_is_recorded_and_append_only(sanitation_v1, reviewer):
    citation = services.citation_add(obj=PowerFactory(), title=TITLE, number=2, on=V1_EFFECTIVE)
    review = services.citation_review(
        citation=citation, actor=reviewer, decision="keep", note="仍然适用"
    )
    assert (review.actor, review.decision, review.note) == (reviewer, "keep", "仍然适用")
    with pytest.raises(ValueError, match="keep, update or retire"):
        services.citation_review(citation=citation, actor=reviewer, decision="ignore")
    with pytest.raises(AppendOnlyError):
        review.delete()
    assert CitationReview.objects.count() == 1


def test_citations_due_from_the_day_the_new_version_takes_effect(sanitation_v2, reviewer):
    power = PowerFactory()
    kept = PowerFactory()
    on_v1 = D(2020, 1, 1)
    unchanged = services.citation_add(obj=power, title=TITLE, number=1, on=on_v1)
    amended = services.citation_add(obj=power, title=TITLE, number=2, on=on_v1)
    repealed = services.citation_add(obj=kept, title=TITLE, number=3, on=on_v1)
    renumbered = services.citation_add(obj=kept, title=TITLE, number=4, on=on_v1)
    current = services.citation_add(obj=kept, title=TITLE, number=4, suffix=1, on=V2_EFFECTIVE)

    assert selectors.citations_due(on=V2_EFFECTIVE - datetime.timedelta(days=1)) == []
    due = selectors.citations_due(on=V2_EFFECTIVE)
    assert {item.citation for item in due} == {amended, repealed, renumbered}
    assert unchanged not in {item.citation for item in due}
    assert current not in {item.citation for item in due}
    by_citation = {item.citation: item for item in due}
    item = by_citation[renumbered]
    assert (item.obj, item.kind, item.since) == (kept, ChangeKind.RENUMBERED, V2_EFFECTIVE)
    assert (item.old_article.label, item.new_article.label) == ("第四条", "第三条")
    assert by_citation[repealed].new_article is None
    assert selectors.due_object_ids(model=type(power), on=V2_EFFECTIVE) == {power.pk, kept.pk}

    services.citation_review(citation=amended, actor=reviewer, decision="keep")
    assert selectors.due_object_ids(model=type(power), on=V2_EFFECTIVE) == {kept.pk}
    assert amended not in {item.citation for item in selectors.citations_due(on=V2_EFFECTIVE)}


def test_a_review_before_the_change_takes_effect_does_not_count(sanitation_v1, reviewer):
    power = PowerFactory()
    citation = services.citation_add(obj=power, title=TITLE, number=2, on=V1_EFFECTIVE)
    services.citation_review(citation=citation, actor=reviewer, decision="keep")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    services.law_version_import(
        title=TITLE,
        text=text_of("sanitation_2024.md"),
        promulgated_on=timezone.localdate(),
        effective_on=tomorrow,
    )
    assert selectors.due_object_ids(model=type(power), on=timezone.localdate()) == set()
    assert selectors.due_object_ids(model=type(power), on=tomorrow) == {power.pk}


def test_a_citation_follows_an_unchanged_article_into_later_versions(sanitation_v2, reviewer):
    power = PowerFactory()
    citation = services.citation_add(obj=power, title=TITLE, number=1, on=V1_EFFECTIVE)
    v3 = text_of("sanitation_2024.md").replace(
        "保障人民群众身体健康", "保障人民群众身体健康和生命安全"
    )
    services.law_version_import(
        title=TITLE, text=v3, promulgated_on=D(2026, 1, 1), effective_on=D(2026, 3, 1)
    )
    assert selectors.citations_due(on=D(2026, 2, 28)) == []
    (item,) = selectors.citations_due(on=D(2026, 3, 1))
    assert item.citation == citation
    assert item.kind == ChangeKind.AMENDED
    assert item.old_article.version == sanitation_v2
