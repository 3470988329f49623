"""Links to the top-level content pages (training index, case library, handbook) for the site header.

The pages are found by type, not by a hard-coded path, so an editor may move or rename
them; the answer is cached briefly because the header is on every page. A link reads as
its kind of page in the visitor's language ("Training", 培训课程), not the page's title,
which is written once, in Chinese.
"""

from django import template
from django.core.cache import cache
from django.utils.translation import pgettext_lazy

from wagtail.models import Page

register = template.Library()

CACHE_KEY = "courses:nav-pages"
CACHE_SECONDS = 300
NAV_PAGE_TYPES = ("trainingindexpage", "caselibrarypage", "handbookpage")
# The case library is a page type of the `cases` app; it is named here, not imported.
NAV_PAGE_APPS = ("courses", "cases")
NAV_LABELS = {
    "trainingindexpage": pgettext_lazy("navigation", "Training"),
    "caselibrarypage": pgettext_lazy("navigation", "Case library"),
    "handbookpage": pgettext_lazy("navigation", "Handbook"),
}


@register.simple_tag
def content_nav_pages() -> list[tuple[str, str]]:
    """(label, url) of each live top-level content page, in a fixed order."""
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return [(NAV_LABELS[kind], url) for kind, url in cached]
    pages = (
        Page.objects.live()
        .filter(content_type__app_label__in=NAV_PAGE_APPS, content_type__model__in=NAV_PAGE_TYPES)
        .select_related("content_type")
        .order_by("path")
    )
    by_type: dict[str, str] = {}
    for page in pages:
        by_type.setdefault(page.content_type.model, page.url)
    links = [(kind, by_type[kind]) for kind in NAV_PAGE_TYPES if kind in by_type]
    cache.set(CACHE_KEY, links, CACHE_SECONDS)
    return [(NAV_LABELS[kind], url) for kind, url in links]


def content_nav_forget(**kwargs) -> None:
    """Publishing, unpublishing or moving a page may change the header: drop the cached links."""
    cache.delete(CACHE_KEY)
