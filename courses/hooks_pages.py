"""Admin hooks that keep every content page inside its author's area (see `permissions.py`)."""

from django.core.exceptions import PermissionDenied

from wagtail import hooks

from .permissions import user_may_write_page

PROJECT_PAGE_APPS = {"courses", "cases"}


def _refuse_outside_area(request, page) -> None:
    if request.user.is_superuser or page.specific_class is None:
        return
    if page.specific_class._meta.app_label not in PROJECT_PAGE_APPS:
        return
    if not user_may_write_page(request.user, page):
        raise PermissionDenied


# Each of these hooks is called with (request, page) before its view does anything.
for _hook_name in (
    "before_edit_page",
    "before_delete_page",
    "before_copy_page",
    "before_unpublish_page",
):
    hooks.register(_hook_name, _refuse_outside_area)


@hooks.register("before_move_page")
def move_in_area(request, page, destination):
    _refuse_outside_area(request, page)
    _refuse_outside_area(request, destination)


@hooks.register("before_create_page")
def create_in_area(request, parent_page, page_class):
    # A page whose county is chosen in its own form (a case: `CasePageForm` checks it)
    # may be added under a parent of the whole city, such as the case library.
    if not getattr(page_class, "county_chosen_in_form", False):
        _refuse_outside_area(request, parent_page)
