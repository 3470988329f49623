"""The demo powers catalogue: the 2023 list and the 2025 list that replaces it, built by `seed_demo`."""

from datetime import date

from people.models import OrgUnit

from . import demo_data
from .models import EnforcementField, Power, PowerList, transition_default_end
from .services import power_list_supersede


def _fields() -> dict[str, EnforcementField]:
    fields = {}
    for code, name, order in demo_data.FIELDS:
        field, _created = EnforcementField.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
        fields[code] = field
    return fields


def _list(spec: dict, city: OrgUnit) -> PowerList:
    power_list, _created = PowerList.objects.get_or_create(
        name=spec["name"],
        defaults={
            "document_number": spec["document_number"],
            "applies_to": spec["applies_to"],
            "effective_from": date.fromisoformat(spec["effective_from"]),
            "description": spec["description"],
            "issuer": city,
        },
    )
    return power_list


def _powers(rows, fields, applies_from: date) -> list[Power]:
    powers = []
    for code, name, field_code, law, article, department in rows:
        power, _created = Power.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "field": fields[field_code],
                "legal_basis_law": law,
                "legal_basis_article": article,
                "original_department": department,
                "applies_from": applies_from,
                "transition_ends": transition_default_end(applies_from),
            },
        )
        powers.append(power)
    return powers


def seed_catalogue(*, city: OrgUnit) -> tuple[PowerList, PowerList]:
    fields = _fields()
    list_2023 = _list(demo_data.LIST_2023, city)
    list_2025 = _list(demo_data.LIST_2025, city)
    powers_2023 = _powers(demo_data.POWERS_2023, fields, list_2023.effective_from)
    list_2023.powers.add(*powers_2023)
    new_powers = _powers(demo_data.POWERS_2025_NEW, fields, list_2025.effective_from)
    kept = Power.objects.filter(code__in=demo_data.POWERS_2025_KEPT)
    list_2025.powers.add(*new_powers, *kept)
    power_list_supersede(old=list_2023, new=list_2025, withdraw_on=list_2025.effective_from)
    return list_2023, list_2025


__all__ = ["seed_catalogue"]
