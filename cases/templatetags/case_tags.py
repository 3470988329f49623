"""`{% assigned_cases officer %}`: the cases required of an officer that they have not yet
finished, for pages of other apps (My training) that may not import the case library."""

from django import template

from ..selectors import cases_assigned_pending

register = template.Library()


@register.inclusion_tag("components/cases/my_assigned_cases.html")
def assigned_cases(officer) -> dict:
    """Three queries (see `cases_assigned_pending`)."""
    return {"pending": cases_assigned_pending(officer=officer)}
