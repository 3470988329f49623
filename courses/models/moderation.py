"""The moderation task of this site: a group approval that stays inside the reviewer's area.

Wagtail's group approval task lets any member of its groups review any page on it. The
site root's workflow has every county's reviewers in its task (a case or a city-wide page
can come from any county), so a plain group task would show one county's draft to every
county's justice bureau, and let them approve it. `CountyApprovalTask` narrows each check
to pages the reviewer may write (`courses.permissions.user_may_write_page`): a county's
bureau reviews its own county's pages; the city administrators review the rest.
"""

from django.utils.translation import gettext_lazy as _

from wagtail.models import AbstractGroupApprovalTask, Page

__all__ = ["CountyApprovalTask"]


class CountyApprovalTask(AbstractGroupApprovalTask):
    """Approval by a member of the task's groups whose area includes the page."""

    def _in_area(self, obj, user) -> bool:
        from ..permissions import user_may_write_page

        if user.is_superuser or not isinstance(obj, Page):
            return True
        return user_may_write_page(user, obj)

    def user_can_access_editor(self, obj, user):
        return super().user_can_access_editor(obj, user) and self._in_area(obj, user)

    def locked_for_user(self, obj, user):
        return super().locked_for_user(obj, user) or not self._in_area(obj, user)

    def user_can_lock(self, obj, user):
        return super().user_can_lock(obj, user) and self._in_area(obj, user)

    def get_actions(self, obj, user):
        if not self._in_area(obj, user):
            return []
        return super().get_actions(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser or not states.exists():
            return states
        pages = Page.objects.filter(
            pk__in=[int(pk) for pk in states.values_list("workflow_state__object_id", flat=True)]
        )
        allowed = [str(page.pk) for page in pages if self._in_area(page, user)]
        return states.filter(workflow_state__object_id__in=allowed)

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve pages of their own area (county "
            "reviewers their county's pages, the city administrators every page)"
        )

    class Meta:
        verbose_name = _("county approval task")
        verbose_name_plural = _("county approval tasks")
