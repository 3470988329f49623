"""Who may write and publish in the case library.

The library is one flat list of cases from every county, so Wagtail's position-based page
permissions are granted on the library itself: trainers add and edit cases; each county's
reviewers (its justice bureau) and the city administrators may also publish, which is what
approving a case in the moderation workflow does. The admin hooks and the case form keep
each of them to cases of their own county (`courses.permissions`), and the moderation task
(`CountyApprovalTask`) gives a county's bureau only its own county's cases to review.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from wagtail.models import GroupPagePermission, Page

from people.models import Role
from people.roles import group_name

__all__ = ["case_library_permissions_ensure"]

AUTHOR_PERMISSIONS = ("add_page", "change_page")
REVIEWER_PERMISSIONS = ("add_page", "change_page", "publish_page")


def _grant(group: Group, page: Page, codenames: tuple[str, ...]) -> None:
    for codename in codenames:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename
        )
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


@transaction.atomic
def case_library_permissions_ensure(library: Page) -> None:
    """Grant the library's page permissions to trainers, county reviewers and the city. Idempotent."""
    trainers = Group.objects.filter(name=group_name(Role.TRAINER)).first()
    if trainers is not None:
        _grant(trainers, library, AUTHOR_PERMISSIONS)
    reviewers = Group.objects.filter(name__startswith="county:", name__endswith=":reviewers")
    city_admins = Group.objects.filter(name=group_name(Role.CITY_ADMIN))
    for group in [*reviewers, *city_admins]:
        _grant(group, library, REVIEWER_PERMISSIONS)
