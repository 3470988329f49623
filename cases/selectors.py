"""Read-side rules of the case library: searching and filtering, personal-data checks, study and assignments."""

import datetime
import html
import math
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from wagtail.models import Page, Site

from people.models import OrgUnit, Role, RoleAssignment, UnitKind, User
from people.selectors import officers_visible_to
from powers.models import AppliesTo, EnforcementField, Power, PowerList
from quizzes.selectors import quiz_passed, quizzes_passed

from .models import (
    CaseAssignment,
    CaseCompletion,
    CaseOutcome,
    CasePage,
    CaseReading,
    CaseSearchTerm,
)
from .search import (
    SearchQuery,
    document_terms,
    query_parse,
    text_highlight,
    text_normalise,
    text_snippet,
)

__all__ = [
    "AssignmentRoster",
    "case_assignment_rosters",
    "PersonalDataFinding",
    "personal_data_findings",
    "case_personal_data_findings",
    "case_text_parts",
    "case_document_terms",
    "site_root_page",
    "powers_held_by_townships",
    "CaseFacets",
    "case_library_facets",
    "FACETS_VERSION_KEY",
    "CaseHit",
    "CaseResults",
    "case_library_results",
    "CaseStudyStatus",
    "case_study_status",
    "case_is_officer",
    "cases_assigned_pending",
    "CASE_ASSIGNER_ROLES",
    "case_assignable_units",
    "case_assignments_visible_to",
]

# ---------------------------------------------------------------------------
# Personal data: the editor is warned, never blocked (see cases/wagtail_hooks.py).
# ---------------------------------------------------------------------------

# Resident identity number (GB 11643): 6-digit area, birth date 18xx–20xx, 3-digit
# sequence, check digit or X. Checked for shape and a plausible date, not the checksum:
# a mistyped real number is still personal data.
_ID_NUMBER_RE = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9x](?![0-9])"
)
# Mainland mobile number, also written 138 1234 5678 or 138-1234-5678.
_MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")


@dataclass(frozen=True)
class PersonalDataFinding:
    kind: str  # "id_number" or "mobile"
    masked: str  # safe to show: the middle digits starred
    where: str = ""  # the part of the case it was found in

    @property
    def label(self) -> str:
        from django.utils.translation import gettext

        return gettext("identity number") if self.kind == "id_number" else gettext("mobile number")


def _mask(value: str) -> str:
    digits = re.sub(r"[ -]", "", value)
    keep = 3 if len(digits) <= 11 else 4
    return f"{digits[:keep]}{'*' * (len(digits) - keep - 4)}{digits[-4:]}"


def personal_data_findings(text: str) -> list[PersonalDataFinding]:
    """18-digit identity numbers and 11-digit mobile numbers in `text` (full-width digits too)."""
    if not text:
        return []
    normal = text_normalise(text)
    findings = [
        PersonalDataFinding("id_number", _mask(m.group().upper()))
        for m in _ID_NUMBER_RE.finditer(normal)
    ]
    findings += [
        PersonalDataFinding("mobile", _mask(m.group())) for m in _MOBILE_RE.finditer(normal)
    ]
    return findings


def _plain(rich_text: str) -> str:
    return html.unescape(strip_tags(rich_text or ""))


def case_text_parts(page: CasePage, *, with_relations: bool = True) -> list[tuple[str, str, int]]:
    """The readable text of a case, part by part: (part name, text, search weight).

    `with_relations` adds the powers, field and place names (one query each unless
    prefetched); the personal-data check leaves them out, they are catalogue data.
    """
    parts = [
        ("title", page.title, 8),
        ("case_number", page.case_number, 4),
        ("facts", _plain(page.facts), 1),
        ("legal_questions", _plain(page.legal_questions), 2),
        ("decision", _plain(page.decision), 1),
        ("penalty", page.penalty, 2),
        ("review_outcome", _plain(page.review_outcome), 1),
    ]
    for block in page.legal_basis:
        value = block.value
        parts.append(
            (
                "legal_basis",
                " ".join([value["law"], value["article"] or "", value["quote"] or ""]),
                1,
            )
        )
    for block in page.procedure:
        parts.append(("procedure", str(block.block.label) + " " + (block.value["note"] or ""), 1))
    for block in page.evidence:
        parts.append(("evidence", block.value["description"] or "", 1))
    for block in page.lessons:
        parts.append(("lessons", str(block.value or ""), 2))
    for block in page.document_templates.raw_data:
        parts.append(("document_templates", (block.get("value") or {}).get("note") or "", 1))
    if with_relations:
        parts.extend(("powers", power.name, 4) for power in page.powers.all())
        if page.field_id:
            parts.append(("field", page.field.name, 2))
        if page.county_id:
            parts.append(("county", page.county.name, 1))
        if page.township_id:
            parts.append(("township", page.township.name, 1))
    return [part for part in parts if part[1]]


