"""Wagtail admin wiring of the courses app; each area registers its hooks in its own module."""

from . import hooks_pages, hooks_training  # noqa: F401
