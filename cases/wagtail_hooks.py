"""Wagtail hooks of the case library: the personal-data warning in the editor, and home-page panels."""

from django.contrib import messages
from django.utils.translation import gettext as _

from wagtail import hooks

from people.models import Role

from .models import CasePage
from .selectors import (
    CASE_ASSIGNER_ROLES,
    case_personal_data_findings,
    cases_assigned_pending,
)


def warn_personal_data(request, page) -> None:
    """Warn (never block) when a case's text holds an identity or mobile number.

    Cases are published anonymised; a number left in the facts is almost always a slip.
    A warning keeps the editor's work saved and tells them exactly where to look.
    """
    page = getattr(page, "specific", page)
    if not isinstance(page, CasePage):
        return
    findings = case_personal_data_findings(page=page)
    if not findings:
        return
    listed = "; ".join(f"{f.label} {f.masked} ({f.where})" for f in findings[:5])
    messages.warning(
        request,
        _(
            "This case seems to contain personal data: %(found)s. Parties' names, identity "
            "numbers and phone numbers must not appear in a published case; please remove them."
        )
        % {"found": listed},
    )


@hooks.register("after_create_page")
def case_personal_data_after_create(request, page):
    warn_personal_data(request, page)


@hooks.register("after_edit_page")
def case_personal_data_after_edit(request, page):
    warn_personal_data(request, page)


@hooks.register("home_panels")
def assigned_cases_panel(*, request, roles):
    """Officers see the cases required of their unit until they have finished them."""
    if Role.OFFICER not in roles:
        return None
    pending = cases_assigned_pending(officer=request.user)
    if not pending:
        return None
    return {
        "template": "components/cases/assigned_cases_panel.html",
        "context": {"pending": pending},
        "order": 30,
    }


@hooks.register("home_panels")
def case_assignment_panel(*, request, roles):
    """Supervisors get a way to require cases of their units."""
    if not (roles & CASE_ASSIGNER_ROLES or request.user.is_superuser):
        return None
    return {"template": "components/cases/assign_cases_panel.html", "context": {}, "order": 40}


# After the training hooks (order 0), which create a new county's reviewers group.
@hooks.register("after_create_page", order=10)
def case_library_permissions(request, page):
    """A new case library, or a new county (whose reviewers publish cases), gets the library's
    page permissions."""
    from courses.models import CountySectionPage

    from .library_permissions import case_library_permissions_ensure
    from .models import CaseLibraryPage

    specific = page.specific
    if isinstance(specific, CaseLibraryPage):
        case_library_permissions_ensure(specific)
    elif isinstance(specific, CountySectionPage):
        for library in CaseLibraryPage.objects.all():
            case_library_permissions_ensure(library)
