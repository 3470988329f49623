"""Write-side rules of the case library: the search index, reading and completing a case, assignments."""

import datetime
import time

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.services import training_record_create
from people.models import OrgUnit, User
from quizzes.models import Quiz
from quizzes.selectors import quiz_passed

from .models import (
    CaseAssignment,
    CaseCompletion,
    CasePage,
    CaseReading,
    CaseSearchTerm,
)
from .selectors import (
    FACETS_VERSION_KEY,
    case_assignable_units,
    case_document_terms,
    case_is_officer,
)

__all__ = [
    "case_index_update",
    "case_index_remove",
    "case_index_rebuild",
    "case_reading_record",
    "case_study_complete",
    "case_study_quiz_passed",
    "case_assign",
    "case_assignment_withdraw",
]


# ---------------------------------------------------------------------------
# The search index (see cases.search for why it exists)
# ---------------------------------------------------------------------------


@transaction.atomic
def case_index_update(*, page: CasePage) -> int:
    """Rebuild the search terms of one case from its live content; returns how many.

    Called when a case is published. A case that is not live is removed from the index.
    """
    live = (
        CasePage.objects.filter(pk=page.pk, live=True)
        .select_related("field", "county", "township")
        .prefetch_related("powers")
        .first()
    )
    CaseSearchTerm.objects.filter(page_id=page.pk).delete()
    _facets_changed()
    if live is None:
        return 0
    rows = [
        CaseSearchTerm(page_id=live.pk, term=term, weight=weight)
        for term, weight in case_document_terms(page=live).items()
    ]
    CaseSearchTerm.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def case_index_remove(*, page: CasePage) -> None:
    """Take a case out of the search (it was unpublished)."""
    CaseSearchTerm.objects.filter(page_id=page.pk).delete()
    _facets_changed()


def _facets_changed() -> None:
    """The library's filter choices (years, powers with cases) may have changed.

    Bumped now and again after the commit, so that facets cached by a request that read
    the database in between do not outlive the change.
    """
    cache.set(FACETS_VERSION_KEY, time.time_ns(), None)
    transaction.on_commit(lambda: cache.set(FACETS_VERSION_KEY, time.time_ns(), None))


@transaction.atomic
def case_index_rebuild(*, batch_size: int = 5000) -> int:
    """Rebuild the whole index from every live case (after a catalogue rename, or in bulk seeding)."""
    CaseSearchTerm.objects.all().delete()
    total = 0
    cases = (
        CasePage.objects.live()
        .select_related("field", "county", "township")
        .prefetch_related("powers")
        .order_by("pk")
    )
    rows: list[CaseSearchTerm] = []
    for case in cases.iterator(chunk_size=200):
        rows.extend(
            CaseSearchTerm(page_id=case.pk, term=term, weight=weight)
            for term, weight in case_document_terms(page=case).items()
        )
        if len(rows) >= batch_size:
            CaseSearchTerm.objects.bulk_create(rows, batch_size=batch_size)
            total += len(rows)
            rows = []
    CaseSearchTerm.objects.bulk_create(rows, batch_size=batch_size)
    _facets_changed()
    return total + len(rows)


# ---------------------------------------------------------------------------
# Studying a case
# ---------------------------------------------------------------------------


def _live_case(page: CasePage) -> CasePage:
    if not page.live:
        raise ValidationError(_("This case is not published."))
    return page


def case_reading_record(*, officer: User, page: CasePage) -> CaseReading:
    """Record, once, that an officer read a case; completes it if nothing else is needed."""
    _live_case(page)
    if not case_is_officer(user=officer):
        raise ValidationError(_("Only officers record their study of a case."))
    reading, _created = CaseReading.objects.get_or_create(officer=officer, page=page)
    case_study_complete(officer=officer, page=page)
    return reading


@transaction.atomic
def case_study_complete(
    *, officer: User, page: CasePage, on: datetime.date | None = None
) -> CaseCompletion | None:
    """Finish the case for the officer once it is read and its quiz (if any) passed.

    Credits the case's hours through the ledger with `evidence_key="case:<page id>"`, so
    however often this runs (a double click, the quiz signal and a page visit together),
    the hours are credited once. Returns None while something is still missing.
    """
    existing = CaseCompletion.objects.filter(officer=officer, page=page).first()
    if existing is not None:
        return existing
    if not CaseReading.objects.filter(officer=officer, page=page).exists():
        return None
    if page.quiz_id and not quiz_passed(user=officer, quiz=page.quiz):
        return None
    record = None
    if page.study_hours and page.study_hours > 0:
        record = training_record_create(
            officer=officer,
            hours=page.study_hours,
            category=page.hours_category,
            completed_on=on or timezone.localdate(),
            source="online",
            title=_("Case study: %(title)s") % {"title": page.title},
            evidence=page,
            evidence_key=f"case:{page.pk}",
        )
    completion, _created = CaseCompletion.objects.get_or_create(
        officer=officer, page=page, defaults={"training_record": record}
    )
    return completion


def case_study_quiz_passed(*, officer: User, quiz: Quiz) -> list[CaseCompletion]:
    """The officer passed a quiz: finish every case they have read that carries it."""
    completions = []
    for page in CasePage.objects.live().filter(quiz=quiz, readings__officer=officer):
        completion = case_study_complete(officer=officer, page=page)
        if completion is not None:
            completions.append(completion)
    return completions


# ---------------------------------------------------------------------------
# Assignments
# ---------------------------------------------------------------------------


def case_assign(
    *, actor: User, page: CasePage, unit: OrgUnit, due_on: datetime.date | None = None
) -> CaseAssignment:
    """Require a case of a unit the actor oversees; assigning it again returns the same row."""
    _live_case(page)
    if not case_assignable_units(user=actor).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("You cannot assign cases to %(unit)s.") % {"unit": unit})
    existing = CaseAssignment.objects.filter(
        page=page, unit=unit, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return CaseAssignment.objects.create(page=page, unit=unit, assigned_by=actor, due_on=due_on)


def case_assignment_withdraw(*, actor: User, assignment: CaseAssignment) -> CaseAssignment:
    """Stop requiring a case; the assignment stays on record with who withdrew it and when."""
    if not case_assignable_units(user=actor).filter(pk=assignment.unit_id).exists():
        raise PermissionDenied(_("You cannot withdraw this assignment."))
    if assignment.withdrawn_at is None:
        assignment.withdrawn_at = timezone.now()
        assignment.withdrawn_by = actor
        assignment.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return assignment
