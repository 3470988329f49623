"""Which content pages a user may write: Wagtail's page permissions, narrowed to the user's area.

Wagtail grants page permissions by position in the tree: a county's trainers may edit what
lies under their county section. The case library is one flat list, so its cases carry
their county instead. `page_owner_unit` answers for any page whose county decides: the
page's own county (a case), or the county of the section it sits in (a module, a lesson);
pages that belong to no county (the indexes, the handbook, city-wide modules) are the
city's. The admin hooks in `wagtail_hooks.py` refuse edit, delete, copy, move and
unpublish of a page outside the user's area, and `CasePageForm` refuses to save a case
into another county. See docs/admin-scoping.md.
"""

from wagtail.models import Page

from people.models import OrgUnit
from people.policies import holds_city_role
from people.selectors import units_visible_to


def page_owner_unit(page: Page) -> OrgUnit | None:
    """The county a page belongs to, or None for the city's own pages."""
    from .models import CountySectionPage

    specific = page.specific
    county_id = getattr(specific, "county_id", None)
    if county_id is None and getattr(specific, "township_id", None):
        return specific.township.get_parent()
    if county_id is not None:
        return OrgUnit.objects.get(pk=county_id)
    section = (
        CountySectionPage.objects.ancestor_of(page).select_related("county").first()
        if page.depth > 2
        else None
    )
    return section.county if section is not None else None


def user_may_write_page(user, page: Page) -> bool:
    """True when the page lies in the user's area (city pages: city-level roles only)."""
    if holds_city_role(user):
        return True
    owner = page_owner_unit(page)
    if owner is None:
        return False
    return units_visible_to(user).filter(pk=owner.pk).exists()
