"""Fixtures shared by the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a temporary folder, never into the repository's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city(db):
    from people.factories import city_tree

    return city_tree()
