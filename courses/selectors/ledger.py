"""Reading the training-hours ledger (DESIGN.md §5: `training_hours`)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import DecimalField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear

from people.models import User

from ..models.ledger import HourCategory, HoursTotal, TrainingRecord

__all__ = [
    "training_hours",
    "officers_with_hours",
    "HOUR_KEYS",
    "HoursDifference",
    "hours_totals_differences",
]

HOUR_KEYS = [*HourCategory.values, "total"]
ZERO = Decimal("0.0")


def training_hours(*, officer: User, year: int) -> dict[str, Decimal]:
    """Approved hours in calendar year `year`: `public_law`, `professional`, `skills`, `total`.

    Reversing entries count (as negatives), so a corrected mistake disappears from the sum.
    """
    sums = TrainingRecord.objects.filter(officer=officer, completed_on__year=year).aggregate(
        **{
            category: Coalesce(Sum("hours", filter=Q(category=category)), Value(ZERO))
            for category in HourCategory.values
        },
        total=Coalesce(Sum("hours"), Value(ZERO)),
    )
    return {key: Decimal(sums[key]).quantize(Decimal("0.1")) for key in HOUR_KEYS}


def officers_with_hours(officers: QuerySet[User], *, year: int) -> QuerySet[User]:
    """Annotate each officer with `hours_<category>` and `hours_total` for `year`, in one query."""
    output = DecimalField(max_digits=7, decimal_places=1)

    def hours_in(condition: Q) -> Subquery:
        return Coalesce(
            Subquery(
                TrainingRecord.objects.filter(
                    condition, officer=OuterRef("pk"), completed_on__year=year
                )
                .order_by()
                .values("officer")
                .annotate(s=Sum("hours"))
                .values("s"),
                output_field=output,
            ),
            Value(ZERO),
            output_field=output,
        )

    annotations = {f"hours_{c}": hours_in(Q(category=c)) for c in HourCategory.values}
    annotations["hours_total"] = hours_in(Q())
    return officers.annotate(**annotations)


@dataclass(frozen=True)
class HoursDifference:
    """A yearly total that does not match the ledger it sums (None: no such row)."""

    officer_id: int
    year: int
    category: str
    ledger_hours: Decimal | None
    total_hours: Decimal | None
    ledger_latest: datetime.date | None
    total_latest: datetime.date | None


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def _date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def hours_totals_differences(*, using: str = "default", limit: int = 1000) -> list[HoursDifference]:
    """Every yearly total that differs from the ledger, both ways (the nightly check).

    Two anti-joins in the database, so the whole ledger is compared without loading it;
    at most `limit` differences are returned.
    """
    connection = connections[using]
    summed = (
        TrainingRecord.objects.using(using)
        .order_by()
        .annotate(year=ExtractYear("completed_on"))
        .values_list("officer_id", "year", "category")
        .annotate(total=Sum("hours"), latest=Max("completed_on"))
    )
    ledger_sql, params = summed.query.sql_with_params()
    totals = connection.ops.quote_name(HoursTotal._meta.db_table)
    sql = f"""
SELECT l.officer_id, l.year, l.category, l.total, tt.hours, l.latest, tt.latest_on
FROM ({ledger_sql}) l
LEFT JOIN {totals} tt
  ON tt.officer_id = l.officer_id AND tt.year = l.year AND tt.category = l.category
WHERE tt.id IS NULL OR tt.hours <> l.total OR tt.latest_on <> l.latest
UNION ALL
SELECT tt.officer_id, tt.year, tt.category, NULL, tt.hours, NULL, tt.latest_on
FROM {totals} tt
WHERE NOT EXISTS (
    SELECT 1 FROM ({ledger_sql}) l2
    WHERE l2.officer_id = tt.officer_id AND l2.year = tt.year AND l2.category = tt.category)
"""  # noqa: S608 - generated SQL; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {int(limit)}", [*params, *params])  # noqa: S608
        rows = cursor.fetchall()
    return [
        HoursDifference(
            officer_id=row[0],
            year=int(row[1]),
            category=row[2],
            ledger_hours=_decimal(row[3]),
            total_hours=_decimal(row[4]),
            ledger_latest=_date(row[5]),
            total_latest=_date(row[6]),
        )
        for row in rows
    ]