def case_personal_data_findings(*, page: CasePage) -> list[PersonalDataFinding]:
    """Identity and mobile numbers anywhere in the case's own text, with the part they are in."""
    findings = []
    for name, text, _weight in case_text_parts(page, with_relations=False):
        label = str(page._meta.get_field(name).verbose_name) if name != "title" else "title"
        findings.extend(
            PersonalDataFinding(f.kind, f.masked, label) for f in personal_data_findings(text)
        )
    return findings


def case_document_terms(*, page: CasePage) -> dict[str, int]:
    """The weighted search terms of a case (see `cases.search`)."""
    return document_terms((text, weight) for _name, text, weight in case_text_parts(page))


# ---------------------------------------------------------------------------
# The library: filters and search
# ---------------------------------------------------------------------------


def site_root_page() -> Page:
    """The default site's root page (a plain Wagtail page at depth 2): the library's parent."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page
    return Page.objects.filter(depth=2).first()


def powers_held_by_townships(*, on: datetime.date | None = None) -> QuerySet[Power]:
    """Powers in force on `on` that a list in effect delegates to townships."""
    on = on or timezone.localdate()
    lists = PowerList.objects.filter(
        powers=OuterRef("pk"),
        applies_to__in=[AppliesTo.TOWNSHIPS, AppliesTo.BOTH],
        effective_from__lte=on,
    )
    return Power.objects.in_force_on(on).filter(Exists(lists))


@dataclass
class CaseFacets:
    fields: list[EnforcementField]
    powers: list[Power]
    counties: list[OrgUnit]
    years: list[int]
    outcomes: list[tuple[str, str]] = field(default_factory=lambda: list(CaseOutcome.choices))


#: Bumped (by `cases.services`) whenever a case is published or unpublished.
FACETS_VERSION_KEY = "cases:facets:version"
FACETS_TIMEOUT = 600


def case_library_facets(*, on: datetime.date | None = None) -> CaseFacets:
    """What the filters offer: every field and county, the powers and years that have cases.

    Cached (they change only when a case is published or the catalogue changes), for at
    most ten minutes and until the next publication.
    """
    on = on or timezone.localdate()
    version = cache.get(FACETS_VERSION_KEY, 0)
    key = f"cases:facets:{version}:{on.isoformat()}"
    facets = cache.get(key)
    if facets is None:
        facets = _facets(on)
        cache.set(key, facets, FACETS_TIMEOUT)
    return facets


def _facets(on: datetime.date) -> CaseFacets:
    powers = list(
        Power.objects.filter(
            Exists(
                CasePage.powers.through.objects.filter(power=OuterRef("pk"), casepage__live=True)
            )
        ).order_by("field__sort_order", "code")
    )
    for power in powers:
        power.withdrawn = power.withdrawn_on is not None and power.withdrawn_on <= on
    return CaseFacets(
        fields=list(EnforcementField.objects.all()),
        powers=powers,
        counties=list(OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("code")),
        years=[d.year for d in CasePage.objects.live().dates("decided_on", "year", order="DESC")],
    )


@dataclass
class CaseHit:
    """One case in the results, with its title and an excerpt highlighted for the query."""

    page: CasePage
    score: int | None
    title_html: SafeString
    snippet_html: SafeString
    withdrawn_powers: list[Power]


@dataclass
class CaseResults:
    query: SearchQuery
    hits: list[CaseHit]
    total: int
    page: PaginatorPage
    near: bool = False  # no case matched every term; these match most of them

    @property
    def searched(self) -> bool:
        return bool(self.query)


def _filtered_cases(
    *, field, power, outcome, county, year, held, on, library
) -> tuple[QuerySet[CasePage], bool]:
    cases = CasePage.objects.live()
    filtered = False
    if library is not None:
        cases = cases.child_of(library)
    if field:
        cases, filtered = cases.filter(field__code=field), True
    if power:
        cases, filtered = cases.filter(powers__code=power), True
    if outcome:
        cases, filtered = cases.filter(outcome=outcome), True
    if county:
        cases, filtered = cases.filter(county__code=county), True
    if year:
        cases = cases.filter(
            decided_on__gte=datetime.date(year, 1, 1), decided_on__lt=datetime.date(year + 1, 1, 1)
        )
        filtered = True
    if held:
        # An uncorrelated IN over the link table: evaluated once, not once per case.
        held_powers = powers_held_by_townships(on=on).values("pk")
        linked = CasePage.powers.through.objects.filter(power_id__in=held_powers)
        cases = cases.filter(pk__in=linked.values("casepage_id"))
        filtered = True
    return cases, filtered


def _ranked(
    terms: list[str], cases: QuerySet[CasePage] | None
) -> tuple[list[tuple[int, int]], bool]:
    """(page id, score) best first: the cases holding every term, else those holding most ("near").

    One grouped scan of the index: each case's matched-term count and summed weight.
    """
    rows = CaseSearchTerm.objects.filter(term__in=terms)
    if cases is not None:
        rows = rows.filter(page__in=cases.values("pk"))
    least = len(terms) if len(terms) < 2 else math.ceil(len(terms) * 0.5)
    grouped = (
        rows.values("page_id")
        .annotate(hits=Count("pk"), score=Sum("weight"))
        .filter(hits__gte=least)
        .order_by("-hits", "-score", "-page_id")
        .values_list("page_id", "hits", "score")
    )
    found = list(grouped)
    strict = [(pk, score) for pk, hits, score in found if hits == len(terms)]
    if strict:
        return strict, False
    return [(pk, score) for pk, _hits, score in found], bool(found)


#: What a result card never shows: left out of the listing query (StreamField JSON is costly).
_LISTING_DEFERRED = [
    "legal_basis",
    "procedure",
    "evidence",
    "document_templates",
    "related_modules",
    "review_outcome",
]


def _listing(cases: QuerySet[CasePage]) -> QuerySet[CasePage]:
    return (
        cases.select_related("field", "county", "township")
        .prefetch_related("powers")
        .defer(*_LISTING_DEFERRED)
    )


def _withdrawn(page: CasePage, on: datetime.date) -> list[Power]:
    return [p for p in page.powers.all() if p.withdrawn_on is not None and p.withdrawn_on <= on]


def case_library_results(
    *,
    query: str = "",
    field: str | None = None,
    power: str | None = None,
    outcome: str | None = None,
    county: str | None = None,
    year: int | None = None,
    held: bool = False,
    page_number=1,
    per_page: int = 20,
    on: datetime.date | None = None,
    library=None,
) -> CaseResults:
    """Cases matching the filters and the query, best matches first (newest first with no query).

    Runs a fixed number of queries whatever the result size: the ranking (or a count), and
    the cases of the requested page with their powers.
    """
    on = on or timezone.localdate()
    parsed = query_parse(query)
    cases, filtered = _filtered_cases(
        field=field,
        power=power,
        outcome=outcome,
        county=county,
        year=year,
        held=held,
        on=on,
        library=library,
    )
    near = False
    scores: dict[int, int] = {}
    if parsed:
        ranked, near = _ranked(parsed.terms, cases if filtered else None)
        paginator = Paginator(ranked, per_page)
        page = paginator.get_page(page_number)
        scores = dict(page.object_list)
        by_id = _listing(CasePage.objects.filter(pk__in=list(scores))).in_bulk()
        ordered = [by_id[pk] for pk, _score in page.object_list if pk in by_id]
    else:
        paginator = Paginator(_listing(cases).order_by("-decided_on", "-pk"), per_page)
        page = paginator.get_page(page_number)
        ordered = list(page.object_list)
    hits = [
        CaseHit(
            page=case,
            score=scores.get(case.pk),
            title_html=text_highlight(case.title, parsed),
            snippet_html=_snippet(case, parsed),
            withdrawn_powers=_withdrawn(case, on),
        )
        for case in ordered
    ]
    return CaseResults(query=parsed, hits=hits, total=paginator.count, page=page, near=near)


def _snippet(page: CasePage, query: SearchQuery) -> SafeString:
    """An excerpt from the first part of the case that holds a match (the facts if none does)."""
    facts = _plain(page.facts)
    if query:
        normal_words = query.words
        for text in [facts, page.penalty, _plain(page.legal_questions), _plain(page.decision)]:
            normal = text_normalise(text)
            if any(word in normal for word in normal_words):
                return text_snippet(text, query)
        for block in page.lessons:
            text = str(block.value or "")
            if any(word in text_normalise(text) for word in normal_words):
                return text_snippet(text, query)
    return text_snippet(facts, query)


# ---------------------------------------------------------------------------
# Studying a case
# ---------------------------------------------------------------------------


def case_is_officer(*, user: User) -> bool:
    """Only officers study cases for hours."""
    return (
        user.is_authenticated
        and RoleAssignment.objects.filter(user=user, role=Role.OFFICER).exists()
    )


@dataclass(frozen=True)
class CaseStudyStatus:
    is_officer: bool
    read: bool = False
    quiz_passed: bool | None = None  # None: the case has no quiz
    completion: CaseCompletion | None = None

    @property
    def completed(self) -> bool:
        return self.completion is not None

    @property
    def waiting_for_quiz(self) -> bool:
        return self.read and self.quiz_passed is False


def case_study_status(*, officer: User, page: CasePage) -> CaseStudyStatus:
    if not case_is_officer(user=officer):
        return CaseStudyStatus(is_officer=False)
    completion = (
        CaseCompletion.objects.filter(officer=officer, page=page)
        .select_related("training_record")
        .first()
    )
    if completion is not None:
        return CaseStudyStatus(
            is_officer=True,
            read=True,
            quiz_passed=True if page.quiz_id else None,
            completion=completion,
        )
    read = CaseReading.objects.filter(officer=officer, page=page).exists()
    passed = quiz_passed(user=officer, quiz=page.quiz) if page.quiz_id else None
    return CaseStudyStatus(is_officer=True, read=read, quiz_passed=passed)


@dataclass(frozen=True)
class PendingCase:
    page: CasePage
    due_on: datetime.date | None
    assigned_by: str
    read: bool
    quiz_passed: bool | None


def cases_assigned_pending(*, officer: User) -> list[PendingCase]:
    """Cases required of the officer's unit (or a unit above it) that they have not finished.

    Three queries: the assignments, the officer's readings, and their passed quizzes.
    """
    if officer.unit_id is None:
        return []
    unit = officer.unit
    assignments = (
        CaseAssignment.objects.filter(
            unit__path__in=unit.ancestor_paths(), withdrawn_at__isnull=True, page__live=True
        )
        .exclude(page__completions__officer=officer)
        .select_related("page__quiz", "assigned_by")
        .order_by(F("due_on").asc(nulls_last=True), "-assigned_at")
    )
    by_page: dict[int, CaseAssignment] = {}
    for assignment in assignments:
        by_page.setdefault(assignment.page_id, assignment)
    if not by_page:
        return []
    read = set(
        CaseReading.objects.filter(officer=officer, page_id__in=list(by_page)).values_list(
            "page_id", flat=True
        )
    )
    quizzes = [a.page.quiz for a in by_page.values() if a.page.quiz_id]
    passed = quizzes_passed(user=officer, quizzes=quizzes) if quizzes else set()
    return [
        PendingCase(
            page=a.page,
            due_on=a.due_on,
            assigned_by=a.assigned_by.get_full_name(),
            read=a.page_id in read,
            quiz_passed=(a.page.quiz_id in passed) if a.page.quiz_id else None,
        )
        for a in by_page.values()
    ]


# ---------------------------------------------------------------------------
# Assigning cases
# ---------------------------------------------------------------------------

#: Who may require cases of a unit: the township supervision office (its township), the
#: county justice bureau (its county), the city administrator (the city).
CASE_ASSIGNER_ROLES = {Role.TOWNSHIP_SUPERVISOR, Role.JUSTICE_BUREAU, Role.CITY_ADMIN}
ASSIGNABLE_KINDS = [UnitKind.CITY, UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.SUBDISTRICT]


def _assigner_root_paths(user: User) -> list[str] | None:
    """Paths of the subtrees the user assigns to; None: everything (superuser)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    paths = []
    for assignment in RoleAssignment.objects.filter(
        user=user, role__in=CASE_ASSIGNER_ROLES
    ).select_related("unit"):
        unit = assignment.unit
        if unit.kind in (UnitKind.DEPARTMENT, UnitKind.JUSTICE_BUREAU, UnitKind.COURT):
            paths.append(unit.path[: -unit.steplen])  # the county it hangs under
        else:
            paths.append(unit.path)
    return paths


