"""The demo powers catalogue, read from demo/powers/ by `seed_catalogue` (idempotent).

`lists.csv` describes each list the city issued (one row a list, naming its powers file);
each powers file is imported into its list by the product's own importer,
`power_list_import`, exactly as a city office would upload it. The 2025 list then
supersedes the 2023 one: powers it does not repeat are withdrawn from its effective date.
"""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from people.demo import DemoDataError
from people.models import OrgUnit
from people.tabular import read_rows

from .models import STANDARD_FIELDS, AppliesTo, EnforcementField, PowerList
from .services import power_list_import, power_list_supersede

#: The demo's data files (demo/powers/).
DATA = Path(settings.BASE_DIR) / "demo" / "powers"

#: 适用范围 as lists.csv writes it → whom the list delegates to.
APPLIES_TO = {
    "乡镇": AppliesTo.TOWNSHIPS,
    "街道": AppliesTo.SUBDISTRICTS,
    "乡镇和街道": AppliesTo.BOTH,
}
LIST_COLUMNS = {
    "文件": "file",
    "清单名称": "name",
    "文号": "document_number",
    "适用范围": "applies_to",
    "生效日期": "effective_from",
    "说明": "description",
}


def _fields() -> None:
    for order, (code, name) in enumerate(STANDARD_FIELDS, start=1):
        EnforcementField.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )


def _list(row, city: OrgUnit) -> PowerList:
    where = f"demo/powers/lists.csv, row {row.number}"
    applies_to = APPLIES_TO.get(row.get("applies_to"))
    if applies_to is None:
        raise DemoDataError(f"{where}: unknown 适用范围 “{row.get('applies_to')}”")
    try:
        effective_from = date.fromisoformat(row.get("effective_from"))
    except ValueError as error:
        raise DemoDataError(f"{where}: 生效日期 is not a date (YYYY-MM-DD)") from error
    power_list, _created = PowerList.objects.get_or_create(
        name=row.get("name"),
        defaults={
            "document_number": row.get("document_number"),
            "applies_to": applies_to,
            "effective_from": effective_from,
            "description": row.get("description"),
            "issuer": city,
        },
    )
    path = DATA / row.get("file")
    with path.open("rb") as source:
        report = power_list_import(power_list=power_list, source=source, filename=path.name)
    if not report.ok:
        problems = "; ".join(str(problem) for problem in report.problems)
        raise DemoDataError(f"demo/powers/{path.name}: {problems}")
    return power_list


@transaction.atomic
def seed_catalogue(*, city: OrgUnit) -> list[PowerList]:
    """The fields, then each list of lists.csv in order; each later list supersedes the one
    before it. Returns the lists, oldest first."""
    _fields()
    path = DATA / "lists.csv"
    rows = read_rows(
        path, filename=path.name, aliases=LIST_COLUMNS, required=list(LIST_COLUMNS.values())
    )
    lists = [_list(row, city) for row in rows]
    for old, new in zip(lists, lists[1:], strict=False):
        power_list_supersede(old=old, new=new, withdraw_on=new.effective_from)
    return lists


__all__ = ["DATA", "seed_catalogue"]
