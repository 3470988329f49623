"""Template helpers of the law registry: the officer notice on a page citing a changed
article, and how the review queue names the objects it lists."""

from django import template
from django.utils import timezone

from ..selectors import citation_notices

register = template.Library()


@register.simple_tag(takes_context=True)
def law_notices(context, obj=None):
    """The changed articles `obj` (the page being shown, by default) cites, for the notice."""
    obj = obj if obj is not None else context.get("page")
    return citation_notices(obj, on=timezone.localdate())


@register.filter
def law_object_kind(obj) -> str:
    """“Question”, “Case”, “Power”: what kind of thing cites the article."""
    if obj is None:
        return ""
    return str(obj._meta.verbose_name).capitalize()


@register.filter
def law_object_url(obj) -> str:
    """Where an officer-facing page can be read (pages only); empty for other objects."""
    url = getattr(obj, "url", None) if obj is not None and hasattr(obj, "get_url") else None
    return url or ""
