"""Write-side rules about delegated powers: publishing lists, withdrawing powers, importing."""

from datetime import date
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from laws.services import citations_from_text
from people.models import OrgUnit
from people.tabular import ImportReport, TableError, read_rows

from .models import EnforcementField, Power, PowerList


@transaction.atomic
def power_list_create(
    *,
    name: str,
    effective_from: date,
    applies_to: str,
    document_number: str = "",
    issuer: OrgUnit | None = None,
    description: str = "",
) -> PowerList:
    return PowerList.objects.create(
        name=name,
        effective_from=effective_from,
        applies_to=applies_to,
        document_number=document_number,
        issuer=issuer,
        description=description,
    )


@transaction.atomic
def power_create(
    *,
    code: str,
    name: str,
    field: EnforcementField,
    applies_from: date,
    legal_basis_law: str = "",
    legal_basis_article: str = "",
    original_department: str = "",
    transition_ends: date | None = None,
    withdrawn_on: date | None = None,
) -> Power:
    power = Power(
        code=code,
        name=name,
        field=field,
        applies_from=applies_from,
        legal_basis_law=legal_basis_law,
        legal_basis_article=legal_basis_article,
        original_department=original_department,
        transition_ends=transition_ends,
        withdrawn_on=withdrawn_on,
    )
    power.full_clean()
    power.save()
    return power


@transaction.atomic
def power_list_supersede(*, old: PowerList, new: PowerList, withdraw_on: date) -> list[Power]:
    """Withdraw, on `withdraw_on`, every power of `old` that `new` leaves off.

    Powers already withdrawn earlier keep their date. Returns the powers withdrawn.
    """
    kept = set(new.powers.values_list("pk", flat=True))
    withdrawn = []
    for power in old.powers.exclude(pk__in=kept):
        if power.withdrawn_on is None or power.withdrawn_on > withdraw_on:
            if withdraw_on <= power.applies_from:
                raise ValidationError(
                    _("%(power)s cannot be withdrawn before it applies.") % {"power": power}
                )
            power.withdrawn_on = withdraw_on
            power.save(update_fields=["withdrawn_on"])
            withdrawn.append(power)
    return withdrawn


POWER_COLUMNS = {
    "编码": "code",
    "事项编码": "code",
    "code": "code",
    "事项名称": "name",
    "名称": "name",
    "name": "name",
    "领域": "field",
    "执法领域": "field",
    "field": "field",
    "法律依据": "law",
    "依据法律": "law",
    "law": "law",
    "条款": "article",
    "article": "article",
    "原执法部门": "department",
    "original department": "department",
    "department": "department",
    "生效日期": "applies_from",
    "applies from": "applies_from",
    "applies_from": "applies_from",
    "过渡期截止": "transition_ends",
    "transition ends": "transition_ends",
    "transition_ends": "transition_ends",
}


def _parse_date(text: str) -> date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def power_list_import(*, power_list: PowerList, source: IO[bytes], filename: str) -> ImportReport:
    """Fill a list from XLSX/CSV (one power a row). All or nothing; re-import changes nothing.

    A row names the power by code: an existing power is linked (and updated if its
    details changed); a new code creates the power. A new or changed legal basis cites
    the article in force today when the law registry holds it (`laws`).
    """
    report = ImportReport()
    try:
        rows = read_rows(
            source, filename=filename, aliases=POWER_COLUMNS, required=["code", "name", "field"]
        )
    except TableError as error:
        report.add_problem(1, str(error))
        return report
    fields = {f.code: f for f in EnforcementField.objects.all()}
    fields.update({f.name: f for f in fields.copy().values()})
    existing = {p.code: p for p in Power.objects.filter(code__in=[r.get("code") for r in rows])}
    seen: dict[str, int] = {}
    planned = []
    for row in rows:
        before = len(report.problems)
        code, name = row.get("code"), row.get("name")
        if not code:
            report.add_problem(row.number, _("the code is empty"))
        elif code in seen:
            report.add_problem(
                row.number,
                _("code %(code)s already appears on row %(row)s")
                % {"code": code, "row": seen[code]},
            )
        else:
            seen[code] = row.number
        if not name:
            report.add_problem(row.number, _("the name is empty"))
        field = fields.get(row.get("field"))
        if field is None:
            report.add_problem(
                row.number, _("unknown enforcement field “%(field)s”") % {"field": row.get("field")}
            )
        applies_from = (
            _parse_date(row.get("applies_from"))
            if row.get("applies_from")
            else power_list.effective_from
        )
        if applies_from is None:
            report.add_problem(row.number, _("the start date is not a date (YYYY-MM-DD)"))
        transition_ends = None
        if row.get("transition_ends"):
            transition_ends = _parse_date(row.get("transition_ends"))
            if transition_ends is None:
                report.add_problem(row.number, _("the transition end is not a date (YYYY-MM-DD)"))
        if len(report.problems) > before:
            continue
        candidate = existing.get(code) or Power(code=code)
        values = {
            "name": name,
            "field": field,
            "legal_basis_law": row.get("law"),
            "legal_basis_article": row.get("article"),
            "original_department": row.get("department"),
            "applies_from": applies_from,
            "transition_ends": transition_ends,
        }
        changed = (
            [k for k, v in values.items() if getattr(candidate, k, None) != v]
            if candidate.pk
            else list(values)
        )
        for key, value in values.items():
            setattr(candidate, key, value)
        try:
            candidate.full_clean(validate_unique=False)
        except ValidationError as error:
            for messages in error.message_dict.values():
                for message in messages:
                    report.add_problem(row.number, message)
            continue
        planned.append((candidate, changed))
    if report.problems:
        return report
    with transaction.atomic():
        linked = set(power_list.powers.values_list("pk", flat=True))
        for power, changed in planned:
            if power.pk is None:
                power.save()
                report.created += 1
            elif changed:
                power.save(update_fields=changed)
                report.updated += 1
            elif power.pk in linked:
                report.unchanged += 1
            else:
                report.updated += 1
            power_list.powers.add(power)
            if "legal_basis_law" in changed or "legal_basis_article" in changed:
                # Cite the article in force today, when the law registry holds it.
                citations_from_text(obj=power, text=power.citation_text())
    return report
