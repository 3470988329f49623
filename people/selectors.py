"""Read-side rules of the people app: who can see which units and officers."""

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from .models import OrgUnit, Role, RoleAssignment, UnitKind, User
from .roles import COUNTY_WIDE_ROLES, SUPERVISORY_ROLES


def officers() -> QuerySet[User]:
    """Every user who holds the officer role somewhere."""
    return User.objects.filter(
        Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), role=Role.OFFICER))
    )


def _scope_roots(user: User) -> tuple[bool, list[OrgUnit]]:
    """(sees everything, the units whose subtrees the user oversees)."""
    if not user.is_authenticated or not user.is_active:
        return False, []
    if user.is_superuser:
        return True, []
    assignments = list(
        RoleAssignment.objects.filter(user=user, role__in=SUPERVISORY_ROLES).select_related("unit")
    )
    roots: list[OrgUnit] = []
    county_prefixes: list[str] = []
    for assignment in assignments:
        unit = assignment.unit
        if assignment.role in COUNTY_WIDE_ROLES and unit.kind not in (
            UnitKind.COUNTY,
            UnitKind.CITY,
        ):
            county_prefixes.extend(unit.ancestor_paths()[:-1])
        else:
            roots.append(unit)
    if county_prefixes:
        roots.extend(OrgUnit.objects.filter(path__in=county_prefixes, kind__in=[UnitKind.COUNTY]))
    return False, roots


def units_visible_to(user: User) -> QuerySet[OrgUnit]:
    """The organisation units a user may see: the subtrees their roles oversee, and their own unit."""
    everything, roots = _scope_roots(user)
    if everything:
        return OrgUnit.objects.all()
    condition = Q(pk__in=[]) if not roots else Q()
    for root in roots:
        condition |= Q(path__startswith=root.path)
    if user.is_authenticated and user.unit_id:
        condition |= Q(pk=user.unit_id)
    return OrgUnit.objects.filter(condition)


def top_area_of(user: User) -> OrgUnit | None:
    """The highest area unit (city, county, township) a user sees: where their dashboard opens.

    Departments, courts and justice bureaus are hosts and sign-off offices, not areas with
    officers of their own, so they are never the answer.
    """
    units = units_visible_to(user).exclude(
        kind__in=[UnitKind.DEPARTMENT, UnitKind.COURT, UnitKind.JUSTICE_BUREAU]
    )
    return units.order_by("depth", "path").first()


def officers_visible_to(user: User) -> QuerySet[User]:
    """Officers a user may see. Every list, export and API about officers starts here.

    A supervisor sees the officers of the subtree they oversee; an officer sees only
    themselves; anyone else sees nobody.
    """
    everything, roots = _scope_roots(user)
    if everything:
        return officers()
    if roots:
        condition = Q()
        for root in roots:
            condition |= Q(unit__path__startswith=root.path)
        return officers().filter(condition)
    if user.is_authenticated:
        return officers().filter(pk=user.pk)
    return User.objects.none()


def user_roles(user: User) -> set[str]:
    """The role codes a user holds anywhere.

    Remembered on the user object, so the header, the home page and a view asking in the
    same request cost one query between them; `role_assign` forgets it.
    """
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_codes", None)
    if cached is None:
        cached = frozenset(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        user._role_codes = cached
    return set(cached)


def unit_county(unit: OrgUnit) -> OrgUnit | None:
    """The county-level unit a unit belongs to (itself if it is one).

    Decided from the unit's path as stored now, not as `unit` holds it: an object loaded
    before the tree changed (a unit moved in the Django admin) may carry an old path, and
    would otherwise be placed in another county. Still one query.
    """
    if unit.kind == UnitKind.COUNTY:
        return unit
    stored_path = OrgUnit.objects.filter(pk=unit.pk).values("path")[:1]
    return (
        OrgUnit.objects.alias(unit_path=Subquery(stored_path))
        .filter(kind=UnitKind.COUNTY, unit_path__startswith=F("path"))
        .first()
    )


def unit_children_summary(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Direct children of a unit, for drill-down lists, in the order of their codes."""
    return unit.get_children().order_by("code")
