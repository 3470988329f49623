"""Read-side rules about delegated powers: what a unit holds on a date, and how lists differ."""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from laws.selectors import repealed_object_ids
from people.models import OrgUnit

from .models import AppliesTo, EnforcementField, Power, PowerList


def _lists_covering(unit: OrgUnit, on: date) -> QuerySet[PowerList]:
    kinds = [AppliesTo.BOTH, unit.kind]
    issuer_ok = Q(issuer__isnull=True) | Q(issuer__path__in=unit.ancestor_paths())
    return PowerList.objects.filter(issuer_ok, applies_to__in=kinds, effective_from__lte=on)


def powers_held(*, unit: OrgUnit, on: date | None = None) -> QuerySet[Power]:
    """Powers a township or sub-district holds on `on` (today by default).

    A power is held when a list that covers the unit is in effect, the list delegates the
    power, and the power has started and has not been withdrawn.
    """
    on = on or timezone.localdate()
    if not unit.is_grassroots:
        return Power.objects.none()
    lists = _lists_covering(unit, on).filter(powers=OuterRef("pk"))
    return (
        Power.objects.in_force_on(on)
        .filter(Exists(lists))
        .select_related("field")
        .order_by("field__sort_order", "code")
    )


def fields_held(*, unit: OrgUnit, on: date | None = None) -> QuerySet[EnforcementField]:
    """Enforcement fields in which the unit holds at least one power on `on`."""
    held = powers_held(unit=unit, on=on)
    return EnforcementField.objects.filter(Exists(held.filter(field=OuterRef("pk"))))


def powers_in_transition(*, unit: OrgUnit, on: date | None = None) -> QuerySet[Power]:
    """Held powers still in their transition period (过渡期) on `on`."""
    on = on or timezone.localdate()
    return powers_held(unit=unit, on=on).filter(
        transition_ends__isnull=False, transition_ends__gte=on
    )


@dataclass(frozen=True)
class ListChanges:
    """How a newer list differs from an older one."""

    added: list[Power]
    withdrawn: list[Power]
    unchanged: list[Power]


def power_list_changes(*, old: PowerList | None, new: PowerList) -> ListChanges:
    """Powers added by `new`, withdrawn (on `old` but not on `new`) and unchanged."""
    new_powers = {p.pk: p for p in new.powers.select_related("field")}
    old_powers = {p.pk: p for p in old.powers.select_related("field")} if old else {}

    def ordered(items):
        return sorted(items, key=lambda p: (p.field.sort_order, p.code))

    return ListChanges(
        added=ordered(p for pk, p in new_powers.items() if pk not in old_powers),
        withdrawn=ordered(p for pk, p in old_powers.items() if pk not in new_powers),
        unchanged=ordered(p for pk, p in new_powers.items() if pk in old_powers),
    )


def power_list_previous(*, power_list: PowerList) -> PowerList | None:
    """The list this one replaced: the latest earlier list from the same issuer."""
    return (
        PowerList.objects.filter(
            issuer=power_list.issuer, effective_from__lt=power_list.effective_from
        )
        .order_by("-effective_from")
        .first()
    )


def power_lists_published() -> QuerySet[PowerList]:
    return PowerList.objects.select_related("issuer").order_by("-effective_from")


def power_list_current(*, unit: OrgUnit, on: date | None = None) -> PowerList | None:
    """The newest list in effect for the unit on `on`."""
    on = on or timezone.localdate()
    return _lists_covering(unit, on).order_by("-effective_from").first()


FIELD_NAMES_CACHE_KEY = "powers:field-names"


def field_names() -> dict[str, str]:
    """Enforcement field code → its name, for showing stored codes to people.

    Fields change a few times a year; the map is cached and dropped when one is saved or
    deleted (`powers.apps`).
    """
    names = cache.get(FIELD_NAMES_CACHE_KEY)
    if names is None:
        names = dict(EnforcementField.objects.values_list("code", "name"))
        cache.set(FIELD_NAMES_CACHE_KEY, names, timeout=3600)
    return names


def field_labels(codes) -> list[str]:
    """The names of these field codes, in order; an unknown code is shown as it is."""
    names = field_names()
    return [names.get(code, code) for code in codes]


def powers_basis_repealed_ids(*, on: date) -> set[int]:
    """Powers whose cited legal basis (法律依据) was repealed by a law version in force on
    `on`, or whose law was repealed: the catalogue flags them (docs/laws.md)."""
    return repealed_object_ids(model=Power, on=on)
