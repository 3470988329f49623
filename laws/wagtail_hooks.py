"""The law registry on the home page: reviewers get a link to the citations to review."""

from wagtail import hooks

from .selectors import REVIEWER_ROLES


@hooks.register("home_panels")
def law_review_home_panel(*, request, roles):
    """Trainers and the city administrator: a link to the review queue (no query)."""
    if not (roles & REVIEWER_ROLES or request.user.is_superuser):
        return None
    return {"template": "components/laws/home_review_panel.html", "context": {}, "order": 45}
