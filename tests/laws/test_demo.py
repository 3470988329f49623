"""The demo laws: every text parses, the land law's two versions classify as described,
seeding twice changes nothing, and demo citations become due when the land law changes."""

import datetime

import pytest

from laws import demo
from laws.models import ArticleChange, Citation, LawVersion
from laws.parsing import parse_law
from laws.selectors import change_counts, citations_due


@pytest.mark.parametrize("name", [row[0] for row in demo.VERSIONS])
def test_every_demo_text_parses(name):
    articles = parse_law((demo.TEXTS / name).read_text(encoding="utf-8"))
    assert articles and all(article.text for article in articles)


@pytest.mark.django_db
def test_seeding_twice_changes_nothing_and_the_land_law_changes_as_documented(city):
    from powers.factories import PowerFactory

    power = PowerFactory()
    demo.seed_laws(citing=[(power, "依据《土地管理法》第七十八条、第七十六条")])
    counts = (LawVersion.objects.count(), ArticleChange.objects.count(), Citation.objects.count())
    demo.seed_laws(citing=[(power, "依据《土地管理法》第七十八条、第七十六条")])
    assert counts == (
        LawVersion.objects.count(),
        ArticleChange.objects.count(),
        Citation.objects.count(),
    )
    assert counts[0] == len(demo.VERSIONS)
    second = LawVersion.objects.get(law__title=demo.LAND, effective_on=demo.LAND_AMENDED_ON)
    assert change_counts(version=second) == {
        "unchanged": 6,
        "amended": 2,
        "renumbered": 1,
        "replaced": 0,
        "repealed": 1,
        "new": 2,
    }
    assert second.articles.filter(number=78, suffix=1).exists()
    day_before = demo.LAND_AMENDED_ON - datetime.timedelta(days=1)
    assert citations_due(on=day_before) == []
    due = {(d.old_article.label, d.kind) for d in citations_due(on=demo.LAND_AMENDED_ON)}
    assert due == {("第七十八条", "amended"), ("第七十六条", "repealed")}
