"""The law registry in the Wagtail admin: the reviewers' home panel, and citations made
from what an editor saves.

A page or snippet that names its legal basis says so with a `citation_text()` method (a
case's legal-basis list, a lesson's article blocks and callouts, a question's text and
explanation). Each save in the editor cites every 《法名》第X条 of that text that the
registry holds in force today, and warns, in one message, of those it could not link. A
citation is kept when the text no longer names it: it is part of the item's history, and
the review queue is where a trainer retires it.
"""

from django.contrib import messages
from django.utils.translation import gettext as _

from wagtail import hooks

from .selectors import REVIEWER_ROLES
from .services import citations_from_text


@hooks.register("home_panels")
def law_review_home_panel(*, request, roles):
    """Trainers and the city administrator: a link to the review queue (no query)."""
    if not (roles & REVIEWER_ROLES or request.user.is_superuser):
        return None
    return {"template": "components/laws/home_review_panel.html", "context": {}, "order": 45}


def citations_from_save(request, obj) -> None:
    """Cite what `obj` names of the registry's laws; warn of references left unlinked."""
    text_of = getattr(obj, "citation_text", None)
    if text_of is None or obj.pk is None:
        return
    _citations, unresolved = citations_from_text(obj=obj, text=text_of())
    if unresolved:
        messages.warning(
            request,
            _(
                "Not linked to the law registry (no such law, or no such article in force "
                "today): %(references)s. Check the title and article number, or import the law."
            )
            % {"references": "、".join(dict.fromkeys(unresolved))},
        )


@hooks.register("after_create_page")
def cite_after_page_create(request, page):
    citations_from_save(request, page.specific)


@hooks.register("after_edit_page")
def cite_after_page_edit(request, page):
    citations_from_save(request, page.specific)


@hooks.register("after_create_snippet")
def cite_after_snippet_create(request, instance):
    citations_from_save(request, instance)


@hooks.register("after_edit_snippet")
def cite_after_snippet_edit(request, instance):
    citations_from_save(request, instance)
