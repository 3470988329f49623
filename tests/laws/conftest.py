"""Fixtures for the law registry: the two versions of the illustrative sanitation law."""

import datetime
from pathlib import Path

import pytest

TEXTS = Path(__file__).parent / "texts"
TITLE = "示范市城乡环境卫生管理条例"
V1_EFFECTIVE = datetime.date(2019, 6, 1)
V2_EFFECTIVE = datetime.date(2024, 9, 1)


def text_of(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


@pytest.fixture
def sanitation_v1(db):
    from laws.services import law_version_import

    return law_version_import(
        title=TITLE,
        text=text_of("sanitation_2019.md"),
        promulgated_on=datetime.date(2019, 3, 1),
        effective_on=V1_EFFECTIVE,
        level="local_regulation",
    )


@pytest.fixture
def sanitation_v2(sanitation_v1):
    from laws.services import law_version_import

    return law_version_import(
        title=TITLE,
        text=text_of("sanitation_2024.md"),
        promulgated_on=datetime.date(2024, 5, 10),
        effective_on=V2_EFFECTIVE,
        level="local_regulation",
    )


@pytest.fixture
def reviewer(city):
    from people.factories import StaffFactory
    from people.models import Role

    return StaffFactory(role=Role.TRAINER, unit=city["department1"])
