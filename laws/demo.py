"""Demo laws: illustrative texts under demo/laws/, imported by `seed_laws` (idempotent).

The texts are written for the demo in the style of statutes (excerpts, numbered as the
demo's powers cite them); they are not the official texts. The land law has two
versions: the second, in force from 2026-07-01, amends 第二条 and 第七十八条, inserts a
new 第七十五条 (renumbering the old one to 第七十六条), repeals the old 第七十六条 and adds
第七十八条之一. The water law has two as well: the second, in force from 2026-11-01, only
adds 第七十二条之一, so it changes nothing cited and is what the monthly digest of
November 2026 tells the officers who hold water powers. Every other enforcement field of
the demo catalogue has one law.

This app sits at the bottom of the dependency graph, so it does not look for what cites
the laws: `seed_demo` passes the powers, cases and questions with their text, and each
is cited as it stood before the land law changed, so that the review queue, withheld
questions and officer notices have something to show.
"""

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .models import Citation, LawLevel, LawVersion
from .services import citations_from_text, law_version_import

TEXTS = Path(settings.BASE_DIR) / "demo" / "laws"
LAND = "中华人民共和国土地管理法"
LAND_AMENDED_ON = date(2026, 7, 1)
#: Citations are made as of this day, before the land law's second version.
CITED_ON = date(2026, 6, 30)
#: The water law's second version adds 第七十二条之一 and changes nothing cited, so it
#: makes nothing due; it is the change of November 2026 in the officers' monthly digest.
WATER_AMENDED_ON = date(2026, 11, 1)
#: `seed_demo` sends the digest of the month before this day (November 2026).
DIGEST_ON = date(2026, 12, 1)

# (file, title, level, promulgated on, effective on), oldest version of a law first.
VERSIONS = [
    ("land-2020.md", LAND, LawLevel.LAW, date(2019, 8, 26), date(2020, 1, 1)),
    ("land-2026.md", LAND, LawLevel.LAW, date(2026, 3, 1), LAND_AMENDED_ON),
    (
        "air.md",
        "中华人民共和国大气污染防治法",
        LawLevel.LAW,
        date(2018, 10, 26),
        date(2018, 10, 26),
    ),
    (
        "cityscape.md",
        "城市市容和环境卫生管理条例",
        LawLevel.REGULATION,
        date(2017, 3, 1),
        date(2017, 3, 1),
    ),
    ("water.md", "中华人民共和国水法", LawLevel.LAW, date(2016, 7, 2), date(2016, 7, 2)),
    ("water-2026.md", "中华人民共和国水法", LawLevel.LAW, date(2026, 9, 1), WATER_AMENDED_ON),
    (
        "produce.md",
        "中华人民共和国农产品质量安全法",
        LawLevel.LAW,
        date(2022, 9, 2),
        date(2023, 1, 1),
    ),
    ("highway.md", "中华人民共和国公路法", LawLevel.LAW, date(2017, 11, 4), date(2017, 11, 5)),
    ("fire.md", "中华人民共和国消防法", LawLevel.LAW, date(2021, 4, 29), date(2021, 4, 29)),
]


def seed_laws(*, citing: Iterable[tuple[object, str]] = ()) -> list[LawVersion]:
    """Import the demo versions (again changes nothing) and cite from each (obj, text).

    `text` is what the object says of its legal basis (《法名》第X条 …); references to
    laws the demo does not carry are left alone.
    """
    versions = []
    with transaction.atomic():
        for name, title, level, promulgated, effective in VERSIONS:
            versions.append(
                law_version_import(
                    title=title,
                    text=(TEXTS / name).read_text(encoding="utf-8"),
                    promulgated_on=promulgated,
                    effective_on=effective,
                    level=level,
                )
            )
        # An object cited by an earlier run is left as it is: a second run stays fast.
        cited = set(Citation.objects.values_list("content_type_id", "object_id"))
        for obj, text in citing:
            key = (ContentType.objects.get_for_model(obj).pk, obj.pk)
            if text and "《" in text and key not in cited:
                citations_from_text(obj=obj, text=text, on=CITED_ON)
    return versions


__all__ = [
    "CITED_ON",
    "DIGEST_ON",
    "LAND",
    "LAND_AMENDED_ON",
    "VERSIONS",
    "WATER_AMENDED_ON",
    "seed_laws",
]