def case_assignable_units(*, user: User) -> QuerySet[OrgUnit]:
    """The units a user may require cases of: city, counties, townships in their scope."""
    paths = _assigner_root_paths(user)
    units = OrgUnit.objects.filter(kind__in=ASSIGNABLE_KINDS)
    if paths is None:
        return units
    if not paths:
        return units.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition)


def case_assignments_visible_to(*, user: User) -> QuerySet[CaseAssignment]:
    """Active assignments in the user's scope, or above it, with progress among the officers
    the user may see: `officer_count` under the unit, `done_count` of them finished."""
    paths = _assigner_root_paths(user)
    assignments = CaseAssignment.objects.filter(withdrawn_at__isnull=True)
    if paths is not None:
        if not paths:
            return assignments.none()
        condition = Q()
        for path in paths:
            condition |= Q(unit__path__startswith=path)
            depth_paths = [path[:i] for i in range(OrgUnit.steplen, len(path), OrgUnit.steplen)]
            condition |= Q(unit__path__in=depth_paths)
        assignments = assignments.filter(condition)
    visible = officers_visible_to(user)
    under = visible.filter(unit__path__startswith=OuterRef("unit__path"))
    officer_count = under.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    done = CaseCompletion.objects.filter(
        page=OuterRef("page"),
        officer__unit__path__startswith=OuterRef("unit__path"),
        officer__in=visible.values("pk"),
    )
    done_count = done.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return assignments.select_related("page", "unit", "assigned_by").annotate(
        officer_count=Subquery(officer_count), done_count=Subquery(done_count)
    )


