"""Fixtures shared by the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a temporary folder, never into the repository's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def cache_cleared():
    """Every test starts with an empty cache: what one test cached (header links, role
    lookups, search results) must not leak into the next or change its query counts."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city(db):
    from people.factories import city_tree

    return city_tree()


@pytest.fixture
def english(settings):
    """Run a test in English: for tests that check the wording of a message.

    The interface is Chinese first; these tests pin the English source text, which the
    Chinese catalogue translates.
    """
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
