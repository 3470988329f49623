"""Template filters of the powers app."""

from django import template
from django.utils.translation import get_language

from ..selectors import field_labels as _field_labels

register = template.Library()


@register.filter
def field_labels(codes) -> str:
    """Enforcement field codes as their names, listed the way the page's language lists."""
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    if isinstance(codes, set | frozenset):
        codes = sorted(codes)
    return separator.join(_field_labels(codes or []))