#: At most this many names in each half of an assignment's roster; the rest are counted.
ROSTER_LIMIT = 100


@dataclass
class AssignmentRoster:
    """Who has studied a required case and who has not, among the officers the viewer sees."""

    done: list = field(default_factory=list)
    pending: list = field(default_factory=list)  # (officer, has opened the case)
    more_done: int = 0
    more_pending: int = 0


def case_assignment_rosters(*, user: User, assignments) -> dict[int, AssignmentRoster]:
    """For each assignment, the officers under its unit that the user may see, split into
    those who studied the case and those who have not (marked if they opened it). The same
    officers as the assignment's `officer_count`/`done_count`; three queries in all."""
    assignments = list(assignments)
    if not assignments:
        return {}
    condition = Q()
    for assignment in assignments:
        condition |= Q(unit__path__startswith=assignment.unit.path)
    officers = list(
        officers_visible_to(user)
        .filter(condition)
        .select_related("unit")
        .order_by("unit__path", "full_name", "pk")
    )
    ids = [officer.pk for officer in officers]
    pages = {assignment.page_id for assignment in assignments}
    done = set(
        CaseCompletion.objects.filter(page_id__in=pages, officer_id__in=ids).values_list(
            "page_id", "officer_id"
        )
    )
    opened = set(
        CaseReading.objects.filter(page_id__in=pages, officer_id__in=ids).values_list(
            "page_id", "officer_id"
        )
    )
    rosters = {}
    for assignment in assignments:
        roster = AssignmentRoster()
        for officer in officers:
            if officer.unit is None or not officer.unit.path.startswith(assignment.unit.path):
                continue
            key = (assignment.page_id, officer.pk)
            if key in done:
                if len(roster.done) < ROSTER_LIMIT:
                    roster.done.append(officer)
                else:
                    roster.more_done += 1
            elif len(roster.pending) < ROSTER_LIMIT:
                roster.pending.append((officer, key in opened))
            else:
                roster.more_pending += 1
        rosters[assignment.pk] = roster
    return rosters
